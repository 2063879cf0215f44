namespace MeshDns.Kubernetes.Tests.ApiServer;

/// <summary>What a request to the <see cref="FakeKubeApiServer"/> was, as classified by its path and query.</summary>
public enum FakeRequestKind
{
    /// <summary>/, /api, /apis, /apis/networking.istio.io[/{version}], /version, /healthz, /livez, /readyz.</summary>
    Discovery,

    /// <summary>GET of the serviceentries collection (cluster-wide or in a namespace) without watch.</summary>
    List,

    /// <summary>GET of the serviceentries collection with watch=1/true.</summary>
    Watch,

    /// <summary>GET of one ServiceEntry by name.</summary>
    Get,

    /// <summary>Anything else: unknown paths, methods other than GET.</summary>
    Other,
}

/// <summary>
/// One request seen by the <see cref="FakeKubeApiServer"/>. Logged when its status is decided: at the end for
/// ordinary requests, when the stream starts for watches.
/// </summary>
/// <param name="Time">When the entry was logged.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="PathAndQuery">The request target exactly as sent (still percent-encoded).</param>
/// <param name="Authorization">The Authorization header, or null when absent.</param>
/// <param name="StatusCode">The HTTP status code answered.</param>
/// <param name="Kind">How the request was classified.</param>
public sealed record RequestLogEntry(
    DateTimeOffset Time,
    string Method,
    string PathAndQuery,
    string? Authorization,
    int StatusCode,
    FakeRequestKind Kind);
