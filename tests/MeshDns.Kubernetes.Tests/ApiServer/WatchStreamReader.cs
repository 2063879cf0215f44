using System.Text.Json.Nodes;

namespace MeshDns.Kubernetes.Tests.ApiServer;

/// <summary>How a watch stream ended.</summary>
public enum WatchStreamEnd
{
    /// <summary>The server finished the response (terminating chunk): a graceful close.</summary>
    Graceful,

    /// <summary>The connection was cut mid-response.</summary>
    Aborted,
}

/// <summary>
/// Reads a watch response line by line for assertions, with bounded waits. A read that times out is kept
/// pending, so the stream can be read on afterwards (e.g. after checking that it stays silent).
/// </summary>
public sealed class WatchStreamReader : IAsyncDisposable
{
    /// <summary>The default bound of every wait.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly StreamReader _reader;
    private Task<string?>? _pending;

    private WatchStreamReader(HttpResponseMessage response, Stream body)
    {
        Response = response;
        _reader = new StreamReader(body);
    }

    /// <summary>The response (status and headers are available; the body is being read by this reader).</summary>
    public HttpResponseMessage Response { get; }

    /// <summary>GETs <paramref name="pathAndQuery"/> (relative to the client's BaseAddress) and returns once the headers are in.</summary>
    public static async Task<WatchStreamReader> OpenAsync(HttpClient client, string pathAndQuery, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        HttpResponseMessage response = await client.GetAsync(pathAndQuery, HttpCompletionOption.ResponseHeadersRead, cancel.Token).ConfigureAwait(false);
        try
        {
            Stream body = await response.Content.ReadAsStreamAsync(cancel.Token).ConfigureAwait(false);
            return new WatchStreamReader(response, body);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The next line, or null when the server ended the stream gracefully. Throws <see cref="TimeoutException"/>
    /// when none comes within the timeout, and an <see cref="IOException"/> when the connection is cut.
    /// </summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        _pending ??= _reader.ReadLineAsync();
        Task<string?> read = _pending;
        try
        {
            await read.WaitAsync(timeout ?? DefaultTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no watch line within {timeout ?? DefaultTimeout}");
        }
        catch
        {
            _pending = null;
            throw;
        }

        _pending = null;
        return await read.ConfigureAwait(false);
    }

    /// <summary>The next event (any type, bookmarks included) parsed, or null at a graceful end.</summary>
    public async Task<JsonObject?> ReadEventAsync(TimeSpan? timeout = null)
    {
        string? line = await ReadLineAsync(timeout).ConfigureAwait(false);
        return line is null ? null : JsonNode.Parse(line)!.AsObject();
    }

    /// <summary>The next event that is not a BOOKMARK; throws when the stream ends first.</summary>
    public async Task<JsonObject> NextEventAsync(TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            TimeSpan left = deadline - DateTime.UtcNow;
            JsonObject e = await ReadEventAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false)
                ?? throw new EndOfStreamException("the watch ended");
            if ((string?)e["type"] != "BOOKMARK")
            {
                return e;
            }
        }
    }

    /// <summary>The next BOOKMARK event, skipping others; throws when the stream ends first.</summary>
    public async Task<JsonObject> NextBookmarkAsync(TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            TimeSpan left = deadline - DateTime.UtcNow;
            JsonObject e = await ReadEventAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false)
                ?? throw new EndOfStreamException("the watch ended");
            if ((string?)e["type"] == "BOOKMARK")
            {
                return e;
            }
        }
    }

    /// <summary>True when no line (and no end) arrives within <paramref name="duration"/>; the read stays pending.</summary>
    public async Task<bool> IsSilentForAsync(TimeSpan duration)
    {
        _pending ??= _reader.ReadLineAsync();
        Task completed = await Task.WhenAny(_pending, Task.Delay(duration)).ConfigureAwait(false);
        return completed != _pending;
    }

    /// <summary>Reads lines until the stream ends (they are returned) and tells how it ended.</summary>
    public async Task<(WatchStreamEnd End, IReadOnlyList<string> Lines)> ReadToEndAsync(TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var lines = new List<string>();
        while (true)
        {
            TimeSpan left = deadline - DateTime.UtcNow;
            string? line;
            try
            {
                line = await ReadLineAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return (WatchStreamEnd.Aborted, lines);
            }

            if (line is null)
            {
                return (WatchStreamEnd.Graceful, lines);
            }

            lines.Add(line);
        }
    }

    /// <summary>Closes the response.</summary>
    public ValueTask DisposeAsync()
    {
        Response.Dispose();
        _reader.Dispose();
        return ValueTask.CompletedTask;
    }
}
