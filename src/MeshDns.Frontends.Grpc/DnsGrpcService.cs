using Google.Protobuf;
using Grpc.Core;
using MeshDns.Frontends.Grpc.Protocol;
using MeshDns.Resolver;

namespace MeshDns.Frontends.Grpc;

/// <summary>
/// /coredns.dns.DnsService/Query: the request's bytes are the client's DNS query exactly as CoreDNS got it;
/// the reply is the resolver's answer for the gRPC transport (65535-octet limit; CoreDNS truncates for its
/// UDP clients). Always a DNS message with status OK: CoreDNS 1.6.2 drops the client's query when the
/// backend returns a gRPC error, so even garbage gets a FORMERR message.
/// </summary>
public sealed class DnsGrpcService(DnsResolver resolver, GrpcStats stats) : DnsService.DnsServiceBase
{
    [ThreadStatic]
    private static byte[]? t_buffer;

    public override Task<DnsPacket> Query(DnsPacket request, ServerCallContext context)
    {
        byte[] buffer = t_buffer ??= new byte[DnsResolver.MaxMessageSize];
        ReadOnlySpan<byte> query = request.Msg.Span;
        ResolveResult result;
        try
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            result = resolver.Resolve(query, buffer, DnsTransport.Grpc);
            QueryStats counters = stats.ForThisThread;
            counters.Record(query.Length, result);
            counters.RecordDuration(System.Diagnostics.Stopwatch.GetTimestamp() - started);
        }
        catch (Exception)
        {
            stats.ForThisThread.Errors++;
            // A bug must still produce a DNS answer, never a gRPC error.
            return Task.FromResult(new DnsPacket { Msg = ByteString.CopyFrom(Header(query, rcode: 2)) });
        }

        byte[] reply = result.Length > 0 ? buffer.AsSpan(0, result.Length).ToArray() : Header(query, rcode: 1);
        return Task.FromResult(new DnsPacket { Msg = UnsafeByteOperations.UnsafeWrap(reply) });
    }

    /// <summary>A header-only response (FORMERR for a query with no readable header, SERVFAIL on a bug), echoing what ID there is.</summary>
    private static byte[] Header(ReadOnlySpan<byte> query, byte rcode)
    {
        var header = new byte[12];
        if (query.Length >= 2)
        {
            header[0] = query[0];
            header[1] = query[1];
        }

        header[2] = (byte)(0x80 | (query.Length >= 3 ? query[2] & 0x79 : 0)); // QR, opcode and RD copied
        header[3] = rcode;
        return header;
    }
}

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

