using System.Runtime.InteropServices;

namespace MeshDns.Table;

/// <summary>One reverse name of a shard: its hash, its address's octets in the pool, its PTR targets.</summary>
[StructLayout(LayoutKind.Auto)]
internal struct ReverseEntry
{
    public int Hash;
    public int AddressOffset;
    public int PtrStart;
    public byte AddressLength; // 4 or 16
    public byte PtrCount; // at most ReverseNames.MaxTargets
}

/// <summary>The reverse names of a shard's served addresses, immutable: an open-addressing index by the name's hash over
/// the addresses' octets, and the PTR targets as the wire forms the model's host names already hold (shared, not
/// copied). A query's name is turned into its address (<see cref="ReverseNames.TryParse"/>) to be compared.</summary>
internal sealed class ShardReverses
{
    private readonly int[] _index;
    private readonly ReverseEntry[] _entries;
    private readonly byte[] _addresses;
    private readonly byte[][] _targets;

    private ShardReverses(int[] index, ReverseEntry[] entries, byte[] addresses, byte[][] targets) =>
        (_index, _entries, _addresses, _targets) = (index, entries, addresses, targets);

    public int PtrCount(int reverse) => _entries[reverse].PtrCount;

    public ReadOnlySpan<byte> Ptr(int reverse, int i) => _targets[_entries[reverse].PtrStart + i];

    /// <summary>The entry of a lower-case wire-form reverse name, or -1 (also for any name that is not one).</summary>
    public int Find(ReadOnlySpan<byte> name, int hash)
    {
        Span<byte> address = stackalloc byte[16];
        int length = _entries.Length == 0 ? 0 : ReverseNames.TryParse(name, address);
        if (length == 0)
        {
            return -1;
        }

        int mask = _index.Length - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            int index = _index[slot] - 1;
            if (index < 0)
            {
                return -1;
            }

            ref readonly ReverseEntry e = ref _entries[index];
            if (e.Hash == hash && e.AddressLength == length && address[..length].SequenceEqual(_addresses.AsSpan(e.AddressOffset, length)))
            {
                return index;
            }
        }
    }

    /// <summary>The reverse names that serve PTRs now (the others are about to be dropped by the model).</summary>
    public static ShardReverses Build(IReadOnlyCollection<TableReverse> reverses)
    {
        var entries = new List<ReverseEntry>(reverses.Count);
        var addresses = new List<byte>(reverses.Count * 4);
        var targets = new List<byte[]>(reverses.Count);
        Span<byte> octets = stackalloc byte[16];
        foreach (TableReverse reverse in reverses)
        {
            if (reverse.PtrShown == 0)
            {
                continue;
            }

            var e = new ReverseEntry { Hash = reverse.Hash, AddressOffset = addresses.Count, AddressLength = (byte)reverse.Address.Length, PtrStart = targets.Count };
            reverse.Address.CopyTo(octets);
            addresses.AddRange(octets[..e.AddressLength]);
            targets.AddRange(reverse.Ptr.Select(host => host.Wire));
            e.PtrCount = (byte)(targets.Count - e.PtrStart);
            entries.Add(e);
        }

        ReverseEntry[] laid = [.. entries];
        return new ShardReverses(TableShard.Index(laid.Length, i => laid[i].Hash, i => i), laid, [.. addresses], [.. targets]);
    }
}
