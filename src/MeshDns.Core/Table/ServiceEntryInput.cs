namespace MeshDns.Table;

/// <summary>What the table needs of one ServiceEntry (metadata, spec and status fields of the same names), so the table
/// does not depend on how sources read entries. A null timestamp sorts last; resolution null or NONE is not served.</summary>
public sealed record ServiceEntryInput(string Namespace, string Name, DateTimeOffset? CreationTimestamp, IReadOnlyList<string> Hosts,
    IReadOnlyList<string> Addresses, string? Resolution, IReadOnlyList<StatusAddress> StatusAddresses)
{
    private IdCache _id; // made once: the model, the sources and the records all key by it

    public string Namespace { get; init { field = value; _id = default; } } = Namespace; // `with` a new one: Id anew

    public string Name { get; init { field = value; _id = default; } } = Name;

    /// <summary>spec.ports: the named ones are served as SRV records of each host.</summary>
    public IReadOnlyList<ServicePort> Ports { get; init; } = [];

    /// <summary>namespace/name (the name alone without a namespace).</summary>
    public string Id => _id.Value ??= Namespace.Length == 0 ? Name : $"{Namespace}/{Name}";

    /// <summary>Left out of the record's equality: whether Id was asked for yet does not make two entries differ.</summary>
    private struct IdCache : IEquatable<IdCache>
    {
        public string? Value;

        public readonly bool Equals(IdCache other) => true;

        public override readonly bool Equals(object? obj) => obj is IdCache;

        public override readonly int GetHashCode() => 0;
    }
}

/// <summary>One item of status.addresses; <paramref name="Host"/>, when set, limits it to that host.</summary>
public sealed record StatusAddress(string Value, string? Host);

/// <summary>One item of spec.ports as written: Name and Protocol may be absent (null).</summary>
public sealed record ServicePort(string? Name, int Number, string? Protocol);

/// <summary>DefaultAddress: served for hosts with no usable address; null skips them.</summary>
public sealed record TableOptions(System.Net.IPAddress? DefaultAddress = null)
{
    /// <summary>The resolver's zones (lower case, no trailing dot): reverse names are kept only for the addresses inside
    /// one of them, the only PTR queries it answers; null (no zones) keeps them for every address.</summary>
    public IReadOnlyList<string>? Zones { get; init; }
}

/// <summary>What a source that tracks its changes publishes: the entries set (or deleted: null) since its last update, by
/// namespace/name, and how many it holds now. Applied in order, the updates give the source's entries.</summary>
public sealed record SourceUpdate(IReadOnlyList<KeyValuePair<string, ServiceEntryInput?>> Changes, int Count);
