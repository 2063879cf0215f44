using MeshDns.Resolver;
using Microsoft.Extensions.Hosting;

namespace MeshDns.Hosting;

/// <summary>Whether this process should get traffic (/readyz, gRPC health); not from the first moment of shutdown.</summary>
public sealed class Readiness
{
    private readonly TableHolder _tables;
    private volatile bool _listening;
    private volatile bool _stopping;

    public Readiness(TableHolder tables, IHostApplicationLifetime lifetime)
    {
        _tables = tables;
        lifetime.ApplicationStopping.Register(Stopping);
    }

    public void ListenersUp() => _listening = true;
    public void Stopping() => _stopping = true;

    /// <summary>Null when ready.</summary>
    public string? NotReadyReason =>
        _stopping ? "shutting down"
        : _tables.Current is null ? "waiting for the first sync of the ServiceEntry sources"
        : !_listening ? "DNS listeners not up yet"
        : null;
}
