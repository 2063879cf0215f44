using MeshDns.Resolver;
using Microsoft.Extensions.Hosting;

namespace MeshDns.Hosting;

/// <summary>Whether this process should get traffic (/readyz, gRPC health); not from the first moment of shutdown.</summary>
public sealed class Readiness(TableHolder tables, IHostApplicationLifetime lifetime)
{
    private volatile bool _listening;

    public void ListenersUp() => _listening = true;

    /// <summary>Null when ready.</summary>
    public string? NotReadyReason =>
        lifetime.ApplicationStopping.IsCancellationRequested ? "shutting down"
        : tables.Current is null ? "waiting for the first sync of the ServiceEntry sources"
        : !_listening ? "DNS listeners not up yet"
        : null;
}
