using k8s;
using MeshDns.Sources.Kubernetes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshDns.Hosting;

/// <summary>The followed clusters: one reflector each, each a source of the table. Clusters can be added, replaced and removed
/// at run time (remote secrets); <see cref="Remove"/> drops that cluster's entries. The first table waits for the local
/// cluster, and for each remote one up to --remote-sync-timeout; a remote that syncs later joins the table then.</summary>
public sealed partial class KubernetesClusters(TablePublisher publisher, ReflectorOptions reflector, ServiceEntryDecoder decoder,
    ILoggerFactory loggers, TimeSpan remoteSyncTimeout, bool named) : IHostedService, IMetricsSource
{
    // named: entries are cluster/namespace/name, /readyz has a line per cluster, and log categories name the cluster;
    // true with several clusters, or when clusters may come and go at run time.
    private const string Category = "MeshDns.Kubernetes";
    private readonly ILogger _logger = loggers.CreateLogger(Category);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, KubernetesCluster> _clusters = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private bool _started;
    private long _generation; // publisher sources are per reflector: a replacement has its own

    /// <summary>Follows a new cluster (at once if the host has started). Throws <see cref="InvalidOperationException"/> when a
    /// cluster of that name is followed already, and <see cref="KubernetesConfigException"/> when the configuration cannot
    /// be used (no server, unreadable client certificate).</summary>
    public void Add(string cluster, KubernetesClientConfiguration config, bool remote)
    {
        lock (_gate)
        {
            if (_clusters.ContainsKey(cluster))
            {
                throw new InvalidOperationException($"cluster {cluster} is followed already");
            }

            if (!_stop.IsCancellationRequested)
            {
                Follow(cluster, KubernetesApi.FromConfiguration(config), remote, retire: null);
            }
        }
    }

    /// <summary>Follows a cluster with a new configuration (or adds it): its entries stay served, from the old reflector,
    /// until the new one has synced. The returned task ends when the old reflector has stopped.</summary>
    public Task Replace(string cluster, KubernetesClientConfiguration config, bool remote)
    {
        KubernetesCluster? old;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                return Task.CompletedTask; // stopping: nothing new starts
            }

            KubernetesApi api = KubernetesApi.FromConfiguration(config); // may throw: the old reflector then goes on
            _clusters.TryGetValue(cluster, out old);
            string? pending = old?.Detach(); // replaced before it synced: the one before it still holds the entries
            Follow(cluster, api, remote, retire: pending ?? old?.Source);
            if (pending is not null)
            {
                publisher.Remove(old!.Source);
            }
        }

        if (old is null)
        {
            return Task.CompletedTask;
        }

        publisher.StopWaitingFor(old.Source); // stopped: the first table must not wait for it
        return old.StopAsync(CancellationToken.None);
    }

    /// <summary>Stops following a cluster and drops its entries from the table; false when it was not followed.</summary>
    public async Task<bool> Remove(string cluster)
    {
        KubernetesCluster? gone;
        lock (_gate)
        {
            if (!_clusters.Remove(cluster, out gone))
            {
                return false;
            }
        }

        string? pending = gone.Detach();
        publisher.Remove(gone.Source);
        if (pending is not null)
        {
            publisher.Remove(pending);
        }

        LogRemoved(_logger, cluster);
        await gone.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return true;
    }

    /// <summary>The clusters by name (local first), for /readyz and metrics.</summary>
    private KubernetesCluster[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _clusters.Values.OrderBy(c => c.Remote).ThenBy(c => c.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>A line per cluster when several are followed: what each contributes now.</summary>
    public IReadOnlyList<string> StatusLines() =>
        named ? [.. Snapshot().Select(c => c.Status(remoteSyncTimeout))] : [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _started = true;
            foreach (KubernetesCluster cluster in _clusters.Values)
            {
                Start(cluster);
            }
        }

        return Task.CompletedTask; // not waited for: the listeners open at once and answer SERVFAIL until synced
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        KubernetesCluster[] all;
        lock (_gate)
        {
            _started = false;
            all = [.. _clusters.Values];
            _clusters.Clear();
            _stop.Cancel(); // under the lock: no Add or Replace starts a reflector after this
        }

        await Task.WhenAll(all.Select(c => c.StopAsync(cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Each family once, a sample per cluster (label <c>cluster</c>), local first.</summary>
    public void Write(MetricsText text)
    {
        KubernetesCluster[] all = Snapshot();
        void PerCluster(string name, string type, string help, Func<KubernetesCluster, long> value)
        {
            text.Header(name, type, help);
            foreach (KubernetesCluster c in all)
            {
                text.Sample(name, Label(c), value(c));
            }
        }

        PerCluster("meshdns_kubernetes_cluster_synced", "gauge", "1 once the cluster's ServiceEntries are listed and in the table (they stay through an outage).", c => c.Reflector.HasSynced ? 1 : 0);
        PerCluster("meshdns_kubernetes_cluster_reachable", "gauge", "0 from a failed API request until the API answers again (the last good entries are served meanwhile).", c => c.Reflector.Stats.Reachable ? 1 : 0);
        PerCluster("meshdns_kubernetes_cluster_remote", "gauge", "1 for a remote cluster (the first table waits for it at most --remote-sync-timeout), 0 for the local one.", c => c.Remote ? 1 : 0);
        PerCluster("meshdns_kubernetes_lists_total", "counter", "LIST requests (initial, after 410, after failures).", c => Interlocked.Read(ref c.Reflector.Stats.Lists));
        PerCluster("meshdns_kubernetes_relists_total", "counter", "LISTs forced by 410 Gone or a skipped oversized event.", c => Interlocked.Read(ref c.Reflector.Stats.Relists));
        PerCluster("meshdns_kubernetes_watch_restarts_total", "counter", "Watches reconnected after a failure.", c => Interlocked.Read(ref c.Reflector.Stats.WatchRestarts));
        PerCluster("meshdns_kubernetes_events_total", "counter", "Watch events received.", c => Interlocked.Read(ref c.Reflector.Stats.Events));
        PerCluster("meshdns_kubernetes_invalid_objects_total", "counter", "ServiceEntries skipped as invalid.", c => Interlocked.Read(ref c.Reflector.Stats.InvalidObjects));
        PerCluster("meshdns_kubernetes_oversized_events_total", "counter", "Watch events over the size bound, skipped (the namespace is listed again).", c => Interlocked.Read(ref c.Reflector.Stats.OversizedEvents));
        PerCluster("meshdns_kubernetes_consecutive_failures", "gauge", "API failures in a row before the latest retry (its backoff grows with them).", c => Interlocked.Read(ref c.Reflector.Stats.ConsecutiveFailures));
        text.Counter("meshdns_kubernetes_errors_total", "Failures talking to the API, by reason.");
        foreach (KubernetesCluster c in all)
        {
            foreach ((string reason, long count) in c.Reflector.Stats.Errors.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                text.Sample("meshdns_kubernetes_errors_total", $"{Label(c)},reason=\"{MetricsText.Escape(reason)}\"", count);
            }
        }
    }

    private static string Label(KubernetesCluster c) => $"cluster=\"{MetricsText.Escape(c.Name)}\"";

    /// <summary>Under the lock: a reflector for the cluster, as a publisher source of its own.</summary>
    private void Follow(string name, KubernetesApi api, bool remote, string? retire)
    {
        ILogger logger = named ? loggers.CreateLogger($"{Category}.{name}") : _logger; // the cluster in each line's category
        var cluster = new KubernetesCluster(name, remote, $"kubernetes/{name}#{++_generation}", api,
            new ServiceEntryReflector(api, decoder, reflector, logger), retire);
        publisher.Expect(cluster.Source, named ? name : null);
        _clusters[name] = cluster;
        if (_started)
        {
            Start(cluster);
        }
    }

    private void Start(KubernetesCluster cluster)
    {
        cluster.Reflector.Changed += update => cluster.Publish(publisher, update);
        cluster.Reflector.Start();
        if (cluster.Remote)
        {
            _ = GiveUpWaiting(cluster);
        }
    }

    /// <summary>After --remote-sync-timeout, the first table stops waiting for a remote that has not synced.</summary>
    private async Task GiveUpWaiting(KubernetesCluster cluster)
    {
        await Task.Delay(remoteSyncTimeout, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!_stop.IsCancellationRequested && !cluster.Reflector.HasSynced && publisher.StopWaitingFor(cluster.Source))
        {
            cluster.TimedOut = true;
            LogNotSynced(_logger, cluster.Name, remoteSyncTimeout.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {Cluster} has not synced within --remote-sync-timeout ({Seconds:0.###}s): serving without it until it does")]
    private static partial void LogNotSynced(ILogger logger, string cluster, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {Cluster} is no longer followed: its entries are dropped")]
    private static partial void LogRemoved(ILogger logger, string cluster);
}
