using MeshDns.Table;
using Microsoft.Extensions.Logging;
using Scope = MeshDns.Sources.Kubernetes.ServiceEntryStore.Scope;

namespace MeshDns.Sources.Kubernetes;

/// <summary>Follows ServiceEntries per namespace as client-go's reflector does: LIST, then WATCH from its resourceVersion; LIST
/// again on 410 or a skipped oversized event; else retry with capped, jittered backoff. Only a complete LIST replaces the
/// store, so an outage never empties it.</summary>
public sealed class ServiceEntryReflector : IAsyncDisposable
{
    private readonly ReflectorLoop _loop;
    private readonly ServiceEntryStore _store;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _stopGate = new();
    private Task[] _tasks = [];
    private Task? _stopped;

    public ServiceEntryReflector(KubernetesApi api, ServiceEntryDecoder decoder, ReflectorOptions options, ILogger logger)
        : this(stats => new HttpListerWatcher(api, options, stats, logger), api.BaseUri, decoder, options, logger)
    {
    }

    /// <param name="server">Named in failure messages.</param>
    public ServiceEntryReflector(IListerWatcher source, Uri server, ServiceEntryDecoder decoder, ReflectorOptions options, ILogger logger)
        : this(_ => source, server, decoder, options, logger)
    {
    }

    private ServiceEntryReflector(Func<ReflectorStats, IListerWatcher> source, Uri server, ServiceEntryDecoder decoder, ReflectorOptions options, ILogger logger)
    {
        _loop = new ReflectorLoop(source(Stats), server, options, Stats, ApiResource.ServiceEntries.Name, "table", logger);
        _store = new ServiceEntryStore(options.Namespaces, decoder, options.Debounce, Stats, logger);
    }

    /// <summary>Every entry once every namespace has synced, then the entries each burst of changes set or deleted.</summary>
    public event Action<SourceUpdate>? Changed
    {
        add => _store.Changed += value;
        remove => _store.Changed -= value;
    }

    /// <summary>True once every followed namespace has been listed.</summary>
    public bool HasSynced => _store.HasSynced;

    public ReflectorStats Stats { get; } = new();

    public void Start()
    {
        lock (_stopGate)
        {
            if (_stopped is not null || _tasks.Length > 0)
            {
                return; // stopped before it started, or started already
            }

            CancellationToken stop = _stop.Token;
            _tasks = [.. _store.Scopes.Select(scope => Task.Run(() => _loop.RunAsync(new ScopeTarget(_store, scope), stop))), Task.Run(() => _store.RunPublisher(stop))];
        }
    }

    /// <summary>Stops every loop and waits for them; idempotent and safe before <see cref="Start"/> (the host stops, then
    /// disposes, and a stop may come at any stage of start-up).</summary>
    public Task StopAsync()
    {
        lock (_stopGate)
        {
            return _stopped ??= StopOnce();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task StopOnce()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_tasks).ConfigureAwait(false); // the loops end on cancellation, never with it
        _stop.Dispose(); // every loop has ended: nothing touches it any more
    }

    /// <summary>A namespace of the store as the loop sees it.</summary>
    private sealed class ScopeTarget(ServiceEntryStore store, Scope scope) : IReflectorTarget
    {
        public string? Namespace => scope.Namespace;

        public string Display => scope.Display;

        public string? ResourceVersion => scope.ResourceVersion;

        public IListSink StartList() => store.StartList(scope);

        public void Replace(IListSink list, string resourceVersion) => store.Replace(scope, (ServiceEntryStore.ListBuilder)list, resourceVersion);

        public void Apply(WatchEvent e) => store.Apply(scope, e);
    }
}
