using MeshDns.Models;
using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Unicode;
using System.Text.Json;
using MeshDns.Models.Json;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Kubernetes;

/// <summary>LIST and WATCH over HTTP: version discovery (newest served first), paged LIST, and the WATCH stream read as
/// bounded NDJSON lines with a stall timeout.</summary>
/// <param name="resource">What to follow; ServiceEntries when null.</param>
public sealed partial class HttpListerWatcher(KubernetesApi api, ReflectorOptions options, ReflectorStats stats, ILogger logger, ApiResource? resource = null) : IListerWatcher
{
    private readonly ApiResource _resource = resource ?? ApiResource.ServiceEntries;

    public string? Version { get; private set; }

    public async Task<string> ListAsync(string? ns, IListSink sink, CancellationToken cancellationToken)
    {
        string path = Path(await EnsureVersion(ns, cancellationToken).ConfigureAwait(false), ns);
        stats.Count(ref stats.Lists);
        string? continueToken = null;
        while (true)
        {
            string query = $"?limit={options.PageSize}{_resource.SelectorQuery}" + (continueToken is null ? "" : "&continue=" + Uri.EscapeDataString(continueToken));
            using var timeout = Timeout(cancellationToken);
            using HttpResponseMessage response = await api.GetAsync(path + query, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Gone && continueToken is not null)
            {
                // The snapshot behind the continue token was compacted: start the LIST again.
                stats.Count(ref stats.Relists);
                sink.Restart();
                continueToken = null;
                continue;
            }

            using JsonDocument page = await ReadJson(response, timeout.Token).ConfigureAwait(false);
            JsonElement root = page.RootElement;
            if (root.TryGetProperty("items", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in list.EnumerateArray())
                {
                    sink.Add(item);
                }
            }

            JsonElement metadata = ServiceEntryJson.Metadata(root);
            string resourceVersion = ServiceEntryJson.StringProperty(metadata, "resourceVersion") ?? throw new InvalidDataException("the LIST has no metadata.resourceVersion");
            continueToken = ServiceEntryJson.StringProperty(metadata, "continue");
            if (string.IsNullOrEmpty(continueToken))
            {
                return resourceVersion;
            }
        }
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string? ns, string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string path = Path(await EnsureVersion(ns, cancellationToken).ConfigureAwait(false), ns);
        int seconds = (int)Math.Max(1, options.WatchTimeout.TotalSeconds);
        string query = $"?watch=1&allowWatchBookmarks=true&timeoutSeconds={seconds}&resourceVersion={Uri.EscapeDataString(resourceVersion)}{_resource.SelectorQuery}";
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(options.StallTimeout);
        using HttpResponseMessage response = await Unstalled(new ValueTask<HttpResponseMessage>(api.GetAsync(path + query, stall.Token)), cancellationToken, "the watch request got no answer").ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Gone)
        {
            yield return new WatchEvent(WatchEvent.Expired, default);
            yield break;
        }

