using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MeshDns.Kubernetes.Tests.ApiServer;

public sealed partial class FakeKubeApiServer
{
    /// <summary>WATCH of one namespace's Secrets through a label selector: from resourceVersion (0: the matching state as
    /// ADDED first; compacted, or <see cref="ExpireNextWatches"/>: an ERROR 410 event), with bookmarks and timeoutSeconds; cut by <see cref="DropAllWatches"/>.</summary>
    private async Task SecretWatchAsync(HttpContext context, string ns, StrongBox<bool> logged)
    {
        IQueryCollection query = context.Request.Query;
        if (!LabelSelector.TryParse(query["labelSelector"].ToString(), out LabelSelector? selector)
            || !long.TryParse(query["resourceVersion"].ToString() is { Length: > 0 } v ? v : "0", NumberStyles.None, CultureInfo.InvariantCulture, out long cursor))
        {
            await WriteStatusAsync(context, 400, "BadRequest", "invalid labelSelector or resourceVersion").ConfigureAwait(false);
            return;
        }

        TimeSpan? timeout = long.TryParse(query["timeoutSeconds"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
        var lines = new List<string>();
        lock (_gate)
        {
            if (_expireNextWatches > 0 || (cursor != 0 && cursor < _compactedResourceVersion))
            {
                _expireNextWatches = Math.Max(0, _expireNextWatches - 1);
                lines.Add(EventLine("ERROR", Status(410, "Expired", $"too old resource version: {cursor} ({_compactedResourceVersion})").ToJsonString()));
                cursor = -1;
            }
            else if (cursor == 0)
            {
                cursor = _resourceVersion;
                lines.AddRange(SecretSnapshotLocked(cursor).Where(s => s.Namespace == ns && selector!.Matches(s.Labels)).Select(s => EventLine("ADDED", s.Json)));
            }
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        Log(context, FakeRequestKind.Watch, 200);
        logged.Value = true;
        await WriteLinesAsync(context.Response, lines, context.RequestAborted).ConfigureAwait(false);
        if (cursor < 0)
        {
            return;
        }

        var watch = new ActiveWatch();
        long id = Interlocked.Increment(ref _nextWatchId);
        _activeWatches[id] = watch;
        Interlocked.Increment(ref _openWatches);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, watch.DropToken, _shutdown.Token);
        try
        {
            await StreamSecretsAsync(context.Response, ns, selector!, IsTrue(query["allowWatchBookmarks"]), timeout, cursor, cancel.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            if (watch.DropRequested && !context.RequestAborted.IsCancellationRequested)
            {
                context.Abort();
            }
        }
        finally
        {
            _activeWatches.TryRemove(id, out _);
            Interlocked.Decrement(ref _openWatches);
        }
    }

    /// <summary>Sends the Secret events after <paramref name="cursor"/> as the selector sees them, until the timeout.</summary>
    private async Task StreamSecretsAsync(HttpResponse response, string ns, LabelSelector selector, bool bookmarks, TimeSpan? timeout, long cursor, CancellationToken cancel)
    {
        long started = Stopwatch.GetTimestamp();
        TimeSpan nextBookmark = _options.BookmarkInterval;
        var lines = new List<string>();
        while (true)
        {
            Task changed;
            lines.Clear();
            lock (_gate)
            {
                changed = _changed.Task;
                lines.AddRange(_secretEvents.Where(e => e.ResourceVersion > cursor).Select(e => SecretEventLine(e, ns, selector)).OfType<string>());
                cursor = Math.Max(cursor, _resourceVersion);
            }

            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            if (bookmarks && elapsed >= nextBookmark)
            {
                var bookmark = new JsonObject { ["kind"] = "Secret", ["apiVersion"] = "v1", ["metadata"] = new JsonObject { ["resourceVersion"] = cursor.ToString(CultureInfo.InvariantCulture) } };
                lines.Add(EventLine("BOOKMARK", bookmark.ToJsonString()));
                nextBookmark = elapsed + _options.BookmarkInterval;
            }

            await WriteLinesAsync(response, lines, cancel).ConfigureAwait(false);
            if (timeout is { } t && elapsed >= t)
            {
                return;
            }

            TimeSpan wait = Max(bookmarks ? nextBookmark - elapsed : Timeout.InfiniteTimeSpan, TimeSpan.Zero);
            wait = timeout is { } end && (wait == Timeout.InfiniteTimeSpan || end - elapsed < wait) ? Max(end - elapsed, TimeSpan.Zero) : wait;
            try
            {
                await changed.WaitAsync(wait, cancel).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A bookmark or the timeout is due.
            }
        }
    }

    /// <summary>The event as a selector watch of <paramref name="ns"/> sees it; null when it sees nothing.</summary>
    private static string? SecretEventLine(SecretEvent e, string ns, LabelSelector selector)
    {
        bool was = e.Previous is { } p && p.Namespace == ns && selector.Matches(p.Labels);
        bool @is = e.Current is { } c && c.Namespace == ns && selector.Matches(c.Labels);
        return (was, @is) switch
        {
            (false, true) => EventLine("ADDED", e.Current!.Json),
            (true, true) => EventLine("MODIFIED", e.Current!.Json),
            (true, false) => EventLine("DELETED", WithResourceVersion(e.Previous!.Json, e.ResourceVersion)),
            _ => null,
        };
    }

    private static string WithResourceVersion(string json, long rv)
    {
        JsonNode node = JsonNode.Parse(json)!;
        node["metadata"]!["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        return node.ToJsonString();
    }

    /// <summary>Equality-based label selectors, comma-separated: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>.</summary>
    private sealed class LabelSelector
    {
        private readonly List<(string Key, string? Value, bool Equal)> _requirements = [];

        public static bool TryParse(string text, out LabelSelector? selector)
        {
            selector = new LabelSelector();
            foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                string[] pair = part.Split("!=") is [var k, var v] ? [k, v] : part.Replace("==", "=", StringComparison.Ordinal).Split('=');
                bool equal = !part.Contains("!=", StringComparison.Ordinal) && !part.StartsWith('!');
                (string key, string? value) = pair is [var a, var b] ? (a.Trim(), b.Trim()) : pair is [var only] ? (only.TrimStart('!').Trim(), (string?)null) : ("", (string?)null);
                if (key.Length == 0)
                {
                    return false;
                }

                selector._requirements.Add((key, value, equal));
            }

            return true;
        }

        public bool Matches(IReadOnlyDictionary<string, string> labels) =>
            _requirements.All(r => (r.Value, r.Equal) switch
            {
                (null, true) => labels.ContainsKey(r.Key),
                (null, false) => !labels.ContainsKey(r.Key),
                (_, true) => labels.TryGetValue(r.Key, out string? v) && v == r.Value,
                _ => !labels.TryGetValue(r.Key, out string? v) || v != r.Value,
            });
    }
}
