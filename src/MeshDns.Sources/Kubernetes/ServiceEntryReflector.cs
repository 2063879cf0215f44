using System.Net;
using System.Text.Json;
using MeshDns.Table;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Kubernetes;

/// <summary>
/// Follows ServiceEntries the way client-go's reflector does: LIST (paged) into a store, then WATCH from
/// the list's resourceVersion with bookmarks; re-LIST on 410 Gone; on any other failure reconnect with
/// capped exponential backoff and jitter. The store is only replaced by a complete LIST, so an outage
/// never empties it. Changes are published as whole snapshots, bursts coalesced.
/// </summary>
public sealed partial class ServiceEntryReflector : IAsyncDisposable
{
    private static readonly string[] PreferredVersions = ["v1", "v1beta1", "v1alpha3"];

    /// <summary>A watch that ends sooner than this without any event counts as a failure (backoff).</summary>
    private static readonly TimeSpan MinimumQuietWatch = TimeSpan.FromSeconds(1);

    private readonly KubernetesApi _api;
    private readonly ServiceEntryDecoder _decoder;
    private readonly ReflectorOptions _options;
    private readonly ILogger _logger;
    private readonly Scope[] _scopes;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _publishSignal = new(0);
    private readonly HashSet<string> _reportedInvalid = [];
    private readonly Lock _stopGate = new();
    private Task[] _tasks = [];
    private Task? _stopped;
    private int _publishPending;

    public ServiceEntryReflector(KubernetesApi api, ServiceEntryDecoder decoder, ReflectorOptions options, ILogger logger)
    {
        _api = api;
        _decoder = decoder;
        _options = options;
        _logger = logger;
        _scopes = options.Namespaces.Count == 0 ? [new Scope(null)] : options.Namespaces.Distinct().Select(n => new Scope(n)).ToArray();
    }

    /// <summary>A complete snapshot after the first sync of every namespace, then after each change.</summary>
    public event Action<IReadOnlyList<ServiceEntryInput>>? Changed;

    /// <summary>True once every followed namespace has been listed.</summary>
    public bool HasSynced => _scopes.All(s => s.Synced);

    /// <summary>The API version in use (v1, v1beta1 or v1alpha3), once known.</summary>
    public string? Version { get; private set; }

    /// <summary>Counters for metrics and tests.</summary>
    public ReflectorStats Stats { get; } = new();

    public void Start()
    {
        lock (_stopGate)
        {
            if (_stopped is not null || _tasks.Length > 0)
            {
                return; // stopped before it started, or started already
            }

            _tasks = [.. _scopes.Select(scope => Task.Run(() => RunScope(scope))), Task.Run(PublishLoop)];
        }
    }

