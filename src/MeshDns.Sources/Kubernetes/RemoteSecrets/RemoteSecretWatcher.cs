using k8s;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Kubernetes.RemoteSecrets;

/// <summary>Follows the Istio remote secrets of one namespace (Secrets labelled istio/multiCluster=true; each data key a
/// cluster name, its value that cluster's kubeconfig) and announces the remote clusters they add, rotate and remove.
/// An API outage keeps the last good clusters: only a complete LIST replaces the secrets.</summary>
public sealed class RemoteSecretWatcher : IAsyncDisposable
{
    /// <summary>The label istiod looks for on remote secrets, and its value.</summary>
    public const string LabelSelector = "istio/multiCluster=true";

    private readonly RemoteSecretStore _store;
    private readonly RemoteClusterSet _clusters;
    private readonly ReflectorLoop _loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task? _run;
    private Task? _stopped;

    /// <param name="api">The API server of the cluster holding the secrets (MeshDns's own).</param>
    /// <param name="ns">The namespace of the secrets (istiod's, usually istio-system).</param>
    public RemoteSecretWatcher(KubernetesApi api, string ns, ReflectorOptions options, ILogger logger)
        : this(stats => new HttpListerWatcher(api, options, stats, logger, ApiResource.Secrets(LabelSelector)), api.BaseUri, ns, options, logger)
    {
    }

    /// <param name="server">Named in failure messages.</param>
    public RemoteSecretWatcher(IListerWatcher source, Uri server, string ns, ReflectorOptions options, ILogger logger)
        : this(_ => source, server, ns, options, logger)
    {
    }

    private RemoteSecretWatcher(Func<ReflectorStats, IListerWatcher> source, Uri server, string ns, ReflectorOptions options, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        Namespace = ns;
        _clusters = new RemoteClusterSet(Stats, logger);
        _store = new RemoteSecretStore(ns, _clusters, Stats, logger);
        _loop = new ReflectorLoop(source(Stats.Reflector), server, options, Stats.Reflector, $"secrets in namespace {ns}", "remote clusters", logger);
    }

    /// <summary>A remote cluster added, its kubeconfig changed, or removed; raised on the watcher's loop, one at a time, in
    /// order. The first LIST raises Added for every cluster before <see cref="Synced"/> turns true. A subscriber's exception
    /// is logged, not rethrown.</summary>
    public event Action<RemoteClusterChange>? Changed
    {
        add => _clusters.Changed += value;
        remove => _clusters.Changed -= value;
    }

    public string Namespace { get; }

    /// <summary>True once the secrets have been listed (and their clusters announced).</summary>
    public bool Synced => _store.Synced;

    /// <summary>Completes when the secrets have first been listed and their clusters announced (never, if stopped before).</summary>
    public Task Listed => _store.Listed;

    public RemoteSecretStats Stats { get; } = new();

    /// <summary>The clusters announced and not removed, with their configuration (a copy).</summary>
    public IReadOnlyDictionary<string, KubernetesClientConfiguration> Clusters => _clusters.Snapshot();

    /// <summary>Starts following the secrets and returns at once; <see cref="Synced"/> tells when the first LIST is in. Once only.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_stopped is null && _run is null)
            {
                CancellationToken stop = _stop.Token;
                _run = Task.Run(() => _loop.RunAsync(_store, stop), CancellationToken.None);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops the loop and waits for it; no change is raised after it returns. Idempotent, safe before start.</summary>
    public Task StopAsync()
    {
        lock (_gate)
        {
            return _stopped ??= StopOnce();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task StopOnce()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await (_run ?? Task.CompletedTask).ConfigureAwait(false); // the loop ends on cancellation, never with it
        _stop.Dispose();
    }
}
