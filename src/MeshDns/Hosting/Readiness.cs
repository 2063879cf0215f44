using MeshDns.Resolver;

namespace MeshDns.Hosting;

/// <summary>
/// Whether this process should get traffic: every source has synced (a table is published), the DNS
/// listeners are up, and it is not shutting down. Read by /readyz.
/// </summary>
public sealed class Readiness(TableHolder tables)
{
    private volatile bool _listening;
    private volatile bool _stopping;

    public void ListenersUp() => _listening = true;

    public void Stopping() => _stopping = true;

    /// <summary>Null when ready, else why not (one line).</summary>
    public string? NotReadyReason =>
        _stopping ? "shutting down"
        : tables.Current is null ? "waiting for the first sync of the ServiceEntry sources"
        : !_listening ? "DNS listeners not up yet"
        : null;
}
