using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MeshDns.Kubernetes.Tests.ApiServer;

/// <summary>
/// An in-process Kubernetes API server for <c>serviceentries.networking.istio.io</c>: real HTTP (Kestrel) on
/// 127.0.0.1 at an ephemeral port, with discovery, LIST (consistent snapshots, limit/continue paging), GET,
/// WATCH (newline-delimited JSON events, bookmarks, timeoutSeconds), compaction (410 Expired), bearer-token
/// authentication, optional TLS, and fault switches that can be flipped while clients are connected.
/// </summary>
/// <remarks>
/// The store keeps one global, monotonically increasing resourceVersion (like etcd's revision); every write
/// (<see cref="Create"/>, <see cref="Update"/>, <see cref="Delete"/>, the Raw variants) bumps it by one and
/// appends one event to the event log that watches replay and follow. Objects are served under the version of
/// the request path (<c>apiVersion: networking.istio.io/&lt;v&gt;</c>); the stored form is version-agnostic.
/// Writes go through the C# methods only; the HTTP API is read-only (GET), other methods answer 405.
/// </remarks>
public sealed partial class FakeKubeApiServer : IAsyncDisposable
{
    /// <summary>The API group.</summary>
    public const string Group = "networking.istio.io";

    /// <summary>The resource (plural) name.</summary>
    public const string Resource = "serviceentries";

    /// <summary>The kind of the objects.</summary>
    public const string Kind = "ServiceEntry";

    /// <summary>The kind of LIST responses.</summary>
    public const string ListKind = "ServiceEntryList";

    private readonly FakeKubeApiOptions _options;
    private readonly object _gate = new();

    // Store, all guarded by _gate. Keys are "namespace/name", ordered like etcd keys.
    private readonly SortedDictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private (long Rv, string? Ns, long StoreRv, List<StoredObject> Items)? _lastSnapshot;
    private readonly List<StoredEvent> _events = [];
    private long _resourceVersion;
    private long _compactedResourceVersion;
    private TaskCompletionSource _changed = NewSignal();

    // Fault switches, guarded by _gate.
    private string[] _servedVersions;
    private readonly Queue<string> _malformedLines = new();
    private int _dropWatchesAfterEvents = -1;
    private bool _stallWatches;
    private int _failCount;
    private int _failStatusCode;
    private FakeRequestKind? _failKind;
    private int _expireNextWatches;
    private bool _expiredWatchesAsHttpStatus;

    // Observability.
    private readonly ConcurrentQueue<RequestLogEntry> _requestLog = new();
    private readonly ConcurrentDictionary<long, ActiveWatch> _activeWatches = new();
    private long _nextWatchId;
    private int _listRequests;
    private int _watchRequests;
    private int _openWatches;

    private readonly CancellationTokenSource _shutdown = new();
    private readonly X509Certificate2? _caCertificate;
    private readonly X509Certificate2? _serverCertificate;
    private WebApplication? _app;
    private int _disposed;

    private FakeKubeApiServer(FakeKubeApiOptions options)
    {
        _options = options;
        _servedVersions = [.. options.ServedVersions];
        _resourceVersion = options.InitialResourceVersion;
        _compactedResourceVersion = options.InitialResourceVersion;
        if (options.UseTls)
        {
            (_caCertificate, _serverCertificate) = FakeKubeCertificates.Create();
            CaCertificatePem = _caCertificate.ExportCertificatePem();
        }
    }

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:40123/</c> (https when <see cref="FakeKubeApiOptions.UseTls"/>).</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The options the server was started with.</summary>
    public FakeKubeApiOptions Options => _options;

    /// <summary>The PEM of the CA that issued the server certificate; null without TLS.</summary>
    public string? CaCertificatePem { get; }

    /// <summary>Starts a server on 127.0.0.1 at an ephemeral port.</summary>
    public static async Task<FakeKubeApiServer> StartAsync(FakeKubeApiOptions? options = null)
    {
        options ??= new FakeKubeApiOptions();
        if (options.BookmarkInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "BookmarkInterval must be positive");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.InitialResourceVersion);
        ArgumentNullException.ThrowIfNull(options.ServedVersions);

