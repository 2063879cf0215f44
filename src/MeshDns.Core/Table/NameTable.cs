using System.Runtime.CompilerServices;

namespace MeshDns.Table;

/// <summary>How a name relates to the table.</summary>
public enum MatchKind : byte
{
    None = 0, // no host at or below the name: NXDOMAIN
    Host = 1,
    Wildcard = 2, // covered by a wildcard host
    EmptyNonTerminal = 3, // hosts below it but none of its own (RFC 8020): NODATA, not NXDOMAIN
}

/// <summary>What matched, and the index of its entry in the table (meaningless for None).</summary>
public readonly struct NameMatch(MatchKind kind, int entry)
{
    public MatchKind Kind { get; } = kind;
    internal int Entry { get; } = entry;
}

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
}

/// <summary>A served host, as the debug view and the change log show it.</summary>
public sealed record HostRecord(string Host, IReadOnlyList<System.Net.IPAddress> Addresses, IReadOnlyList<string> Sources);

/// <summary>Immutable map from lower-case wire-form names to addresses, shared by query threads without locks and
/// replaced whole. Two open-addressing indexes (exact, wildcard suffixes) over one byte pool: no allocation.</summary>
public sealed class NameTable
{
    private readonly byte[] _names;
    private readonly TableEntry[] _entries;
    private readonly int[] _exact;
    private readonly int[] _wildcard;
    private readonly byte[] _v4;
    private readonly byte[] _v6;

    internal NameTable(byte[] names, TableEntry[] entries, int[] exact, int[] wildcard, byte[] v4, byte[] v6,
        uint serial, int serviceEntryCount, IReadOnlyList<HostRecord> hosts)
    {
        (_names, _entries, _exact, _wildcard, _v4, _v6) = (names, entries, exact, wildcard, v4, v6);
        (Serial, ServiceEntryCount, Hosts) = (serial, serviceEntryCount, hosts);
    }

    public static NameTable Empty { get; } = NameTableBuilder.Build([], new TableOptions(), 0).Table;
    /// <summary>SOA serial: grows whenever a table replaces another.</summary>
    public uint Serial { get; }
    /// <summary>ServiceEntries that contributed at least one served host.</summary>
    public int ServiceEntryCount { get; }
    /// <summary>Exact and wildcard, sorted by name.</summary>
    public IReadOnlyList<HostRecord> Hosts { get; }

    /// <summary>Finds a lower-case, uncompressed wire-form name: an exact host first, then the longest wildcard
    /// suffix (Istio's matching: any number of extra labels), then an empty non-terminal.</summary>
    public NameMatch Lookup(ReadOnlySpan<byte> name)
    {
        int exact = Find(_exact, name);
        if (exact >= 0 && _entries[exact].Kind == MatchKind.Host)
        {
            return new NameMatch(MatchKind.Host, exact);
        }

        // Drop one label at a time, longest suffix first; the root alone is never a wildcard suffix.
        for (int at = 1 + name[0]; at < name.Length - 1; at += 1 + name[at])
        {
            int wildcard = Find(_wildcard, name[at..]);
            if (wildcard >= 0)
            {
                return new NameMatch(MatchKind.Wildcard, wildcard);
            }
        }

        return exact >= 0 ? new NameMatch(MatchKind.EmptyNonTerminal, exact) : default;
    }

    public ReadOnlySpan<byte> IPv4(NameMatch match) => match.Kind is MatchKind.Host or MatchKind.Wildcard
        ? _v4.AsSpan(_entries[match.Entry].V4Start * 4, _entries[match.Entry].V4Count * 4) : default;

    public ReadOnlySpan<byte> IPv6(NameMatch match) => match.Kind is MatchKind.Host or MatchKind.Wildcard
        ? _v6.AsSpan(_entries[match.Entry].V6Start * 16, _entries[match.Entry].V6Count * 16) : default;

    private int Find(int[] buckets, ReadOnlySpan<byte> name)
    {
        int hash = Hash(name);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Hash(ReadOnlySpan<byte> name)
    {
        var hash = default(HashCode);
        hash.AddBytes(name);
        return hash.ToHashCode();
    }
}
