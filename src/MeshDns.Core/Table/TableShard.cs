using System.Net;
using System.Numerics;
using MeshDns.Wire;

namespace MeshDns.Table;

/// <summary>One served name (host, wildcard suffix, or empty non-terminal) and its addresses.</summary>
internal struct TableEntry
{
    public int NameOffset;
    public int NameLength;
    public int Hash;
    public MatchKind Kind;
    public int V4Start;
    public int V4Count;
    public int V6Start;
    public int V6Count;
    public int PortStart;
    public int PortCount;
}

/// <summary>A named port of a served name: its <c>_name</c> label's octets in the shard's label pool, number and protocol.</summary>
internal struct TablePort
{
    public int LabelOffset;
    public int LabelLength;
    public ushort Number;
    public bool Udp;
}

/// <summary>The names whose hash falls in one slice of the hash space, immutable: a change rebuilds only the shards of the
/// names it touches, and a new table shares every other shard with the one it replaces. Two open-addressing indexes
/// (exact names, wildcard suffixes) over one byte pool of wire-form names, and one of the reverse names of served
/// addresses (<see cref="ShardReverses"/>); lookups allocate nothing.</summary>
internal sealed class TableShard
{
    private readonly byte[] _names;
    private readonly TableEntry[] _entries;
    private readonly int[] _exact;
    private readonly int[] _wildcard;
    private readonly byte[] _v4;
    private readonly byte[] _v6;
    private readonly HostRecord?[] _records; // per entry; null for empty non-terminals and reverse names
    private readonly Extras _extras;
    private readonly ShardReverses _reverses;

    private TableShard(byte[] names, TableEntry[] entries, int[] exact, int[] wildcard, byte[] v4, byte[] v6, HostRecord?[] records, Extras extras, ShardReverses reverses) =>
        (_names, _entries, _exact, _wildcard, _v4, _v6, _records, _extras, _reverses) = (names, entries, exact, wildcard, v4, v6, records, extras, reverses);

    public static TableShard Empty { get; } = Build([], []);

    /// <summary>Named ports of the entries, their labels in their own pool.</summary>
    private sealed record Extras(TablePort[] Ports, byte[] Labels);

    public int HostCount { get; private init; }

    public MatchKind KindOf(int entry) => _entries[entry].Kind;

    public ReadOnlySpan<byte> IPv4(int entry) => _v4.AsSpan(_entries[entry].V4Start * 4, _entries[entry].V4Count * 4);

    public ReadOnlySpan<byte> IPv6(int entry) => _v6.AsSpan(_entries[entry].V6Start * 16, _entries[entry].V6Count * 16);

    /// <summary>The reverse name of a served address, by its lower-case wire form and hash, or -1.</summary>
    public int FindReverse(ReadOnlySpan<byte> name, int hash) => _reverses.Find(name, hash);

    public int PtrCount(int reverse) => _reverses.PtrCount(reverse);

    /// <summary>The i-th PTR target of a reverse name, a lower-case wire-form name.</summary>
    public ReadOnlySpan<byte> Ptr(int reverse, int i) => _reverses.Ptr(reverse, i);

    /// <summary>The numbers of an entry's ports of one protocol, and of one <c>_name</c> label unless it is empty; as
    /// many as fit in <paramref name="numbers"/>.</summary>
    public int FindPorts(int entry, ReadOnlySpan<byte> label, bool udp, Span<ushort> numbers)
    {
        ref readonly TableEntry e = ref _entries[entry];
        int found = 0;
        foreach (ref readonly TablePort port in _extras.Ports.AsSpan(e.PortStart, e.PortCount))
        {
            if (port.Udp == udp && (label.IsEmpty || label.SequenceEqual(_extras.Labels.AsSpan(port.LabelOffset, port.LabelLength))) && found < numbers.Length)
            {
                numbers[found++] = port.Number;
            }
        }

        return found;
    }

    /// <summary>Exact and wildcard hosts, in no particular order.</summary>
    public IEnumerable<HostRecord> Records => _records.Where(r => r is not null)!;

