using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MeshDns.Models.Json;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Kubernetes;

/// <summary>
/// LIST and WATCH over the API server's HTTP: version discovery (v1, else v1beta1, else v1alpha3), paged LIST,
/// and the WATCH stream read as bounded NDJSON lines with a stall timeout.
/// </summary>
public sealed partial class HttpListerWatcher(KubernetesApi api, ReflectorOptions options, ReflectorStats stats, ILogger logger) : IListerWatcher
{
    public string? Version { get; private set; }

    public async Task<ListResult> ListAsync(string? ns, CancellationToken cancellationToken)
    {
        string path = Path(await EnsureVersion(ns, cancellationToken).ConfigureAwait(false), ns);
        stats.Count(ref stats.Lists);
        var items = new List<JsonElement>();
        string? continueToken = null;
        while (true)
        {
            string query = $"?limit={options.PageSize}" + (continueToken is null ? "" : "&continue=" + Uri.EscapeDataString(continueToken));
            using var timeout = Timeout(cancellationToken);
            using HttpResponseMessage response = await api.GetAsync(path + query, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Gone && continueToken is not null)
            {
                // The snapshot behind the continue token was compacted: start the LIST again.
                stats.Count(ref stats.Relists);
                items.Clear();
                continueToken = null;
                continue;
            }

            using JsonDocument page = await ReadJson(response, timeout.Token).ConfigureAwait(false);
            JsonElement root = page.RootElement;
            if (root.TryGetProperty("items", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
            {
                items.AddRange(list.Clone().EnumerateArray()); // one copy per page outlives the page
            }

            JsonElement metadata = root.TryGetProperty("metadata", out JsonElement m) ? m : default;
            string resourceVersion = StringProperty(metadata, "resourceVersion") ?? throw new InvalidDataException("the LIST has no metadata.resourceVersion");
            continueToken = StringProperty(metadata, "continue");
            if (string.IsNullOrEmpty(continueToken))
            {
                return new ListResult(items, resourceVersion);
            }
        }
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string? ns, string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string path = Path(await EnsureVersion(ns, cancellationToken).ConfigureAwait(false), ns);
        int seconds = (int)Math.Max(1, options.WatchTimeout.TotalSeconds);
        string query = $"?watch=1&allowWatchBookmarks=true&timeoutSeconds={seconds}&resourceVersion={Uri.EscapeDataString(resourceVersion)}";
        stats.Count(ref stats.Watches);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(options.StallTimeout);
        HttpResponseMessage response;
        try
        {
            response = await api.GetAsync(path + query, stall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("the watch request got no answer");
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.Gone)
            {
                yield return new WatchEvent(WatchEvent.Expired, default);
                yield break;
            }

            await EnsureSuccess(response, stall.Token).ConfigureAwait(false);
            var reader = new NdjsonReader(await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false), options.MaxEventBytes);
            yield return new WatchEvent(WatchEvent.Opened, default);
            while (true)
            {
                (NdjsonRead kind, ReadOnlyMemory<byte> line) = await ReadLine(reader, stall, cancellationToken).ConfigureAwait(false);
                if (kind != NdjsonRead.Line)
                {
                    if (kind == NdjsonRead.Oversized)
                    {
                        yield return new WatchEvent(WatchEvent.Oversized, default);
                    }

                    yield break;
                }

                stall.CancelAfter(options.StallTimeout);
                yield return Parse(line.Span);
            }
        }
    }

    private async Task<(NdjsonRead Kind, ReadOnlyMemory<byte> Line)> ReadLine(NdjsonReader reader, CancellationTokenSource stall, CancellationToken stop)
    {
        try
        {
            return await reader.ReadLineAsync(stall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            throw new TimeoutException($"the watch stalled: nothing for {options.StallTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>One event line: its type and its object (a copy that outlives the line).</summary>
    private static WatchEvent Parse(ReadOnlySpan<byte> line)
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
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("object", out JsonElement obj) || obj.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("a watch event has no object");
            }

            return new WatchEvent(StringProperty(root, "type") ?? "", obj.Clone());
        }
    }

    /// <summary>From discovery, or by trying LISTs newest first when discovery is refused (e.g. RBAC) or failing.</summary>
    private async Task<string> EnsureVersion(string? ns, CancellationToken stop)
    {
        if (Version is { } known)
        {
            return known;
        }

        string version = await Discover(stop).ConfigureAwait(false) ?? await Probe(ns, stop).ConfigureAwait(false);
        LogVersion(logger, version);
        return Version = version;
    }

    private async Task<string?> Discover(CancellationToken stop)
    {
        using var timeout = Timeout(stop);
        using HttpResponseMessage response = await api.GetAsync("apis/" + ServiceEntryJson.Group, timeout.Token).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new KubernetesApiException(HttpStatusCode.NotFound, $"{ServiceEntryJson.Group} is not served: are Istio's CRDs installed?");
        }

        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using JsonDocument group = await ReadJson(response, timeout.Token).ConfigureAwait(false);
        var served = new HashSet<string>();
        if (group.RootElement.TryGetProperty("versions", out JsonElement versions) && versions.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement v in versions.EnumerateArray())
            {
                served.Add(StringProperty(v, "version") ?? "");
            }
        }

        return ServiceEntryJson.Versions.FirstOrDefault(served.Contains)
            ?? throw new KubernetesApiException(HttpStatusCode.NotFound, $"{ServiceEntryJson.Group} serves none of {string.Join(", ", ServiceEntryJson.Versions)}");
    }

    private async Task<string> Probe(string? ns, CancellationToken stop)
    {
        foreach (string version in ServiceEntryJson.Versions)
        {
            using var timeout = Timeout(stop);
            using HttpResponseMessage probe = await api.GetAsync($"{Path(version, ns)}?limit=1", timeout.Token).ConfigureAwait(false);
            if (probe.IsSuccessStatusCode)
            {
                return version;
            }

            if (probe.StatusCode != HttpStatusCode.NotFound)
            {
                throw new KubernetesApiException(probe.StatusCode, $"discovery failed and listing {version} answered {(int)probe.StatusCode}");
            }
        }

        throw new KubernetesApiException(HttpStatusCode.NotFound, $"no ServiceEntry version is served (tried {string.Join(", ", ServiceEntryJson.Versions)})");
    }

    private static string Path(string version, string? ns) =>
        ns is null
            ? $"apis/{ServiceEntryJson.Group}/{version}/serviceentries"
            : $"apis/{ServiceEntryJson.Group}/{version}/namespaces/{Uri.EscapeDataString(ns)}/serviceentries";

    private async Task<JsonDocument> ReadJson(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccess(response, cancellationToken).ConfigureAwait(false);
        Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonDocument.ParseAsync(body, default, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Throws for an error status with the server's Status message; a 404 sends the next request through discovery again (the CRD may have changed).</summary>
    private async Task EnsureSuccess(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            Version = null;
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

    private CancellationTokenSource Timeout(CancellationToken stop)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(options.RequestTimeout);
        return timeout;
    }

    internal static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Using networking.istio.io/{Version} ServiceEntries")]
    private static partial void LogVersion(ILogger logger, string version);
}
