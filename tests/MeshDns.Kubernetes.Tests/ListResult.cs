using System.Text.Json;
using MeshDns.Sources.Kubernetes;

namespace MeshDns.Kubernetes.Tests;

/// <summary>A whole LIST as a test looks at it: its items (copies that outlive the pages) and its resourceVersion.</summary>
public sealed record ListResult(IReadOnlyList<JsonElement> Items, string ResourceVersion)
{
    /// <summary>Every item of one LIST, as <see cref="IListerWatcher.ListAsync"/> delivers them.</summary>
    public static async Task<ListResult> Of(IListerWatcher lister, string? ns, CancellationToken cancellationToken = default)
    {
        var sink = new Collector();
        string version = await lister.ListAsync(ns, sink, cancellationToken);
        return new ListResult(sink.Items, version);
    }

    private sealed class Collector : IListSink
    {
        public List<JsonElement> Items { get; } = [];

        public void Add(JsonElement item) => Items.Add(item.Clone());

        public void Restart() => Items.Clear();
    }
}
