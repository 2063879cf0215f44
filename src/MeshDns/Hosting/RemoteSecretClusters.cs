using MeshDns.Sources.Kubernetes;
using MeshDns.Sources.Kubernetes.RemoteSecrets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshDns.Hosting;

/// <summary>--remote-secrets: follows the Istio remote secrets of one namespace of the local cluster and adds, replaces and
/// removes the remote clusters they name. The first table waits for the secrets' first LIST (up to --remote-sync-timeout),
/// so the clusters they name are waited for as well. A secret naming a cluster given by --kubeconfig is ignored.</summary>
public sealed partial class RemoteSecretClusters : IHostedService, IMetricsSource
{
    /// <summary>The publisher source that stands for the secrets' first LIST: it holds no entries.</summary>
    internal const string Source = "remote-secrets";

    private readonly RemoteSecretWatcher _watcher;
    private readonly KubernetesClusters _clusters;
    private readonly TablePublisher _publisher;
    private readonly HashSet<string> _fixed; // clusters of --kubeconfig: a secret cannot replace or remove them
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();

    public RemoteSecretClusters(RemoteSecretWatcher watcher, KubernetesClusters clusters, TablePublisher publisher,
        IEnumerable<string> fixedClusters, TimeSpan timeout, ILogger logger)
    {
        (_watcher, _clusters, _publisher, _timeout, _logger) = (watcher, clusters, publisher, timeout, logger);
        _fixed = new HashSet<string>(fixedClusters, StringComparer.Ordinal);
        publisher.Expect(Source);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _watcher.Changed += OnChanged;
        _ = WaitForFirstList();
        return _watcher.StartAsync(cancellationToken); // returns at once: the listeners open while the secrets are listed
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _watcher.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's stop timeout ran out: do not wait for a request that ignores cancellation.
        }

        _watcher.Changed -= OnChanged;
    }

    public void Write(MetricsText text)
    {
        RemoteSecretStats stats = _watcher.Stats;
        text.Gauge("meshdns_remote_secrets_synced", "1 once the remote secrets have been listed (stays 1 through an outage).", _watcher.Synced ? 1 : 0);
        text.Gauge("meshdns_remote_secrets_reachable", "0 from a failed request for the remote secrets until the API answers again.", stats.Reflector.Reachable ? 1 : 0);
        text.Gauge("meshdns_remote_secrets", "Remote secrets held.", stats.Secrets);
        text.Gauge("meshdns_remote_secrets_clusters", "Remote clusters the secrets name.", stats.Clusters);
        text.Counter("meshdns_remote_secrets_changes_total", "Remote clusters added, replaced or removed by secret changes.", Interlocked.Read(ref stats.Changes));
        text.Counter("meshdns_remote_secrets_invalid_kubeconfigs_total", "Kubeconfigs in remote secrets that could not be used.", Interlocked.Read(ref stats.InvalidKubeconfigs));
        text.Counter("meshdns_remote_secrets_conflicts_total", "Clusters named by more than one remote secret.", Interlocked.Read(ref stats.Conflicts));
        text.Counter("meshdns_remote_secrets_lists_total", "LIST requests for the remote secrets.", Interlocked.Read(ref stats.Reflector.Lists));
        text.Counter("meshdns_remote_secrets_watch_restarts_total", "Watches of the remote secrets reconnected after a failure.", Interlocked.Read(ref stats.Reflector.WatchRestarts));
    }

    /// <summary>On the watcher's loop, one change at a time and in order; the cluster set changes before this returns.</summary>
    private void OnChanged(RemoteClusterChange change)
    {
        if (_fixed.Contains(change.Cluster))
        {
            LogFixed(_logger, change.Secret, change.Cluster);
            return;
        }

        try
        {
            Task stopped = change.Kind == RemoteClusterChangeKind.Removed
                ? (Task)_clusters.Remove(change.Cluster)
                : _clusters.Replace(change.Cluster, change.Configuration!, remote: true);
            _ = Observe(stopped, change);
            LogChange(_logger, change.Cluster, change.Kind.ToString().ToLowerInvariant(), change.Secret);
        }
        catch (Exception e) when (e is KubernetesConfigException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            LogUnusable(_logger, change.Secret, change.Cluster, e.Message); // the messages name paths and fields, never contents
        }
    }

    /// <summary>The old reflector's stop, awaited off the watcher's loop so a slow stop does not hold the next change.</summary>
    private async Task Observe(Task stopped, RemoteClusterChange change)
    {
        try
        {
            await stopped.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogStopFailed(_logger, change.Cluster, e.GetType().Name);
        }
    }

    /// <summary>The first table waits for the secrets' first LIST, but not past --remote-sync-timeout.</summary>
    private async Task WaitForFirstList()
    {
        Task listed = _watcher.Listed;
        await Task.WhenAny(listed, Task.Delay(_timeout, _stop.Token)).ConfigureAwait(false); // never throws: a cancelled delay is an answer too
        if (!listed.IsCompleted && !_stop.IsCancellationRequested && _publisher.StopWaitingFor(Source))
        {
            LogNotListed(_logger, _watcher.Namespace, _timeout.TotalSeconds);
        }

        await listed.WaitAsync(_stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _publisher.Remove(Source); // the clusters it named are waited for (or given up on) each on its own now
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Remote cluster {Cluster} {Change} (secret {Secret})")]
    private static partial void LogChange(ILogger logger, string cluster, string change, string secret);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secret {Secret} names cluster {Cluster}, which --kubeconfig gives already: that key is ignored")]
    private static partial void LogFixed(ILogger logger, string secret, string cluster);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secret {Secret}: cluster {Cluster} cannot be followed: {Reason}")]
    private static partial void LogUnusable(ILogger logger, string secret, string cluster, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Remote cluster {Cluster}: its previous connection did not stop cleanly ({Error})")]
    private static partial void LogStopFailed(ILogger logger, string cluster, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The remote secrets in namespace {Namespace} have not been listed within --remote-sync-timeout ({Seconds:0.###}s): serving without remote clusters until they are")]
    private static partial void LogNotListed(ILogger logger, string @namespace, double seconds);
}
