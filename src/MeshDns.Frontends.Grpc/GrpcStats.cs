using MeshDns.Resolver;

namespace MeshDns.Frontends.Grpc;

/// <summary>Counters of the gRPC endpoint: one set per thread (single writer, no contention), summed at scrape.</summary>
public sealed class GrpcStats
{
    private readonly ThreadLocal<QueryStats> _perThread = new(() => new QueryStats(), trackAllValues: true);
    private long _connections;

    public QueryStats ForThisThread => _perThread.Value!;

    public IReadOnlyList<QueryStats> All => [.. _perThread.Values];

    /// <summary>HTTP/2 connections open on the gRPC port.</summary>
    public long ConnectionsOpen => Interlocked.Read(ref _connections);

    public void ConnectionOpened() => Interlocked.Increment(ref _connections);

    public void ConnectionClosed() => Interlocked.Decrement(ref _connections);
}
