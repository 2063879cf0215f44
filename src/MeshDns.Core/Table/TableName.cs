using System.Net;
using MeshDns.Wire;

namespace MeshDns.Table;

/// <summary>One ServiceEntry as the model holds it: its input (compared by reference to find what a snapshot changed) and
/// its per-entry work (null: not served).</summary>
internal sealed class EntryState(string source, ServiceEntryInput input, PreparedEntry? prepared, string? label = null)
{
    public string Source { get; } = source;

    /// <summary>How the table names this entry among a host's sources: namespace/name, or label/namespace/name (a cluster).</summary>
    public string Display { get; } = label is null ? input.Id : label + "/" + input.Id;
    public ServiceEntryInput Input { get; } = input;
    public PreparedEntry? Prepared { get; } = prepared;
    public int Mark; // the snapshot that last named it

    /// <summary>The merge order of a host's sources: oldest creationTimestamp first (unknown last), then namespace/name.</summary>
    public static int Compare(EntryState a, EntryState b)
    {
        int c = (a.Input.CreationTimestamp ?? DateTimeOffset.MaxValue).CompareTo(b.Input.CreationTimestamp ?? DateTimeOffset.MaxValue);
        c = c != 0 ? c : string.CompareOrdinal(a.Input.Namespace, b.Input.Namespace);
        c = c != 0 ? c : string.CompareOrdinal(a.Input.Name, b.Input.Name);
        return c != 0 ? c : string.CompareOrdinal(a.Source, b.Source);
    }
}

/// <summary>What one entry gives one host.</summary>
internal readonly record struct HostSource(EntryState Entry, IPAddress[] Addresses);

/// <summary>The model's state of one bare name (no <c>*.</c>): the entries serving it as a host and as a wildcard suffix,
/// the records served, and how many hosts lie below it (then it exists in DNS, as an empty non-terminal when no host).</summary>
internal sealed class TableName
{
    public TableName(string name)
    {
        Name = name;
        Span<byte> wire = stackalloc byte[DnsName.MaxLength];
        Wire = wire[..DnsName.TryEncode(name, wire)].ToArray();
        Hash = NameTable.Hash(Wire);
    }

    public string Name { get; }
    public byte[] Wire { get; }
    public int Hash { get; }
    public HostSource[] ExactFrom { get; set; } = [];
    public HostSource[] WildcardFrom { get; set; } = [];
    public HostRecord? Exact { get; set; }
    public HostRecord? Wildcard { get; set; }
    /// <summary>Exact hosts strictly below, plus wildcards at or below (<c>*.a.b</c> makes <c>a.b</c> exist).</summary>
    public int Below { get; set; }

    /// <summary>Records of its own (a host's addresses): the name exists apart from what lies below it. A reverse name's
    /// PTRs are not here but in <see cref="TableReverse"/>.</summary>
    public bool HasOwn => Exact is not null;

    public bool IsUnused => ExactFrom.Length == 0 && WildcardFrom.Length == 0 && !HasOwn && Wildcard is null && Below == 0;

    public static HostSource[] Insert(HostSource[] sources, HostSource added)
    {
        int at = 0;
        while (at < sources.Length && EntryState.Compare(sources[at].Entry, added.Entry) <= 0)
        {
            at++;
        }

        return [.. sources.AsSpan(0, at), added, .. sources.AsSpan(at)];
    }

    public static HostSource[] Remove(HostSource[] sources, EntryState removed) =>
        sources.Length == 1 && sources[0].Entry == removed ? [] : [.. sources.Where(s => s.Entry != removed)];

    /// <summary>The host as served: its sources' addresses and named ports in their order, duplicates dropped; null when none.</summary>
    public static HostRecord? Merge(string host, HostSource[] sources)
    {
        if (sources.Length == 0)
        {
            return null;
        }

        if (sources.Length == 1)
        {
            IPAddress[] only = sources[0].Addresses;
            return new HostRecord(host, only.Length == 1 || only.Distinct().Count() == only.Length ? only : [.. only.Distinct()], [sources[0].Entry.Display])
            {
                Ports = sources[0].Entry.Prepared!.Ports,
            };
        }

        return new HostRecord(host, [.. sources.SelectMany(s => s.Addresses).Distinct()], [.. sources.Select(s => s.Entry.Display)])
        {
            Ports = [.. sources.SelectMany(s => s.Entry.Prepared!.Ports).Distinct()],
        };
    }
}
