using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using MeshDns.Sources.Kubernetes;

namespace MeshDns.Kubernetes.Tests.Loop;

/// <summary>
/// An in-memory <see cref="IListerWatcher"/>: every LIST and WATCH call is recorded and waits for the answer the
/// test queues for its namespace, so a test drives the reflector's loop one step at a time.
/// </summary>
public sealed class FakeListerWatcher : IListerWatcher
{
    private readonly ConcurrentDictionary<string, Channel<object>> _lists = new();
    private readonly ConcurrentDictionary<string, Channel<object>> _watches = new();
    private readonly ConcurrentQueue<Call> _calls = new();

    /// <summary>Every call so far, in order.</summary>
    public IReadOnlyList<Call> Calls => [.. _calls];

    public int ListCalls(string? ns = null) => Calls.Count(c => c.Kind == "list" && c.Namespace == ns);

    public int WatchCalls(string? ns = null) => Calls.Count(c => c.Kind == "watch" && c.Namespace == ns);

    public void AnswerList(string? ns, string resourceVersion, params JsonObject[] items) =>
        Queue(_lists, ns).Writer.TryWrite(new ListResult([.. items.Select(Element)], resourceVersion));

    public void FailList(string? ns, Exception failure) => Queue(_lists, ns).Writer.TryWrite(failure);

    /// <summary>The next WATCH of <paramref name="ns"/> opens and delivers what is sent to the returned stream.</summary>
    public FakeWatch AnswerWatch(string? ns = null)
    {
        var watch = new FakeWatch();
        Queue(_watches, ns).Writer.TryWrite(watch);
        return watch;
    }

    public void FailWatch(string? ns, Exception failure) => Queue(_watches, ns).Writer.TryWrite(failure);

    public async Task<string> ListAsync(string? ns, IListSink sink, CancellationToken cancellationToken)
    {
        _calls.Enqueue(new Call("list", ns, null));
        object answer = await Queue(_lists, ns).Reader.ReadAsync(cancellationToken);
        ListResult list = answer as ListResult ?? throw (Exception)answer;
        foreach (JsonElement item in list.Items)
        {
            sink.Add(item);
        }

        return list.ResourceVersion;
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string? ns, string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _calls.Enqueue(new Call("watch", ns, resourceVersion));
        object answer = await Queue(_watches, ns).Reader.ReadAsync(cancellationToken);
        FakeWatch watch = answer as FakeWatch ?? throw (Exception)answer;
        yield return new WatchEvent(WatchEvent.Opened, default);
        await foreach (WatchEvent e in watch.Events.ReadAllAsync(cancellationToken))
        {
            yield return e;
        }
    }

    /// <summary>A ServiceEntry object as the API serves it.</summary>
    public static JsonObject Entry(string name, string resourceVersion, string address, string ns = "mesh", string? host = null) => new()
    {
        ["apiVersion"] = "networking.istio.io/v1",
        ["kind"] = "ServiceEntry",
        ["metadata"] = new JsonObject { ["namespace"] = ns, ["name"] = name, ["resourceVersion"] = resourceVersion },
        ["spec"] = new JsonObject { ["hosts"] = new JsonArray(host ?? $"{name}.global"), ["addresses"] = new JsonArray(address), ["resolution"] = "STATIC" },
    };

    public static JsonElement Element(JsonNode node) => JsonDocument.Parse(node.ToJsonString()).RootElement;

    private static Channel<object> Queue(ConcurrentDictionary<string, Channel<object>> queues, string? ns) =>
        queues.GetOrAdd(ns ?? "", _ => Channel.CreateUnbounded<object>());

    public sealed record Call(string Kind, string? Namespace, string? ResourceVersion);
}

/// <summary>One open watch stream: events sent until it ends or fails.</summary>
public sealed class FakeWatch
{
    private readonly Channel<WatchEvent> _events = Channel.CreateUnbounded<WatchEvent>();

    internal ChannelReader<WatchEvent> Events => _events.Reader;

    public void Send(string type, JsonObject? obj = null) =>
        _events.Writer.TryWrite(new WatchEvent(type, obj is null ? default : FakeListerWatcher.Element(obj)));

    public void Bookmark(string resourceVersion) =>
        Send(WatchEvent.Bookmark, new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion } });

    /// <summary>The server ends the stream (its timeout).</summary>
    public void End() => _events.Writer.TryComplete();

    /// <summary>The stream breaks.</summary>
    public void Fail(Exception failure) => _events.Writer.TryComplete(failure);
}
