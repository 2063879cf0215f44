using System.Net;
using System.Text.Json;
using MeshDns.Models.Json;
using MeshDns.Table;
using Microsoft.Extensions.Logging;
using Scope = MeshDns.Sources.Kubernetes.ServiceEntryStore.Scope;

namespace MeshDns.Sources.Kubernetes;

/// <summary>Follows ServiceEntries per namespace as client-go's reflector does: LIST, then WATCH from its resourceVersion; LIST
/// again on 410 or a skipped oversized event; else retry with capped, jittered backoff. Only a complete LIST replaces the
/// store, so an outage never empties it.</summary>
public sealed partial class ServiceEntryReflector : IAsyncDisposable
{
    /// <summary>A watch that ends sooner than this without any event counts as a failure (backoff).</summary>
    private static readonly TimeSpan MinimumQuietWatch = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger;
    private readonly IListerWatcher _source;
    private readonly Uri _server;
    private readonly ServiceEntryStore _store;
    private readonly ReflectorOptions _options;
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
        (_source, _server, _options, _logger) = (source(Stats), server, options, logger);
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
            _tasks = [.. _store.Scopes.Select(scope => Task.Run(() => RunScope(scope, stop))), Task.Run(() => _store.RunPublisher(stop))];
        }
    }

    private async Task RunScope(Scope scope, CancellationToken stop)
    {
        int failures = 0;
        bool mustList = true;
        var watch = new WatchHealth();
        while (!stop.IsCancellationRequested)
        {
            watch.Reset();
            try
            {
                if (mustList)
                {
                    ServiceEntryStore.ListBuilder list = _store.StartList(scope);
                    _store.Replace(scope, list, await _source.ListAsync(scope.Namespace, list, stop).ConfigureAwait(false));
                    mustList = false;
                    failures = 0;
                    Stats.Answered();
                }

                if (await Watch(scope, watch, stop).ConfigureAwait(false))
                {
                    Stats.Count(ref Stats.Relists);
                    mustList = true;
                    continue;
                }

                if (watch.Delivered)
                {
                    failures = 0;
                }

                if (watch.Delivered || watch.OpenFor > MinimumQuietWatch)
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

    /// <summary>Follows one watch until it ends; true when the namespace must be listed again (410, or a skipped event).</summary>
    private async Task<bool> Watch(Scope scope, WatchHealth health, CancellationToken stop)
    {
        await foreach (WatchEvent e in _source.WatchAsync(scope.Namespace, scope.ResourceVersion!, stop).ConfigureAwait(false))
        {
            switch (e.Type)
            {
                case WatchEvent.Opened:
                    health.Opened();
                    Stats.Answered();
                    continue;
                case WatchEvent.Oversized:
                    Stats.Count(ref Stats.OversizedEvents);
                    LogOversized(_logger, scope.Display, _options.MaxEventBytes / 1024);
                    return true;
                case WatchEvent.Expired:
                    LogGone(_logger, scope.Display);
                    return true;
            }

            Stats.Count(ref Stats.Events);
            int code = e.Type == WatchEvent.Error && e.Object.TryGetProperty("code", out JsonElement c) && c.TryGetInt32(out int n) ? n : 0;
            if (code == (int)HttpStatusCode.Gone)
            {
                LogGone(_logger, scope.Display);
                return true;
            }

            if (e.Type == WatchEvent.Error)
            {
                throw new KubernetesApiException((HttpStatusCode)code, "watch error: " + (ServiceEntryJson.StringProperty(e.Object, "message") ?? "no message"));
            }

            _store.Apply(scope, e);
            health.Delivered = true;
        }

        return false;
    }

    /// <summary>Counts and logs a failure; true when the namespace must be listed again.</summary>
    private bool OnFailure(Scope scope, Exception e)
    {
        string reason = Reason(e);
        Stats.Error(reason);
        Stats.Failed();
        LogFailure(_logger, scope.Display, reason, ApiErrors.Describe(e, _server));
        return e is KubernetesApiException { Status: HttpStatusCode.NotFound }; // the version may have gone (CRD changed)
    }

    private static string Reason(Exception e) => e switch
    {
        KubernetesApiException { Status: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } => "unauthorized",
        KubernetesApiException { Status: HttpStatusCode.NotFound } => "not-found",
        KubernetesApiException => "http-error",
        TimeoutException => "timeout",
        InvalidDataException => "malformed",
        HttpRequestException or IOException => "connection",
        _ => "other",
    };

    /// <summary>Waits before the next attempt; false when stopped meanwhile.</summary>
    private async Task<bool> Backoff(int failures, CancellationToken stop)
    {
        double max = _options.MaxBackoff.TotalMilliseconds;
        double delay = Math.Min(max, _options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20)));
        TimeSpan jittered = TimeSpan.FromMilliseconds((delay / 2) + (Random.Shared.NextDouble() * delay / 2)); // in [d/2, d]
        Stats.Backoff(failures, jittered);
        Stats.Count(ref Stats.WatchRestarts); // after the backoff's figures: a reader that sees the count sees them
        await Task.Delay(jittered, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return !stop.IsCancellationRequested;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Scope}: resourceVersion expired (410), listing again")]
    private static partial void LogGone(ILogger logger, string scope);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of {Scope}: skipped an event longer than {KiB} KiB (its ServiceEntry is unknown), listing again")]
    private static partial void LogOversized(ILogger logger, string scope, int kib);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kubernetes API ({Scope}): {Reason}: {Message}; keeping the last good table and retrying")]
    private static partial void LogFailure(ILogger logger, string scope, string reason, string message);
}
