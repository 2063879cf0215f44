using MeshDns.Resolver;
using Microsoft.Extensions.Hosting;

namespace MeshDns.Hosting;

/// <summary>Whether this process should get traffic (/readyz, gRPC health); not from the first moment of shutdown. The first
/// table (readiness) waits for the local cluster, and for remote ones up to --remote-sync-timeout.</summary>
public sealed class Readiness(TableHolder tables, IHostApplicationLifetime lifetime, KubernetesClusters? clusters = null)
{
    private volatile bool _listening;

    public void ListenersUp() => _listening = true;

    /// <summary>Null when ready.</summary>
    public string? NotReadyReason =>
        lifetime.ApplicationStopping.IsCancellationRequested ? "shutting down"
        : tables.Current is null ? "waiting for the first sync of the ServiceEntry sources"
        : !_listening ? "DNS listeners not up yet"
        : null;

    /// <summary>With several clusters, a line per cluster (synced, waiting, served without it, unreachable); else empty.</summary>
    public string Detail => clusters?.StatusLines() is { Count: > 0 } lines ? string.Join('\n', lines) + "\n" : "";
}