        var server = new FakeKubeApiServer(options);
        try
        {
            await server.StartCoreAsync().ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    private async Task StartCoreAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (_serverCertificate is not null)
                {
                    listen.UseHttps(_serverCertificate);
                }
            });
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(3));

        WebApplication app = builder.Build();
        app.Run(HandleAsync);
        _app = app;
        await app.StartAsync().ConfigureAwait(false);

        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>Ends all watches gracefully and stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        if (_app is not null)
        {
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Requests still running after the timeout were aborted by Kestrel.
            }

            await _app.DisposeAsync().ConfigureAwait(false);
        }

        // _shutdown is not disposed: a straggling handler may still link to its token.
        _serverCertificate?.Dispose();
        _caCertificate?.Dispose();
    }

    /// <summary>Writes a kubeconfig for this server (its URL, token and CA) to <paramref name="path"/>.</summary>
    public void WriteKubeconfig(string path, string? ns = null, string contextName = "test") =>
        KubeconfigWriter.Write(path, BaseUri, _options.Token, CaCertificatePem, insecureSkipTlsVerify: false, contextName, ns);

    // ------------------------------------------------------------------------------------------------
    // Store
    // ------------------------------------------------------------------------------------------------

    /// <summary>
    /// Creates a ServiceEntry with the given spec (and status). Returns its resourceVersion. Throws
    /// <see cref="InvalidOperationException"/> when it exists already.
    /// </summary>
    public string Create(string ns, string name, JsonObject spec, JsonObject? status = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Write(WatchEventType.Added, ns, name, Body(spec, status));
    }

    /// <summary>
    /// Creates a ServiceEntry from a raw JSON object, served as given except that kind and the metadata fields
    /// name, namespace, uid, resourceVersion, generation and creationTimestamp are set (other metadata such as
    /// labels is kept) and apiVersion follows the request. Use it for wrong shapes, e.g.
    /// <c>{"spec":{"hosts":"not-a-list"}}</c>.
    /// </summary>
    public string CreateRaw(string ns, string name, string rawJsonObject) =>
        Write(WatchEventType.Added, ns, name, ParseRaw(rawJsonObject));

    /// <summary>
    /// Replaces the spec and status of a ServiceEntry (a null status removes it). generation is bumped when the
    /// spec changed. Unlike Kubernetes, an update that changes nothing still bumps the resourceVersion and
    /// emits MODIFIED. Returns the new resourceVersion; throws <see cref="KeyNotFoundException"/> when absent.
    /// </summary>
    public string Update(string ns, string name, JsonObject spec, JsonObject? status = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Write(WatchEventType.Modified, ns, name, Body(spec, status));
    }

    /// <summary>
    /// Deletes a ServiceEntry. The DELETED event carries its last state with a new resourceVersion, which is
    /// returned. Throws <see cref="KeyNotFoundException"/> when absent.
    /// </summary>
    public string Delete(string ns, string name) => Write(WatchEventType.Deleted, ns, name, null);

    /// <summary>The store's current (latest) resourceVersion.</summary>
    public string CurrentResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion.ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>
    /// Forgets history before the current resourceVersion, like an etcd compaction: a WATCH from an older
    /// resourceVersion gets 410 Expired (an ERROR event) and a continue token of an older LIST snapshot gets
    /// 410. Watches already open keep streaming (the real API server's watch cache does the same).
    /// </summary>
    public void Compact()
    {
        lock (_gate)
        {
            _compactedResourceVersion = _resourceVersion;
        }
    }

    private string Write(WatchEventType type, string ns, string name, JsonObject? body)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentException.ThrowIfNullOrEmpty(name);
        string key = Key(ns, name);
        lock (_gate)
        {
            _objects.TryGetValue(key, out StoredObject? previous);
            if (type == WatchEventType.Added && previous is not null)
            {
                throw new InvalidOperationException($"{Resource}.{Group} \"{name}\" already exists in namespace {ns}");
            }

            if (type != WatchEventType.Added && previous is null)
            {
                throw new KeyNotFoundException($"{Resource}.{Group} \"{name}\" not found in namespace {ns}");
            }

            long rv = ++_resourceVersion;
            StoredObject? next;
            string eventJson;
            switch (type)
            {
                case WatchEventType.Added:
                    next = Compose(ns, name, body!, rv, Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), 1);
                    eventJson = next.Json;
                    break;
                case WatchEventType.Modified:
                    JsonNode? oldSpec = JsonNode.Parse(previous!.Json)!["spec"];
                    bool specChanged = !JsonNode.DeepEquals(oldSpec, body!["spec"]);
                    next = Compose(ns, name, body!, rv, previous.Uid, previous.CreationTimestamp, previous.Generation + (specChanged ? 1 : 0));
                    eventJson = next.Json;
                    break;
                default:
                    JsonObject last = JsonNode.Parse(previous!.Json)!.AsObject();
                    last["metadata"]!["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
                    eventJson = last.ToJsonString();
                    next = null;
                    break;
            }

            if (next is null)
            {
                _objects.Remove(key);
            }
            else
            {
                _objects[key] = next;
            }

            _events.Add(new StoredEvent(type, rv, ns, name, eventJson, previous));
            PulseLocked();
            return rv.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static JsonObject Body(JsonObject spec, JsonObject? status)
    {
        var body = new JsonObject { ["spec"] = spec.DeepClone() };
        if (status is not null)
        {
            body["status"] = status.DeepClone();
        }

        return body;
    }

    private static JsonObject ParseRaw(string rawJsonObject)
    {
        ArgumentNullException.ThrowIfNull(rawJsonObject);
        return JsonNode.Parse(rawJsonObject) as JsonObject
            ?? throw new ArgumentException("the raw object must be a JSON object", nameof(rawJsonObject));
    }

    /// <summary>The stored form: kind, metadata, then the body's other fields; no apiVersion (added when served).</summary>
    private static StoredObject Compose(string ns, string name, JsonObject body, long rv, string uid, string created, long generation)
    {
        var metadata = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["uid"] = uid,
            ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture),
            ["generation"] = generation,
            ["creationTimestamp"] = created,
        };
        if (body["metadata"] is JsonObject given)
        {
            foreach ((string field, JsonNode? value) in given)
            {
                if (!metadata.ContainsKey(field))
                {
                    metadata[field] = value?.DeepClone();
                }
            }
        }

        var stored = new JsonObject { ["kind"] = Kind, ["metadata"] = metadata };
        foreach ((string field, JsonNode? value) in body)
        {
            if (field is not ("apiVersion" or "kind" or "metadata"))
            {
                stored[field] = value?.DeepClone();
            }
        }

        return new StoredObject(ns, name, rv, uid, created, generation, stored.ToJsonString());
    }

    /// <summary>The store as it was at <paramref name="rv"/> (which must not be compacted), in key order.</summary>
    private List<StoredObject> SnapshotLocked(long rv, string? ns)
    {
        // The pages of one paged LIST ask for the same snapshot: made once, not once per page (O(n²) for big lists).
        if (_lastSnapshot is { } last && last.Rv == rv && last.Ns == ns && last.StoreRv == _resourceVersion)
        {
            return last.Items;
        }

        List<StoredObject> items = MakeSnapshotLocked(rv, ns);
        _lastSnapshot = (rv, ns, _resourceVersion, items);
        return items;
    }

    private List<StoredObject> MakeSnapshotLocked(long rv, string? ns)
    {
        IEnumerable<KeyValuePair<string, StoredObject>> state = _objects;
        if (rv < _resourceVersion)
        {
            var rolledBack = new SortedDictionary<string, StoredObject>(_objects, StringComparer.Ordinal);
            for (int i = _events.Count - 1; i >= 0 && _events[i].ResourceVersion > rv; i--)
            {
                StoredEvent e = _events[i];
                if (e.Previous is null)
                {
                    rolledBack.Remove(Key(e.Namespace, e.Name));
                }
                else
                {
                    rolledBack[Key(e.Namespace, e.Name)] = e.Previous;
                }
            }

            state = rolledBack;
        }

        return [.. state.Select(pair => pair.Value).Where(o => ns is null || o.Namespace == ns)];
    }

    /// <summary>Index of the first event with a resourceVersion above <paramref name="rv"/>.</summary>
    private int FirstEventAfterLocked(long rv)
    {
        int low = 0, high = _events.Count;
        while (low < high)
        {
            int mid = (low + high) / 2;
            if (_events[mid].ResourceVersion <= rv)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private void PulseLocked()
    {
        TaskCompletionSource old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string Key(string ns, string name) => ns + "/" + name;

    /// <summary>The stored JSON with apiVersion of <paramref name="version"/> put first.</summary>
    private static string Serve(string storedJson, string version) =>
        "{\"apiVersion\":\"" + Group + "/" + version + "\"," + storedJson[1..];

    // ------------------------------------------------------------------------------------------------
    // Fault injection
    // ------------------------------------------------------------------------------------------------

    /// <summary>
    /// From now on, every watch stream is cut abruptly (connection aborted, no terminating chunk) once it has
    /// delivered <paramref name="n"/> ADDED/MODIFIED/DELETED events, counted from the start of the stream (bookmarks
    /// and raw lines do not count). 0 cuts every watch right after its headers. A negative value turns it off.
    /// </summary>
    public void DropWatchesAfterEvents(int n)
    {
        lock (_gate)
        {
            _dropWatchesAfterEvents = n < 0 ? -1 : n;
            PulseLocked();
        }
    }

    /// <summary>Aborts every watch connection open now (new watches are not affected).</summary>
    public void DropAllWatches()
    {
        foreach (ActiveWatch watch in _activeWatches.Values)
        {
            watch.Drop();
        }
    }

    /// <summary>
    /// While on, watch streams stay open but send nothing: no events, no bookmarks, no raw lines, and they do
    /// not close at timeoutSeconds either (a silent black hole). New watches get their headers, then silence.
    /// Events written meanwhile are delivered when it is turned off. Lists and other requests are unaffected.
    /// </summary>
    public void StallWatches(bool stalled)
    {
        lock (_gate)
        {
            _stallWatches = stalled;
            PulseLocked();
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> requests (of <paramref name="kind"/> only, when given) fail with
    /// <paramref name="statusCode"/> and a Kubernetes Status body (429 also carries Retry-After: 1). Counted
    /// before authentication. Replaces any failure still pending; count 0 cancels.
    /// </summary>
    public void FailNextRequests(int count, int statusCode, FakeRequestKind? kind = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        lock (_gate)
        {
            _failCount = count;
            _failStatusCode = statusCode;
            _failKind = kind;
        }
    }

    /// <summary>
    /// Writes <paramref name="rawLine"/> (a newline is added) into the next watch stream that gets to it, before
    /// any event that follows; e.g. <c>{"type":"ADDED","object":{</c>. The stream then goes on normally. Several
    /// calls queue several lines; a line waits for a watch when none is open.
    /// </summary>
    public void MalformedNextEvent(string rawLine)
    {
        ArgumentNullException.ThrowIfNull(rawLine);
        lock (_gate)
        {
            _malformedLines.Enqueue(rawLine);
            PulseLocked();
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> watch requests are answered as if their resourceVersion were compacted
    /// (410 Expired, as an ERROR event or as HTTP 410 per <see cref="ExpiredWatchesAsHttpStatus"/>), whatever
    /// resourceVersion they asked for.
    /// </summary>
    public void ExpireNextWatches(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            _expireNextWatches = count;
        }
    }

    /// <summary>
    /// Off (the default, like the real API server): a watch from a compacted resourceVersion gets 200 and a
    /// single ERROR event with a 410 Status, then the stream ends. On: the watch request itself answers HTTP
    /// 410 with the Status as body.
    /// </summary>
    public void ExpiredWatchesAsHttpStatus(bool enabled)
    {
        lock (_gate)
        {
            _expiredWatchesAsHttpStatus = enabled;
        }
    }

    /// <summary>Changes the served versions (first = preferred); paths of other versions answer 404 from now on. Open watches are not cut.</summary>
    public void SetServedVersions(params string[] versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        lock (_gate)
        {
            _servedVersions = [.. versions];
        }
    }

    /// <summary>Turns every fault switch off and clears queued raw lines (served versions are left as they are).</summary>
    public void ResetFaults()
    {
        lock (_gate)
        {
            _dropWatchesAfterEvents = -1;
            _stallWatches = false;
            _failCount = 0;
            _expireNextWatches = 0;
            _expiredWatchesAsHttpStatus = false;
            _malformedLines.Clear();
            PulseLocked();
        }
    }

    private bool TryTakeFailure(FakeRequestKind kind, out int statusCode)
    {
        lock (_gate)
        {
            statusCode = _failStatusCode;
            if (_failCount > 0 && (_failKind is null || _failKind == kind))
            {
                _failCount--;
                return true;
            }

            return false;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Observability
    // ------------------------------------------------------------------------------------------------

    /// <summary>Every request so far, in the order their status was decided.</summary>
    public IReadOnlyList<RequestLogEntry> RequestLog => [.. _requestLog];

    /// <summary>LIST requests received (including those failed by faults or authentication).</summary>
    public int ListRequests => Volatile.Read(ref _listRequests);

    /// <summary>WATCH requests received (including those failed by faults or authentication).</summary>
    public int WatchRequests => Volatile.Read(ref _watchRequests);

    /// <summary>Watch streams open now.</summary>
    public int OpenWatches => Volatile.Read(ref _openWatches);

    /// <summary>Waits (bounded) until at least <paramref name="count"/> watch streams are open.</summary>
    public Task WaitForOpenWatchesAsync(int count, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => OpenWatches >= count, timeout ?? TimeSpan.FromSeconds(10), $"{count} open watch(es)");

    /// <summary>
    /// Polls <paramref name="condition"/> (every 10 ms, or every <paramref name="interval"/> for costly checks)
    /// until it holds; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// </summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what = "condition", TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {timeout} waiting for {what}");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(10)).ConfigureAwait(false);
        }
    }

    private void Log(HttpContext context, FakeRequestKind kind, int statusCode)
    {
        string target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget
            ?? context.Request.Path + context.Request.QueryString;
        string authorization = context.Request.Headers.Authorization.ToString();
        _requestLog.Enqueue(new RequestLogEntry(
            DateTimeOffset.UtcNow,
            context.Request.Method,
            target,
            authorization.Length == 0 ? null : authorization,
            statusCode,
            kind));
    }

    private enum WatchEventType
    {
        Added,
        Modified,
        Deleted,
    }

    private static string TypeName(WatchEventType type) => type switch
    {
        WatchEventType.Added => "ADDED",
        WatchEventType.Modified => "MODIFIED",
        _ => "DELETED",
    };

    /// <summary>An object as stored: JSON starting with <c>{"kind":</c>, without apiVersion.</summary>
    private sealed record StoredObject(string Namespace, string Name, long ResourceVersion, string Uid, string CreationTimestamp, long Generation, string Json);

    /// <summary>One write. <see cref="Previous"/> is the state before it (null for ADDED), used to roll snapshots back.</summary>
    private sealed record StoredEvent(WatchEventType Type, long ResourceVersion, string Namespace, string Name, string Json, StoredObject? Previous);

    private sealed class ActiveWatch
    {
        private readonly CancellationTokenSource _drop = new();

        public CancellationToken DropToken => _drop.Token;

        public bool DropRequested => _drop.IsCancellationRequested;

        public void Drop() => _drop.Cancel();
    }
}
