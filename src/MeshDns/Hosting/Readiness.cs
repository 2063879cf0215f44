using MeshDns.Resolver;
using Microsoft.Extensions.Hosting;

namespace MeshDns.Hosting;

/// <summary>
/// Whether this process should get traffic: every source has synced (a table is published), the DNS
/// listeners are up, and it is not shutting down. Read by /readyz and gRPC health.
/// </summary>
public sealed class Readiness
{
    private readonly TableHolder _tables;
    private volatile bool _listening;
    private volatile bool _stopping;

    /// <summary>Not ready from the first moment of shutdown, while the listeners still answer through the lame duck.</summary>
    public Readiness(TableHolder tables, IHostApplicationLifetime lifetime)
    {
        _tables = tables;
        lifetime.ApplicationStopping.Register(Stopping);
    }

    public void ListenersUp() => _listening = true;

    public void Stopping() => _stopping = true;

    /// <summary>Null when ready, else why not (one line).</summary>
    public string? NotReadyReason =>
        _stopping ? "shutting down"
        : _tables.Current is null ? "waiting for the first sync of the ServiceEntry sources"
        : !_listening ? "DNS listeners not up yet"
        : null;
}
