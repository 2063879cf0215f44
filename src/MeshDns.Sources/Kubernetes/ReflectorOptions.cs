using System.Text.Json;
using MeshDns.Table;

namespace MeshDns.Sources.Kubernetes;

/// <summary>Turns one API object into the table's input; false with a one-line reason when it is unusable.</summary>
public delegate bool ServiceEntryDecoder(JsonElement item, out ServiceEntryInput? entry, out string id, out string? error);

/// <summary>Settings of the reflector; every wait and size is bounded.</summary>
public sealed record ReflectorOptions
{
    /// <summary>Namespaces to follow; empty means all namespaces.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    public int PageSize { get; init; } = 500;

    /// <summary>timeoutSeconds asked of the server for each WATCH; the stream is then renewed.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A watch that delivers nothing (not even a bookmark) for this long is dropped and renewed.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30);

    /// <summary>Per-request timeout of discovery and LIST pages.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A change after a quiet spell is published at once; changes within this time of the last publish are
    /// coalesced into the next one.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Longest watch event accepted; a longer one is skipped and the namespace listed again.</summary>
    public int MaxEventBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>A watch open this long counts as healthy even without events: its failure restarts the backoff.</summary>
    public TimeSpan HealthyWatch { get; init; } = TimeSpan.FromSeconds(30);
}