    /// <summary>The entry of a lower-case wire-form name in the exact or wildcard index, or -1.</summary>
    public int Find(bool wildcard, ReadOnlySpan<byte> name, int hash)
    {
        int[] buckets = wildcard ? _wildcard : _exact;
        int mask = buckets.Length - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            int index = buckets[slot] - 1;
            if (index < 0)
            {
                return -1;
            }

            ref readonly TableEntry e = ref _entries[index];
            if (e.Hash == hash && name.SequenceEqual(_names.AsSpan(e.NameOffset, e.NameLength)))
            {
                return index;
            }
        }
    }

    /// <summary>Lays out the given names: each as an exact host, else an empty non-terminal, and its wildcard if any; and
    /// the reverse names of served addresses.</summary>
    public static TableShard Build(IReadOnlyCollection<TableName> names, IReadOnlyCollection<TableReverse> reverses)
    {
        var layout = new Layout(names.Count);
        foreach (TableName name in names)
        {
            if (name.HasOwn || name.Below > 0)
            {
                layout.Add(name, name.Exact, name.HasOwn ? MatchKind.Host : MatchKind.EmptyNonTerminal);
            }

            if (name.Wildcard is not null)
            {
                layout.Add(name, name.Wildcard, MatchKind.Wildcard);
            }
        }

        return layout.Finish(ShardReverses.Build(reverses));
    }

    /// <summary>The arrays of one shard as they are filled.</summary>
    private sealed class Layout(int capacity)
    {
        private readonly List<byte> _names = new(capacity * 24);
        private readonly List<TableEntry> _entries = new(capacity);
        private readonly List<HostRecord?> _records = new(capacity);
        private readonly List<int> _exact = new(capacity);
        private readonly List<int> _wildcard = [];
        private readonly List<byte> _v4 = new(capacity * 4);
        private readonly List<byte> _v6 = [];
        private readonly List<TablePort> _ports = [];
        private readonly List<byte> _labels = [];
        private int _hosts;

        public void Add(TableName name, HostRecord? record, MatchKind kind)
        {
            var e = new TableEntry { NameOffset = _names.Count, NameLength = name.Wire.Length, Hash = name.Hash, Kind = kind, V4Start = _v4.Count / 4, V6Start = _v6.Count / 16 };
            _names.AddRange(name.Wire);
            (e.PortStart, e.PortCount) = (_ports.Count, record?.Ports.Count ?? 0);
            foreach (SrvPort port in record?.Ports ?? [])
            {
                _ports.Add(new TablePort { LabelOffset = _labels.Count, LabelLength = 1 + port.Name.Length, Number = port.Number, Udp = port.Udp });
                _labels.Add((byte)'_');
                _labels.AddRange(System.Text.Encoding.ASCII.GetBytes(port.Name));
            }


            Span<byte> octets = stackalloc byte[16];
            foreach (IPAddress ip in record?.Addresses ?? [])
            {
                ip.TryWriteBytes(octets, out int length);
                if (length == 4)
                {
                    _v4.AddRange(octets[..4]);
                    e.V4Count++;
                }
                else
                {
                    _v6.AddRange(octets[..16]);
                    e.V6Count++;
                }
            }

            (kind == MatchKind.Wildcard ? _wildcard : _exact).Add(_entries.Count);
            _entries.Add(e);
            _records.Add(record);
            _hosts += record is null ? 0 : 1;
        }

        public TableShard Finish(ShardReverses reverses)
        {
            TableEntry[] entries = [.. _entries];
            var extras = new Extras([.. _ports], [.. _labels]);
            return new TableShard([.. _names], entries, Index(entries, _exact), Index(entries, _wildcard), [.. _v4], [.. _v6], [.. _records], extras, reverses)
            {
                HostCount = _hosts,
            };
        }

        private static int[] Index(TableEntry[] entries, List<int> members) => TableShard.Index(members.Count, i => entries[members[i]].Hash, i => members[i]);
    }

    /// <summary>Open addressing with linear probing at a load factor of at most one half: a bucket holds a member's
    /// value plus one (0: empty).</summary>
    internal static int[] Index(int count, Func<int, int> hash, Func<int, int> value)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, count * 2));
        var buckets = new int[size];
        int mask = size - 1;
        for (int i = 0; i < count; i++)
        {
            int slot = hash(i) & mask;
            while (buckets[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            buckets[slot] = value(i) + 1;
        }

        return buckets;
    }
}
