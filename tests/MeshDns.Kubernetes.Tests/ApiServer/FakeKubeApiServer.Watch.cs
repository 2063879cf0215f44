using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MeshDns.Kubernetes.Tests.ApiServer;

public sealed partial class FakeKubeApiServer
{
    private async Task WatchAsync(HttpContext context, string version, string? ns, StrongBox<bool> logged)
    {
        IQueryCollection query = context.Request.Query;
        string rvParam = query["resourceVersion"].ToString();
        bool bookmarks = IsTrue(query["allowWatchBookmarks"]);
        bool sendInitialEvents = IsTrue(query["sendInitialEvents"]);

        TimeSpan? timeout = null;
        if (query.TryGetValue("timeoutSeconds", out StringValues timeoutValue) && timeoutValue.ToString().Length > 0)
        {
            if (!long.TryParse(timeoutValue.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
            {
                await WriteStatusAsync(context, 400, "BadRequest", $"invalid timeoutSeconds: {timeoutValue}").ConfigureAwait(false);
                return;
            }

            if (seconds > 0)
            {
                timeout = TimeSpan.FromSeconds(seconds);
            }
        }

        long requestedRv = 0;
        if (rvParam.Length > 0 && !long.TryParse(rvParam, NumberStyles.None, CultureInfo.InvariantCulture, out requestedRv))
        {
            await WriteStatusAsync(context, 400, "BadRequest", $"invalid resource version: {rvParam}").ConfigureAwait(false);
            return;
        }

        long cursor;
        List<StoredObject>? initial = null;
        JsonObject? expired = null;
        bool expiredAsHttp;
        lock (_gate)
        {
            expiredAsHttp = _expiredWatchesAsHttpStatus;
            cursor = _resourceVersion;
            if (_expireNextWatches > 0)
            {
                _expireNextWatches--;
                expired = Status(410, "Expired", $"too old resource version: {requestedRv} ({_compactedResourceVersion})");
            }
            else if (requestedRv == 0 || sendInitialEvents)
            {
                // "" and "0": "get state and start at most recent / any": synthetic ADDED for the current state first.
                initial = SnapshotLocked(_resourceVersion, ns);
            }
            else if (requestedRv < _compactedResourceVersion)
            {
                expired = Status(410, "Expired", $"too old resource version: {requestedRv} ({_compactedResourceVersion})");
            }
            else
            {
                // A resourceVersion from the future simply waits for it (the real server would answer
                // "Too large resource version" after a few seconds).
                cursor = requestedRv;
            }
        }

        if (expired is not null && expiredAsHttp)
        {
            await WriteJsonAsync(context, 410, expired).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-cache, private";
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false); // headers out now, like the real server
        Log(context, FakeRequestKind.Watch, 200);
        logged.Value = true;

        if (expired is not null)
        {
            await WriteLinesAsync(context.Response, [EventLine("ERROR", expired.ToJsonString())], context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var watch = new ActiveWatch();
        long id = Interlocked.Increment(ref _nextWatchId);
        _activeWatches[id] = watch;
        Interlocked.Increment(ref _openWatches);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, watch.DropToken, _shutdown.Token);
        try
        {
            var stream = new WatchStream(version, ns, bookmarks, sendInitialEvents, timeout, cursor, initial);
            bool abort = await StreamAsync(context.Response, stream, cancel.Token).ConfigureAwait(false);
            if (abort)
            {
                context.Abort();
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            if (watch.DropRequested && !context.RequestAborted.IsCancellationRequested)
            {
                context.Abort();
            }

            // Else: the client left, or the server is shutting down (the stream ends gracefully).
        }
        catch (IOException)
        {
            // The client left mid-write.
        }
        finally
        {
            _activeWatches.TryRemove(id, out _);
            Interlocked.Decrement(ref _openWatches);
        }
    }

    /// <summary>Streams until the timeout (returns false: end gracefully) or a drop fault (returns true: abort).</summary>
    private async Task<bool> StreamAsync(HttpResponse response, WatchStream w, CancellationToken cancel)
    {
        long started = Stopwatch.GetTimestamp();
        TimeSpan interval = _options.BookmarkInterval;
        TimeSpan nextBookmark = interval;
        int sent = 0;
        var lines = new List<string>();

        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            lines.Clear();
            Task changed;
            bool stalled;
            int dropAfter;
            List<StoredEvent>? events = null;
            lock (_gate)
            {
                changed = _changed.Task;
                stalled = _stallWatches;
                dropAfter = _dropWatchesAfterEvents;
                if (!stalled)
                {
                    while (_malformedLines.TryDequeue(out string? raw))
                    {
                        lines.Add(raw + "\n");
                    }

                    events = [];
                    for (int i = FirstEventAfterLocked(w.Cursor); i < _events.Count; i++)
                    {
                        if (w.Namespace is null || _events[i].Namespace == w.Namespace)
                        {
                            events.Add(_events[i]);
                        }
                    }

                    w.Cursor = Math.Max(w.Cursor, _resourceVersion);
                }
            }

            if (!stalled)
            {
                if (dropAfter >= 0 && sent >= dropAfter)
                {
                    await WriteLinesAsync(response, lines, cancel).ConfigureAwait(false);
                    return true;
                }

                if (w.Initial is { } initial)
                {
                    w.Initial = null;
                    foreach (StoredObject o in initial)
                    {
                        lines.Add(EventLine("ADDED", Serve(o.Json, w.Version)));
                        if (dropAfter >= 0 && ++sent >= dropAfter)
                        {
                            return await DropAfterAsync(response, lines, cancel).ConfigureAwait(false);
                        }
                    }

                    if (w.SendInitialEvents && w.Bookmarks)
                    {
                        lines.Add(BookmarkLine(w.Version, w.InitialCursor, initialEventsEnd: true));
                    }
                }

                foreach (StoredEvent e in events!)
                {
                    lines.Add(EventLine(TypeName(e.Type), Serve(e.Json, w.Version)));
                    if (dropAfter >= 0 && ++sent >= dropAfter)
                    {
                        return await DropAfterAsync(response, lines, cancel).ConfigureAwait(false);
                    }
                }

                TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
                if (w.Bookmarks && elapsed >= nextBookmark)
                {
                    lines.Add(BookmarkLine(w.Version, w.Cursor, initialEventsEnd: false));
                    nextBookmark = elapsed + interval;
                }

                await WriteLinesAsync(response, lines, cancel).ConfigureAwait(false);

                if (w.Timeout is { } timeout && elapsed >= timeout)
                {
                    return false;
                }
            }

            TimeSpan wait = Timeout.InfiniteTimeSpan;
            if (!stalled)
            {
                TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
                if (w.Bookmarks)
                {
                    wait = Max(nextBookmark - elapsed, TimeSpan.Zero);
                }

                if (w.Timeout is { } timeout)
                {
                    TimeSpan untilTimeout = Max(timeout - elapsed, TimeSpan.Zero);
                    wait = wait == Timeout.InfiniteTimeSpan || untilTimeout < wait ? untilTimeout : wait;
                }
            }

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

    /// <summary>Sends what was written so far, gives it a moment to reach the client, then asks for an abort.</summary>
    private static async Task<bool> DropAfterAsync(HttpResponse response, List<string> lines, CancellationToken cancel)
    {
        await WriteLinesAsync(response, lines, cancel).ConfigureAwait(false);
        await Task.Delay(100, cancel).ConfigureAwait(false);
        return true;
    }

    private static async Task WriteLinesAsync(HttpResponse response, List<string> lines, CancellationToken cancel)
    {
        if (lines.Count == 0)
        {
            return;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(string.Concat(lines));
        await response.Body.WriteAsync(bytes, cancel).ConfigureAwait(false);
        await response.Body.FlushAsync(cancel).ConfigureAwait(false);
    }

    private static string EventLine(string type, string objectJson) => "{\"type\":\"" + type + "\",\"object\":" + objectJson + "}\n";

    private static string BookmarkLine(string version, long rv, bool initialEventsEnd)
    {
        var metadata = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) };
        if (initialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        var bookmark = new JsonObject { ["kind"] = Kind, ["apiVersion"] = Group + "/" + version, ["metadata"] = metadata };
        return EventLine("BOOKMARK", bookmark.ToJsonString());
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The state of one watch stream.</summary>
    private sealed class WatchStream(string version, string? ns, bool bookmarks, bool sendInitialEvents, TimeSpan? timeout, long cursor, List<StoredObject>? initial)
    {
        public string Version { get; } = version;

        public string? Namespace { get; } = ns;

        public bool Bookmarks { get; } = bookmarks;

        public bool SendInitialEvents { get; } = sendInitialEvents;

        public TimeSpan? Timeout { get; } = timeout;

        /// <summary>Every event up to this resourceVersion has been sent (or filtered out).</summary>
        public long Cursor { get; set; } = cursor;

        public long InitialCursor { get; } = cursor;

        public List<StoredObject>? Initial { get; set; } = initial;
    }
}
