using System.Text.Json;

namespace MeshDns.Sources.Kubernetes;

/// <summary>LIST and WATCH of one resource (ServiceEntries, or the Secrets of remote clusters) in one namespace (null: all),
/// as client-go's ListerWatcher; failures throw.</summary>
public interface IListerWatcher
{
    /// <summary>LISTs <paramref name="ns"/> page by page into <paramref name="sink"/> (a page's JSON is let go once its items are
    /// added, so a large LIST is never held whole); returns the LIST's resourceVersion.</summary>
    Task<string> ListAsync(string? ns, IListSink sink, CancellationToken cancellationToken);

    /// <summary>Events after <paramref name="resourceVersion"/>, starting with <see cref="WatchEvent.Opened"/>; ends when the server ends the watch.</summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string? ns, string resourceVersion, CancellationToken cancellationToken);
}

/// <summary>Takes a LIST's items as they are read.</summary>
public interface IListSink
{
    /// <summary>One item; the element is only valid during the call.</summary>
    void Add(JsonElement item);

    /// <summary>The server expired the LIST's snapshot midway: what was added is void, the LIST starts again.</summary>
    void Restart();
}

/// <summary>A watch event: the API's types, and three the client adds (stream opened, 410 to the request, line over the bound).</summary>
public readonly record struct WatchEvent(string Type, JsonElement Object)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Bookmark = "BOOKMARK";
    public const string Error = "ERROR";
    public const string Opened = "OPENED";
    public const string Expired = "EXPIRED";
    public const string Oversized = "OVERSIZED";
}
