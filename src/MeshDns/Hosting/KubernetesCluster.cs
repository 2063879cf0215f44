using MeshDns.Sources.Kubernetes;
using MeshDns.Table;

namespace MeshDns.Hosting;

/// <summary>One followed cluster: its API client, its reflector (own store, backoff and counters), and the publisher source its
/// entries go to. A replacement takes a new source and retires the one before with its first update, so the cluster's
/// entries are never missing in between.</summary>
internal sealed class KubernetesCluster(string name, bool remote, string source, KubernetesApi api, ServiceEntryReflector reflector, string? retire)
{
    private readonly Lock _gate = new(); // an update and the hand-over to a successor never interleave
    private string? _retire = retire;
    private bool _detached;
    private volatile bool _timedOut;

    public string Name { get; } = name;
    public bool Remote { get; } = remote;
    public string Source { get; } = source;
    public ServiceEntryReflector Reflector { get; } = reflector;

    /// <summary>A remote that had not synced within --remote-sync-timeout: the first table went out without it.</summary>
    public bool TimedOut
    {
        get => _timedOut;
        set => _timedOut = value;
    }

    /// <summary>The update as the publisher takes it; the first one also retires the replaced reflector's source.</summary>
    public void Publish(TablePublisher publisher, SourceUpdate update)
    {
        lock (_gate)
        {
            if (!_detached)
            {
                publisher.Apply(Source, update.Changes, update.Count, _retire);
                _retire = null;
            }
        }
    }

    /// <summary>Passes no more updates on (it is being replaced or removed). Returns the source of the reflector it was to
    /// replace, if it had not synced yet: that one still holds the cluster's entries.</summary>
    public string? Detach()
    {
        lock (_gate)
        {
            _detached = true;
            return _retire;
        }
    }

    /// <summary>One line of /readyz: what the cluster contributes now.</summary>
    public string Status(TimeSpan remoteSyncTimeout)
    {
        string role = Remote ? "remote" : "local";
        bool reachable = Reflector.Stats.Reachable;
        bool replacing = Volatile.Read(ref _retire) is not null;
        return (Reflector.HasSynced, reachable, TimedOut) switch
        {
            (false, _, _) when replacing => $"cluster {Name} ({role}): new settings not synced yet{(reachable ? "" : " (API unreachable)")}, serving the entries of the previous ones",
            (true, true, _) => $"cluster {Name} ({role}): synced",
            (true, false, _) => $"cluster {Name} ({role}): API unreachable, serving its last good entries while retrying",
            (false, _, true) => $"cluster {Name} ({role}): not synced within --remote-sync-timeout {remoteSyncTimeout.TotalSeconds:0.###}s, served without it until it syncs",
            (false, _, false) => $"cluster {Name} ({role}): waiting for its first sync",
        };
    }

    /// <summary>Stops the reflector and lets its connections go (once detached, an update still arriving is ignored).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Reflector.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // the host's stop timeout ran out: do not wait for a request that ignores cancellation
        }

        api.Dispose();
    }
}
