using MeshDns.Hosting;
using MeshDns.Resolver;

namespace MeshDns.Frontends.Grpc;

/// <summary>Counters of the gRPC endpoint: one set per thread (single writer, no contention), summed at scrape.</summary>
public sealed class GrpcStats : IMetricsSource
{
    private readonly ThreadLocal<QueryStats> _perThread = new(() => new QueryStats(), trackAllValues: true);
    private long _connections;
    private long _rejected;
    public QueryStats ForThisThread => _perThread.Value!;

    public IReadOnlyList<QueryStats> All => [.. _perThread.Values];

    /// <summary>False (a rejection, counted) when <paramref name="max"/> are already open.</summary>
    public bool TryOpenConnection(int max)
    {
        if (Interlocked.Increment(ref _connections) <= max)
        {
            return true;
        }

        Interlocked.Decrement(ref _connections);
        Interlocked.Increment(ref _rejected);
        return false;
    }

    public void ConnectionClosed() => Interlocked.Decrement(ref _connections);

    public void Write(MetricsText text)
    {
        text.Gauge("meshdns_grpc_connections_open", "HTTP/2 connections open on the gRPC port.", Interlocked.Read(ref _connections));
        text.Counter("meshdns_grpc_connections_rejected_total", "gRPC connections closed at once because the most (128) were open.",
            Interlocked.Read(ref _rejected));
    }
}
