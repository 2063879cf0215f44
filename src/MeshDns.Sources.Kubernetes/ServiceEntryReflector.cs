using System.Net;
using System.Text.Json;
using MeshDns.Table;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Kubernetes;

/// <summary>Turns one API object into the table's input; false with a one-line reason when it is unusable.</summary>
public delegate bool ServiceEntryDecoder(JsonElement item, out ServiceEntryInput? entry, out string id, out string? error);

/// <summary>Settings of the reflector; every wait and size is bounded.</summary>
public sealed record ReflectorOptions
{
    /// <summary>Namespaces to follow; empty means all namespaces.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>LIST page size (limit).</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>timeoutSeconds asked of the server for each WATCH; the stream is then renewed.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A watch that delivers nothing (not even a bookmark) for this long is dropped and renewed.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30);

    /// <summary>Per-request timeout of discovery and LIST pages.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Events within this window are coalesced into one table rebuild.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Longest watch event accepted.</summary>
    public int MaxEventBytes { get; init; } = 8 * 1024 * 1024;
}

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
    private const long MinimumQuietWatchMs = 1000;

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
        while (!stop.IsCancellationRequested)
        {
            try
            {
                Version ??= await ResolveVersion(stop).ConfigureAwait(false);
                if (mustList)
                {
                    await List(scope, stop).ConfigureAwait(false);
                    mustList = false;
                    failures = 0;
                }

                long started = Environment.TickCount64;
                WatchOutcome outcome = await Watch(scope, stop).ConfigureAwait(false);
                if (outcome == WatchOutcome.Gone)
                {
                    Stats.Count(ref Stats.Relists);
                    LogGone(_logger, scope.Display);
                    mustList = true;
                    continue;
                }

                if (outcome == WatchOutcome.Progress)
                {
                    failures = 0;
                }

                if (outcome == WatchOutcome.Progress || Environment.TickCount64 - started > MinimumQuietWatchMs)
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
                string reason = Reason(e);
                Stats.Error(reason);
                if (e is KubernetesApiException { Status: HttpStatusCode.NotFound })
                {
                    Version = null; // the version may have gone (CRD changed): discover again
                    mustList = true;
                }

                LogFailure(_logger, scope.Display, reason, e.Message);
            }

            failures++;
            Stats.Count(ref Stats.WatchRestarts);
            try
            {
                await Task.Delay(Backoff(failures), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Capped exponential backoff with jitter in [d/2, d].</summary>
    private TimeSpan Backoff(int failures)
    {
        double max = _options.MaxBackoff.TotalMilliseconds;
        double delay = Math.Min(max, _options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20)));
        return TimeSpan.FromMilliseconds((delay / 2) + (Random.Shared.NextDouble() * delay / 2));
    }

    /// <summary>v1 when served, else v1beta1, else v1alpha3: from discovery, or by trying LISTs when discovery fails.</summary>
    private async Task<string> ResolveVersion(CancellationToken stop)
    {
        using (var timeout = Timeout(stop))
        {
            using HttpResponseMessage response = await _api.GetAsync("apis/networking.istio.io", timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                using JsonDocument group = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false), default, timeout.Token).ConfigureAwait(false);
                var served = new HashSet<string>();
                if (group.RootElement.TryGetProperty("versions", out JsonElement versions) && versions.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement v in versions.EnumerateArray())
                    {
                        if (v.TryGetProperty("version", out JsonElement name) && name.ValueKind == JsonValueKind.String)
                        {
                            served.Add(name.GetString()!);
                        }
                    }
                }

                string? chosen = PreferredVersions.FirstOrDefault(served.Contains);
                if (chosen is not null)
                {
                    LogVersion(_logger, chosen);
                    return chosen;
                }

                throw new KubernetesApiException(HttpStatusCode.NotFound, "networking.istio.io serves none of v1, v1beta1, v1alpha3");
            }

            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new KubernetesApiException(HttpStatusCode.NotFound, "networking.istio.io is not served: are Istio's CRDs installed?");
            }
        }

        // Discovery refused (e.g. RBAC) or failing: ask for each version's list, newest first.
        foreach (string version in PreferredVersions)
        {
            using var timeout = Timeout(stop);
            using HttpResponseMessage probe = await _api.GetAsync($"{Path(version, _scopes[0].Namespace)}?limit=1", timeout.Token).ConfigureAwait(false);
            if (probe.IsSuccessStatusCode)
            {
                LogVersion(_logger, version);
                return version;
            }

            if (probe.StatusCode != HttpStatusCode.NotFound)
            {
                throw new KubernetesApiException(probe.StatusCode, $"discovery failed and listing {version} answered {(int)probe.StatusCode}");
            }
        }

        throw new KubernetesApiException(HttpStatusCode.NotFound, "no ServiceEntry version is served (tried v1, v1beta1, v1alpha3)");
    }

    private static string Path(string version, string? ns) =>
        ns is null
            ? $"apis/networking.istio.io/{version}/serviceentries"
            : $"apis/networking.istio.io/{version}/namespaces/{Uri.EscapeDataString(ns)}/serviceentries";

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
    }

    private async Task<WatchOutcome> Watch(Scope scope, CancellationToken stop)
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
            var reader = new NdjsonReader(body, _options.MaxEventBytes);
            bool progress = false;
            while (true)
            {
                ReadOnlyMemory<byte>? line;
                try
                {
                    line = await reader.ReadLineAsync(stall.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    throw new TimeoutException($"the watch stalled: nothing for {_options.StallTimeout.TotalSeconds:0} s");
                }

                if (line is null)
                {
                    return progress ? WatchOutcome.Progress : WatchOutcome.Ended;
                }

                stall.CancelAfter(_options.StallTimeout);
                if (Apply(scope, line.Value.Span))
                {
                    return WatchOutcome.Gone;
                }

                progress = true;
            }
        }
    }

    /// <summary>Applies one watch event; true when it says the resourceVersion is gone (410).</summary>
    private bool Apply(Scope scope, ReadOnlySpan<byte> line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("a watch event is not JSON: " + e.Message, e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            string? type = StringProperty(root, "type");
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("object", out JsonElement obj) || obj.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("a watch event has no object");
            }

            Stats.Count(ref Stats.Events);
            JsonElement metadata = obj.TryGetProperty("metadata", out JsonElement m) ? m : default;
            string? resourceVersion = StringProperty(metadata, "resourceVersion");
            switch (type)
            {
                case "ADDED":
                case "MODIFIED":
                    bool valid = Decode(obj, out ServiceEntryInput? entry, out string key);
                    lock (scope)
                    {
                        if (valid)
                        {
                            scope.Items[key] = entry!;
                        }

                        scope.ResourceVersion = resourceVersion ?? scope.ResourceVersion;
                    }

                    if (valid)
                    {
                        RequestPublish();
                    }

                    return false;
                case "DELETED":
                    string deleted = Key(StringProperty(metadata, "namespace"), StringProperty(metadata, "name"));
                    bool removed;
                    lock (scope)
                    {
                        removed = scope.Items.Remove(deleted);
                        scope.ResourceVersion = resourceVersion ?? scope.ResourceVersion;
                    }

                    if (removed)
                    {
                        RequestPublish();
                    }

                    return false;
                case "BOOKMARK":
                    lock (scope)
                    {
                        scope.ResourceVersion = resourceVersion ?? scope.ResourceVersion;
                    }

                    return false;
                case "ERROR":
                    int code = obj.TryGetProperty("code", out JsonElement c) && c.TryGetInt32(out int n) ? n : 0;
                    if (code == (int)HttpStatusCode.Gone)
                    {
                        return true;
                    }

                    throw new KubernetesApiException((HttpStatusCode)code, "watch error: " + (StringProperty(obj, "message") ?? "no message"));
                default:
                    throw new InvalidDataException($"unknown watch event type \"{type}\"");
            }
        }
    }

    /// <summary>Decodes an object; an unusable one is logged once per resourceVersion and skipped.</summary>
    private bool Decode(JsonElement item, out ServiceEntryInput? entry, out string key)
    {
        JsonElement metadata = item.TryGetProperty("metadata", out JsonElement m) ? m : default;
        key = Key(StringProperty(metadata, "namespace"), StringProperty(metadata, "name"));
        if (_decoder(item, out entry, out string id, out string? error))
        {
            return true;
        }

        Stats.Count(ref Stats.InvalidObjects);
        string marker = id + "@" + StringProperty(metadata, "resourceVersion");
        bool first;
        lock (_reportedInvalid)
        {
            first = _reportedInvalid.Add(marker);
        }

        if (first)
        {
            LogInvalid(_logger, id, error ?? "invalid");
        }

        return false;
    }

    private static string Key(string? ns, string? name) => $"{ns}/{name}";

    private static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static async Task EnsureSuccess(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string message = "";
        try
        {
            using JsonDocument status = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), default, cancellationToken).ConfigureAwait(false);
            message = StringProperty(status.RootElement, "message") ?? "";
        }
        catch (JsonException)
        {
            // not a Status object
        }

        throw new KubernetesApiException(response.StatusCode, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}{(message.Length > 0 ? ": " + message : "")}");
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

    private CancellationTokenSource Timeout(CancellationToken stop)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.RequestTimeout);
        return timeout;
    }

    private void RequestPublish()
    {
        if (HasSynced && Interlocked.Exchange(ref _publishPending, 1) == 0)
        {
            _publishSignal.Release();
        }
    }

    private async Task PublishLoop()
    {
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _publishSignal.WaitAsync(stop).ConfigureAwait(false);
                await Task.Delay(_options.Debounce, stop).ConfigureAwait(false); // let a burst gather
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Interlocked.Exchange(ref _publishPending, 0);
            PublishNow();
        }
    }

    private readonly Lock _publishGate = new();

    private void PublishNow()
    {
        lock (_publishGate)
        {
            var snapshot = new List<ServiceEntryInput>();
            foreach (Scope scope in _scopes)
            {
                lock (scope)
                {
                    snapshot.AddRange(scope.Items.Values);
                }
            }

            Stats.Count(ref Stats.Publishes);
            try
            {
                Changed?.Invoke(snapshot);
            }
            catch (Exception e)
            {
                LogPublishFailed(_logger, e);
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

    /// <summary>One followed namespace (or all of them) with its own store and resourceVersion.</summary>
    private sealed class Scope(string? ns)
    {
        public string? Namespace { get; } = ns;

        public string Display => Namespace is null ? "all namespaces" : $"namespace {Namespace}";

        public Dictionary<string, ServiceEntryInput> Items { get; set; } = new(StringComparer.Ordinal);

        public string? ResourceVersion { get; set; }

        public volatile bool Synced;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Using networking.istio.io/{Version} ServiceEntries")]
    private static partial void LogVersion(ILogger logger, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Count} ServiceEntries in {Scope} at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string scope, int count, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Scope}: resourceVersion expired (410), listing again")]
    private static partial void LogGone(ILogger logger, string scope);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kubernetes API ({Scope}): {Reason}: {Message}; keeping the last good table and retrying")]
    private static partial void LogFailure(ILogger logger, string scope, string reason, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ServiceEntry {Id} skipped: {Error}")]
    private static partial void LogInvalid(ILogger logger, string id, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing a snapshot failed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);
}

/// <summary>Counters of the reflector (read by metrics and tests).</summary>
public sealed class ReflectorStats
{
    private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);

    public long Lists;
    public long Relists;
    public long Watches;
    public long WatchRestarts;
    public long Events;
    public long InvalidObjects;
    public long Publishes;

    public IReadOnlyDictionary<string, long> Errors
    {
        get
        {
            lock (_errors)
            {
                return new Dictionary<string, long>(_errors);
            }
        }
    }

    internal void Count(ref long counter) => Interlocked.Increment(ref counter);

    internal void Error(string reason)
    {
        lock (_errors)
        {
            _errors[reason] = _errors.GetValueOrDefault(reason) + 1;
        }
    }
}
