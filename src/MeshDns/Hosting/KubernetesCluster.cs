using MeshDns.Sources.Kubernetes;
using MeshDns.Table;

namespace MeshDns.Hosting;

/// <summary>One followed cluster: its API client, its reflector (own store, backoff and counters), and the publisher source its
/// entries go to. A replacement takes a new source and retires the one before with its first update, so the cluster's
/// entries are never missing in between.</summary>
internal sealed class KubernetesCluster(string name, bool remote, string source, KubernetesApi api, ServiceEntryReflector reflector, string? retire)
{
    private string? _retire = retire;
    private volatile bool _timedOut;

    public string Name { get; } = name;
    public bool Remote { get; } = remote;
    public string Source { get; } = source;
    public ServiceEntryReflector Reflector { get; } = reflector;

    /// <summary>The source of the reflector this one replaces, until this one's first update retires it.</summary>
    public string? Retiring => Volatile.Read(ref _retire);

    /// <summary>A remote that had not synced within --remote-sync-timeout: the first table went out without it.</summary>
    public bool TimedOut
    {
        get => _timedOut;
        set => _timedOut = value;
    }

    /// <summary>The update as the publisher takes it; the first one also retires the replaced reflector's source.</summary>
    public void Publish(TablePublisher publisher, SourceUpdate update) =>
        publisher.Apply(Source, update.Changes, update.Count, Interlocked.Exchange(ref _retire, null));

    /// <summary>One line of /readyz: what the cluster contributes now.</summary>
    public string Status(TimeSpan remoteSyncTimeout)
    {
        string role = Remote ? "remote" : "local";
        bool reachable = Reflector.Stats.Reachable;
        return (Reflector.HasSynced, reachable, TimedOut) switch
        {
            (true, true, _) => $"cluster {Name} ({role}): synced",
            (true, false, _) => $"cluster {Name} ({role}): API unreachable, serving its last good entries while retrying",
            (false, _, true) => $"cluster {Name} ({role}): not synced within --remote-sync-timeout {remoteSyncTimeout.TotalSeconds:0.###}s, served without it until it syncs",
            (false, _, false) => $"cluster {Name} ({role}): waiting for its first sync",
        };
    }

    /// <summary>Stops the reflector (its last update may still arrive, and is then ignored) and lets the connections go.</summary>
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
