namespace MeshDns.Kubernetes.Tests.ApiServer;

/// <summary>Settings of a <see cref="FakeKubeApiServer"/>; all optional.</summary>
public sealed class FakeKubeApiOptions
{
    /// <summary>The versions of networking.istio.io served by default, most preferred first (as Istio does).</summary>
    public static IReadOnlyList<string> DefaultServedVersions { get; } = ["v1", "v1beta1", "v1alpha3"];

    /// <summary>When set, every request must carry <c>Authorization: Bearer &lt;Token&gt;</c>, else 401 with a Status body.</summary>
    public string? Token { get; init; }

    /// <summary>
    /// The versions of networking.istio.io served, in priority order: the first one is the group's
    /// preferredVersion. Paths of any other version answer 404. Can be changed later with
    /// <see cref="FakeKubeApiServer.SetServedVersions"/>.
    /// </summary>
    public IReadOnlyList<string> ServedVersions { get; init; } = DefaultServedVersions;

    /// <summary>
    /// Serve HTTPS with a certificate for 127.0.0.1 and localhost, issued by a throw-away CA whose PEM is
    /// <see cref="FakeKubeApiServer.CaCertificatePem"/>.
    /// </summary>
    public bool UseTls { get; init; }

    /// <summary>How often a watch with allowWatchBookmarks=true receives a BOOKMARK event.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The resourceVersion of the empty store. The first write gets this + 1. Large like etcd's revisions, so
    /// a client that assumes small numbers is caught. Resource versions below it are "too old" (410).
    /// </summary>
    public long InitialResourceVersion { get; init; } = 1000;
}
