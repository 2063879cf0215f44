using MeshDns.Models;

namespace MeshDns.Sources.Kubernetes;

/// <summary>What an <see cref="HttpListerWatcher"/> lists and watches: a resource of an API group (its version found by
/// discovery, newest first) or of the core API (always v1), optionally narrowed by a label selector.</summary>
/// <param name="Group">Null for the core API (<c>/api/v1</c>).</param>
/// <param name="Versions">Served versions to try, newest first; the core API has only v1.</param>
/// <param name="Name">The resource's full name (e.g. secrets, serviceentries.networking.istio.io), for messages and RBAC hints.</param>
public sealed record ApiResource(string? Group, IReadOnlyList<string> Versions, string Plural, string Name, string? LabelSelector = null)
{
    public static ApiResource ServiceEntries { get; } = new(ServiceEntryCrd.Group, ServiceEntryCrd.Versions, ServiceEntryCrd.Plural, ServiceEntryCrd.Name);

    /// <summary>Core v1 Secrets carrying the given label selector.</summary>
    public static ApiResource Secrets(string labelSelector) => new(null, ["v1"], "secrets", "secrets", labelSelector);

    /// <summary>The collection's path under the API root, in one namespace or (null) all of them.</summary>
    public string Path(string version, string? ns)
    {
        string root = Group is null ? $"api/{version}" : $"apis/{Group}/{version}";
        return ns is null ? $"{root}/{Plural}" : $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}";
    }

    /// <summary>The selector as a query parameter ("" or "&amp;labelSelector=…"), appended to every LIST and WATCH.</summary>
    public string SelectorQuery => LabelSelector is null ? "" : "&labelSelector=" + Uri.EscapeDataString(LabelSelector);
}
