namespace MeshDns.Table;

/// <summary>
/// What the table needs of one ServiceEntry. Sources (files, Kubernetes) map their models to this, so the
/// table does not depend on how entries are read.
/// </summary>
/// <param name="Namespace">metadata.namespace (the file source uses "default" when a file gives none, like kubectl).</param>
/// <param name="Name">metadata.name.</param>
/// <param name="CreationTimestamp">metadata.creationTimestamp; null sorts after every timestamp.</param>
/// <param name="Hosts">spec.hosts: exact names or <c>*.suffix</c> wildcards.</param>
/// <param name="Addresses">spec.addresses: IPs or CIDRs.</param>
/// <param name="Resolution">spec.resolution; null or NONE means the entry is not served.</param>
/// <param name="StatusAddresses">status.addresses: VIPs allocated by istiod.</param>
public sealed record ServiceEntryInput(
    string Namespace,
    string Name,
    DateTimeOffset? CreationTimestamp,
    IReadOnlyList<string> Hosts,
    IReadOnlyList<string> Addresses,
    string? Resolution,
    IReadOnlyList<StatusAddress> StatusAddresses)
{
    /// <summary>namespace/name, as logs and the debug view name an entry.</summary>
    public string Id => Namespace.Length == 0 ? Name : $"{Namespace}/{Name}";
}

/// <summary>One item of status.addresses; <paramref name="Host"/>, when set, limits it to that host.</summary>
public sealed record StatusAddress(string Value, string? Host);

/// <summary>Settings of table construction.</summary>
/// <param name="DefaultAddress">Served for hosts with no usable address (--default-address); null to skip them.</param>
public sealed record TableOptions(System.Net.IPAddress? DefaultAddress = null);