    private async Task RunScope(Scope scope)
    {
        CancellationToken stop = _stop.Token;
        int failures = 0;
        bool mustList = true;
        var watch = new WatchHealth();
        while (!stop.IsCancellationRequested)
        {
            watch.Reset();
            try
            {
                Version ??= await ResolveVersion(stop).ConfigureAwait(false);
                if (mustList)
                {
                    await List(scope, stop).ConfigureAwait(false);
                    mustList = false;
                    failures = 0;
                }

                WatchOutcome outcome = await Watch(scope, watch, stop).ConfigureAwait(false);
                if (outcome is WatchOutcome.Gone or WatchOutcome.Oversized)
                {
                    Stats.Count(ref Stats.Relists);
                    if (outcome == WatchOutcome.Gone)
                    {
                        LogGone(_logger, scope.Display);
                    }
                    else
                    {
                        LogOversized(_logger, scope.Display, _options.MaxEventBytes / 1024);
                    }

                    mustList = true;
                    continue;
                }

                if (outcome == WatchOutcome.Progress)
                {
                    failures = 0;
                }

                if (outcome == WatchOutcome.Progress || watch.OpenFor > MinimumQuietWatch)
                {
                    continue; // the server's timeout: renew at once from the last resourceVersion
                }

                // Closed at once with nothing delivered, again and again: back off rather than spin.
                Stats.Error("closed");
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                mustList |= OnFailure(scope, e);
            }

            // A watch that worked and then broke starts the backoff over, as client-go's backoff manager
            // does; only failures in a row (nothing delivered, short-lived) make it grow.
            failures = watch.Healthy(_options.HealthyWatch) ? 1 : failures + 1;
            if (!await Backoff(failures, stop).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Counts and logs a failure; true when the namespace must be listed again.</summary>
    private bool OnFailure(Scope scope, Exception e)
    {
        string reason = Reason(e);
        Stats.Error(reason);
        LogFailure(_logger, scope.Display, reason, ApiErrors.Describe(e, _api.BaseUri));
        if (e is KubernetesApiException { Status: HttpStatusCode.NotFound })
        {
            Version = null; // the version may have gone (CRD changed): discover again
            return true;
        }

        return false;
    }

    /// <summary>Waits before the next attempt; false when stopped meanwhile.</summary>
    private async Task<bool> Backoff(int failures, CancellationToken stop)
    {
        Stats.Count(ref Stats.WatchRestarts);
        TimeSpan delay = Backoff(failures);
        Stats.Backoff(failures, delay);
        try
        {
            await Task.Delay(delay, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Capped exponential backoff with jitter in [d/2, d].</summary>
    private TimeSpan Backoff(int failures)
    {
        double max = _options.MaxBackoff.TotalMilliseconds;
        double delay = Math.Min(max, _options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20)));
        return TimeSpan.FromMilliseconds((delay / 2) + (Random.Shared.NextDouble() * delay / 2));
    }

    /// <summary>A complete, paged LIST; the scope's store is replaced only when every page has arrived.</summary>
    private async Task List(Scope scope, CancellationToken stop)
    {
        Stats.Count(ref Stats.Lists);
        var items = new Dictionary<string, ServiceEntryInput>(StringComparer.Ordinal);
        string? continueToken = null;
        string resourceVersion;
        while (true)
        {
            string query = $"?limit={_options.PageSize}" + (continueToken is null ? "" : "&continue=" + Uri.EscapeDataString(continueToken));
            using var timeout = Timeout(stop);
            using HttpResponseMessage response = await _api.GetAsync(Path(Version!, scope.Namespace) + query, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Gone && continueToken is not null)
            {
                // The snapshot behind the continue token was compacted: start the LIST again.
                Stats.Count(ref Stats.Relists);
                items.Clear();
                continueToken = null;
                continue;
            }

            await EnsureSuccess(response, timeout.Token).ConfigureAwait(false);
            using JsonDocument page = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false), default, timeout.Token).ConfigureAwait(false);
            JsonElement root = page.RootElement;
            if (root.TryGetProperty("items", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in list.EnumerateArray())
                {
                    if (Decode(item, out ServiceEntryInput? entry, out string key))
                    {
                        items[key] = entry!;
                    }
                }
            }

            JsonElement metadata = root.TryGetProperty("metadata", out JsonElement m) ? m : default;
            resourceVersion = StringProperty(metadata, "resourceVersion") ?? throw new InvalidDataException("the LIST has no metadata.resourceVersion");
            continueToken = StringProperty(metadata, "continue");
            if (string.IsNullOrEmpty(continueToken))
            {
                break;
            }
        }

        lock (scope)
        {
            scope.Items = items;
            scope.ResourceVersion = resourceVersion;
        }

        bool first = !scope.Synced;
        scope.Synced = true;
        LogListed(_logger, scope.Display, items.Count, resourceVersion);
        if (first && HasSynced)
        {
            PublishNow(); // readiness waits for this: no debounce
        }
        else
        {
            RequestPublish();
        }
    }

    private enum WatchOutcome
    {
        /// <summary>The stream ended without delivering anything.</summary>
        Ended,

        /// <summary>Events arrived, then the stream ended (server timeout).</summary>
        Progress,

        /// <summary>410: the resourceVersion is too old; LIST again.</summary>
        Gone,

        /// <summary>An event over the size bound was skipped: that object's state is unknown, so LIST again.</summary>
        Oversized,
    }

    private async Task<WatchOutcome> Watch(Scope scope, WatchHealth health, CancellationToken stop)
    {
        string resourceVersion;
        lock (scope)
        {
            resourceVersion = scope.ResourceVersion!;
        }

        int seconds = (int)Math.Max(1, _options.WatchTimeout.TotalSeconds);
        string query = $"?watch=1&allowWatchBookmarks=true&timeoutSeconds={seconds}&resourceVersion={Uri.EscapeDataString(resourceVersion)}";
        Stats.Count(ref Stats.Watches);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(stop);
        stall.CancelAfter(_options.StallTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _api.GetAsync(Path(Version!, scope.Namespace) + query, stall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            throw new TimeoutException("the watch request got no answer");
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.Gone)
            {
                return WatchOutcome.Gone;
            }

            await EnsureSuccess(response, stall.Token).ConfigureAwait(false);
            Stream body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false);
            health.Opened();
            var reader = new NdjsonReader(body, _options.MaxEventBytes);
            while (true)
            {
                (NdjsonRead kind, ReadOnlyMemory<byte> line) read;
                try
                {
                    read = await reader.ReadLineAsync(stall.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    throw new TimeoutException($"the watch stalled: nothing for {_options.StallTimeout.TotalSeconds:0} s");
                }

                switch (read.kind)
                {
                    case NdjsonRead.End:
                        return health.Delivered ? WatchOutcome.Progress : WatchOutcome.Ended;
                    case NdjsonRead.Oversized:
                        Stats.Count(ref Stats.OversizedEvents);
                        return WatchOutcome.Oversized;
                }

                stall.CancelAfter(_options.StallTimeout);
                if (Apply(scope, read.line.Span))
                {
                    return WatchOutcome.Gone;
                }

                health.Delivered = true;
            }
        }
    }

    /// <summary>
    /// Stops every loop and waits for them to end. Idempotent and safe before <see cref="Start"/>: the host
    /// stops its services and then disposes them, and a stop may come at any stage of start-up.
    /// </summary>
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
        try
        {
            await Task.WhenAll(_tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose(); // every loop has ended: nothing touches them any more
        _publishSignal.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Count} ServiceEntries in {Scope} at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string scope, int count, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Scope}: resourceVersion expired (410), listing again")]
    private static partial void LogGone(ILogger logger, string scope);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of {Scope}: skipped an event longer than {KiB} KiB (its ServiceEntry is unknown), listing again")]
    private static partial void LogOversized(ILogger logger, string scope, int kib);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kubernetes API ({Scope}): {Reason}: {Message}; keeping the last good table and retrying")]
    private static partial void LogFailure(ILogger logger, string scope, string reason, string message);
}
