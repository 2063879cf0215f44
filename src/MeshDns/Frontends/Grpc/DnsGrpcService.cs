using Google.Protobuf;
using Grpc.Core;
using MeshDns.Frontends.Grpc.Protocol;
using MeshDns.Resolver;
using Microsoft.Extensions.Logging;

namespace MeshDns.Frontends.Grpc;

/// <summary>/coredns.dns.DnsService/Query: the client's DNS query as CoreDNS got it, answered for the gRPC transport.
/// Any DnsPacket gets a DNS message with status OK (CoreDNS 1.6.2 drops the query on a gRPC error), even
/// garbage a FORMERR; a body that is not a DnsPacket gets INVALID_ARGUMENT, logged at most once a second.</summary>
public sealed partial class DnsGrpcService(DnsResolver resolver, GrpcStats stats, ILogger<DnsGrpcService> logger) : DnsServiceBinding
{
    private static readonly Status InvalidArgument = new(StatusCode.InvalidArgument, "request is not a coredns.dns.DnsPacket");

    [ThreadStatic]
    private static byte[]? t_buffer;
    private readonly RateLimitedLog _malformedLog = new(perSecond: 1);

    public override Task<DnsPacket> Query(DnsPacket request, ServerCallContext context)
    {
        if (ReferenceEquals(request, NotAPacket))
        {
            stats.ForThisThread.Malformed++;
            if (_malformedLog.TryTake(out long suppressed))
            {
                LogMalformed(logger, context.Peer, suppressed);
            }

            // The way to a non-OK status; the framework logs it at Information (filtered out in Program).
            throw new RpcException(InvalidArgument);
        }

        byte[] buffer = t_buffer ??= new byte[DnsResolver.MaxMessageSize];
        ReadOnlySpan<byte> query = request.Msg.Span;
        ResolveResult result;
        try
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            result = resolver.Resolve(query, buffer, DnsTransport.Grpc);
            stats.ForThisThread.Record(query.Length, result);
            stats.ForThisThread.RecordDuration(System.Diagnostics.Stopwatch.GetTimestamp() - started);
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

    /// <summary>A header-only response echoing what ID there is.</summary>
    private static byte[] Header(ReadOnlySpan<byte> query, byte rcode)
    {
        var header = new byte[12];
        query[..Math.Min(2, query.Length)].CopyTo(header); // the ID
        header[2] = (byte)(0x80 | (query.Length >= 3 ? query[2] & 0x79 : 0)); // QR, opcode and RD copied
        header[3] = rcode;
        return header;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "grpc: a Query body from {Peer} is not a DnsPacket: answered INVALID_ARGUMENT ({Suppressed} more since the last such line; all counted in meshdns_dns_malformed_total{{transport=\"grpc\"}})")]
    private static partial void LogMalformed(ILogger logger, string peer, long suppressed);
}
