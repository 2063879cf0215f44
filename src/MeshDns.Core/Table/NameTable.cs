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

/// <summary>What matched, and where its entry is in the table (meaningless for None): a host's or empty non-terminal's
/// entry (-1: none, a reverse name only) and a reverse name's (-1: none), both in the same shard.</summary>
public readonly struct NameMatch
{
    internal NameMatch(MatchKind kind, int shard, int entry, int reverse = -1) => (Kind, Shard, Entry, _reverse) = (kind, shard, entry, reverse + 1);

    private readonly int _reverse; // plus one: the default value has none

    public MatchKind Kind { get; }
    internal int Shard { get; }
    internal int Entry { get; }
    internal int Reverse => _reverse - 1;

    /// <summary>A host's addresses and ports, not only a reverse name's PTRs.</summary>
    internal bool HasEntry => Kind is MatchKind.Host or MatchKind.Wildcard && Entry >= 0;
}

/// <summary>A served host, as the debug view and the change log show it.</summary>
public sealed record HostRecord(string Host, IReadOnlyList<System.Net.IPAddress> Addresses, IReadOnlyList<string> Sources)
{
    /// <summary>The named ports served as SRV records, distinct, in the sources' order.</summary>
    public IReadOnlyList<SrvPort> Ports { get; init; } = [];

    /// <summary>Whether another record of the same host serves the same records (sources aside).</summary>
    public bool ServesAs(HostRecord other) => Addresses.SequenceEqual(other.Addresses) && Ports.SequenceEqual(other.Ports);
}

/// <summary>Immutable map from lower-case wire-form names to addresses, shared by query threads without locks and
/// replaced whole (a new table shares the shards a change did not touch). The name's hash picks the shard.</summary>
public sealed class NameTable
{
    private readonly TableShard[] _shards;
    private IReadOnlyList<HostRecord>? _hosts;

    internal NameTable(TableShard[] shards, uint serial, int serviceEntryCount)
    {
        _shards = shards;
        (Serial, ServiceEntryCount) = (serial, serviceEntryCount);
        HostCount = shards.Sum(s => s.HostCount);
    }

    public static NameTable Empty { get; } = new([TableShard.Empty], 0, 0);
    /// <summary>SOA serial: grows whenever a table replaces another.</summary>
    public uint Serial { get; }
    /// <summary>ServiceEntries that contributed at least one served host.</summary>
    public int ServiceEntryCount { get; }
    /// <summary>Exact and wildcard hosts served.</summary>
    public int HostCount { get; }

    /// <summary>Exact and wildcard, sorted by name; gathered on first use (the debug view), not per change.</summary>
    public IReadOnlyList<HostRecord> Hosts => _hosts ??= [.. _shards.SelectMany(s => s.Records).OrderBy(h => h.Host, StringComparer.Ordinal)];

    /// <summary>Finds a lower-case, uncompressed wire-form name: an exact host first, then the longest wildcard
    /// suffix (Istio's matching: any number of extra labels), then an empty non-terminal. The reverse name of a served
    /// address is an exact host too (its PTRs), also when the same name is a host of its own.</summary>
    public NameMatch Lookup(ReadOnlySpan<byte> name)
    {
        int hash = Hash(name);
        int shard = ShardOf(hash, _shards.Length);
        int exact = _shards[shard].Find(wildcard: false, name, hash);
        bool host = exact >= 0 && _shards[shard].KindOf(exact) == MatchKind.Host;
        int reverse = _shards[shard].FindReverse(name, hash);
        if (host || reverse >= 0)
        {
            return new NameMatch(MatchKind.Host, shard, host ? exact : -1, reverse);
        }

        // Drop one label at a time, longest suffix first; the root alone is never a wildcard suffix.
        for (int at = 1 + name[0]; at < name.Length - 1; at += 1 + name[at])
        {
            ReadOnlySpan<byte> suffix = name[at..];
            int suffixHash = Hash(suffix);
            int suffixShard = ShardOf(suffixHash, _shards.Length);
            int wildcard = _shards[suffixShard].Find(wildcard: true, suffix, suffixHash);
            if (wildcard >= 0)
            {
                return new NameMatch(MatchKind.Wildcard, suffixShard, wildcard);
            }
        }

        return exact >= 0 ? new NameMatch(MatchKind.EmptyNonTerminal, shard, exact) : default;
    }

    public ReadOnlySpan<byte> IPv4(NameMatch match) => match.HasEntry ? _shards[match.Shard].IPv4(match.Entry) : default;

    public ReadOnlySpan<byte> IPv6(NameMatch match) => match.HasEntry ? _shards[match.Shard].IPv6(match.Entry) : default;

    /// <summary>PTR records of a reverse name (<see cref="ReverseNames"/>): the exact hosts serving its address.</summary>
    public int PtrCount(NameMatch match) => match.Kind is MatchKind.Host && match.Reverse >= 0 ? _shards[match.Shard].PtrCount(match.Reverse) : 0;

    /// <summary>The i-th PTR target (of <see cref="PtrCount"/>), in name order: a lower-case wire-form name.</summary>
    public ReadOnlySpan<byte> Ptr(NameMatch match, int i) => _shards[match.Shard].Ptr(match.Reverse, i);

    /// <summary>The numbers of a host's named ports of one protocol whose <c>_name</c> label is <paramref name="label"/>
    /// (lower case; empty: any name), as many as fit in <paramref name="numbers"/>.</summary>
    public int FindPorts(NameMatch match, ReadOnlySpan<byte> label, bool udp, Span<ushort> numbers) =>
        match.HasEntry ? _shards[match.Shard].FindPorts(match.Entry, label, udp, numbers) : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Hash(ReadOnlySpan<byte> name)
    {
        var hash = default(HashCode);
        hash.AddBytes(name);
        return hash.ToHashCode();
    }

    /// <summary>The high bits pick the shard (multiply-shift, any shard count); the low bits pick the slot inside it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int ShardOf(int hash, int shards) => (int)(((ulong)(uint)hash * (uint)shards) >> 32);
}
