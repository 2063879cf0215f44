using System.Text.Json;

namespace MeshDns.Sources.Kubernetes;

/// <summary>LIST and WATCH of ServiceEntries in one namespace (null: all), as client-go's ListerWatcher; failures throw.</summary>
public interface IListerWatcher
{
    Task<ListResult> ListAsync(string? ns, CancellationToken cancellationToken);

    /// <summary>Events after <paramref name="resourceVersion"/>, starting with <see cref="WatchEvent.Opened"/>; ends when the server ends the watch.</summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string? ns, string resourceVersion, CancellationToken cancellationToken);
}

public sealed record ListResult(IReadOnlyList<JsonElement> Items, string ResourceVersion);

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