        await EnsureSuccess(response, stall.Token).ConfigureAwait(false);
        yield return new WatchEvent(WatchEvent.Opened, default);
        await foreach (WatchEvent e in ReadEvents(await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false), stall, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <summary>The watch stream's NDJSON lines, each at most MaxEventBytes; the stall timeout restarts with each line.</summary>
    private async IAsyncEnumerable<WatchEvent> ReadEvents(Stream stream, CancellationTokenSource stall, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        PipeReader body = PipeReader.Create(stream);
        string stalled = $"the watch stalled: nothing for {options.StallTimeout.TotalSeconds:0} s";
        long searched = 0; // bytes of a partial line already known to hold no newline
        try
        {
            while (true)
            {
                ReadResult read = await Unstalled(body.ReadAsync(stall.Token), cancellationToken, stalled).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                SequencePosition? newline = buffer.Slice(searched).PositionOf((byte)'\n');
                ReadOnlySequence<byte> line = newline is null ? buffer : buffer.Slice(0, newline.Value);
                if (line.Length > options.MaxEventBytes)
                {
                    yield return new WatchEvent(WatchEvent.Oversized, default); // that object is unknown now
                    yield break;
                }

                if (newline is null)
                {
                    if (read.IsCompleted)
                    {
                        yield break;
                    }

                    searched = buffer.Length;
                    body.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                searched = 0;
                WatchEvent? e = Parse(line);
                body.AdvanceTo(buffer.GetPosition(1, newline.Value));
                stall.CancelAfter(options.StallTimeout);
                if (e is { } delivered)
                {
                    yield return delivered;
                }
            }
        }
        finally
        {
            await body.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Awaits a step of the watch; the stall timeout becomes a <see cref="TimeoutException"/>.</summary>
    private static async ValueTask<T> Unstalled<T>(ValueTask<T> step, CancellationToken stop, string message)
    {
        try
        {
            return await step.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            throw new TimeoutException(message);
        }
    }

    /// <summary>One event line: its type and its object (a copy that outlives the line); null for a blank line.</summary>
    private static WatchEvent? Parse(ReadOnlySequence<byte> line)
    {
        if (line.Length == 0 || (line.Length == 1 && line.FirstSpan[0] == '\r'))
        {
            return null;
        }

        if (!Utf8.IsValid(line.IsSingleSegment ? line.FirstSpan : line.ToArray()))
        {
            throw new InvalidDataException("a watch event is not UTF-8"); // JsonDocument would only notice when a string is read
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("object", out JsonElement obj) && obj.ValueKind == JsonValueKind.Object
                ? new WatchEvent(ServiceEntryJson.StringProperty(root, "type") ?? "", obj.Clone())
                : throw new InvalidDataException("a watch event has no object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("a watch event is not JSON: " + e.Message, e);
        }
    }

    /// <summary>From discovery, or by trying LISTs newest first when discovery is refused (e.g. RBAC) or failing.</summary>
    private async Task<string> EnsureVersion(string? ns, CancellationToken stop)
    {
        if (Version is { } known)
        {
            return known;
        }

        if (_resource.Group is null)
        {
            return Version = _resource.Versions[0]; // the core API needs no discovery
        }

        string version = await Discover(_resource.Group, stop).ConfigureAwait(false) ?? await Probe(ns, stop).ConfigureAwait(false);
        LogVersion(logger, _resource.Group, version);
        return Version = version;
    }

    private async Task<string?> Discover(string group, CancellationToken stop)
    {
        using var timeout = Timeout(stop);
        using HttpResponseMessage response = await api.GetAsync("apis/" + group, timeout.Token).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new KubernetesApiException(HttpStatusCode.NotFound, $"{group} is not served: are Istio's CRDs installed?");
        }

        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using JsonDocument document = await ReadJson(response, timeout.Token).ConfigureAwait(false);
        HashSet<string?> served = document.RootElement.TryGetProperty("versions", out JsonElement versions) && versions.ValueKind == JsonValueKind.Array
            ? [.. versions.EnumerateArray().Select(v => ServiceEntryJson.StringProperty(v, "version"))]
            : [];
        return _resource.Versions.FirstOrDefault(served.Contains)
            ?? throw new KubernetesApiException(HttpStatusCode.NotFound, $"{group} serves none of {string.Join(", ", _resource.Versions)}");
    }

    private async Task<string> Probe(string? ns, CancellationToken stop)
    {
        foreach (string version in _resource.Versions)
        {
            using var timeout = Timeout(stop);
            using HttpResponseMessage probe = await api.GetAsync($"{Path(version, ns)}?limit=1{_resource.SelectorQuery}", timeout.Token).ConfigureAwait(false);
            if (probe.IsSuccessStatusCode)
            {
                return version;
            }

            if (probe.StatusCode != HttpStatusCode.NotFound)
            {
                throw new KubernetesApiException(probe.StatusCode, $"discovery failed and listing {version} answered {(int)probe.StatusCode}");
            }
        }

        throw new KubernetesApiException(HttpStatusCode.NotFound, $"no version of {_resource.Name} is served (tried {string.Join(", ", _resource.Versions)})");
    }

    private string Path(string version, string? ns) => _resource.Path(version, ns);

    private async Task<JsonDocument> ReadJson(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccess(response, cancellationToken).ConfigureAwait(false);
        return await ParseBody(response, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<JsonDocument> ParseBody(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), default, cancellationToken).ConfigureAwait(false);

    /// <summary>Throws for an error status with the server's Status message; after a 404 the next request runs discovery again (the CRD may have changed).</summary>
    private async Task EnsureSuccess(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        Version = response.StatusCode == HttpStatusCode.NotFound ? null : Version;
        string? message = null;
        try
        {
            using JsonDocument status = await ParseBody(response, cancellationToken).ConfigureAwait(false);
            message = ServiceEntryJson.StringProperty(status.RootElement, "message");
        }
        catch (JsonException)
        {
            // not a Status object
        }

        throw new KubernetesApiException(response.StatusCode, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}{(string.IsNullOrEmpty(message) ? "" : ": " + message)}");
    }

    private CancellationTokenSource Timeout(CancellationToken stop)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(options.RequestTimeout);
        return timeout;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Using {Group}/{Version} ServiceEntries")]
    private static partial void LogVersion(ILogger logger, string group, string version);
}
