namespace MeshDns.Table;

/// <summary>What the table needs of one ServiceEntry (metadata, spec and status fields of the same names), so the table
/// does not depend on how sources read entries. A null timestamp sorts last; resolution null or NONE is not served.</summary>
public sealed record ServiceEntryInput(string Namespace, string Name, DateTimeOffset? CreationTimestamp, IReadOnlyList<string> Hosts,
    IReadOnlyList<string> Addresses, string? Resolution, IReadOnlyList<StatusAddress> StatusAddresses)
{
    public string Id => Namespace.Length == 0 ? Name : $"{Namespace}/{Name}";
}

/// <summary>One item of status.addresses; <paramref name="Host"/>, when set, limits it to that host.</summary>
public sealed record StatusAddress(string Value, string? Host);

/// <summary>DefaultAddress: served for hosts with no usable address; null skips them.</summary>
public sealed record TableOptions(System.Net.IPAddress? DefaultAddress = null);

/// <summary>What a source that tracks its changes publishes: the entries set (or deleted: null) since its last update, by
/// namespace/name, and how many it holds now. Applied in order, the updates give the source's entries.</summary>
public sealed record SourceUpdate(IReadOnlyList<KeyValuePair<string, ServiceEntryInput?>> Changes, int Count);
