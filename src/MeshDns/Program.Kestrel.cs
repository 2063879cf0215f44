using System.Net;
using MeshDns.Frontends.Grpc;
using MeshDns.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace MeshDns;

public static partial class Program
{
    /// <summary>With 64 streams each, at most 8192 calls in flight: well under the chart's 256 MiB. CoreDNS needs one per upstream.</summary>
    private const int MaxGrpcConnections = 128;
    private const int MaxMessageBytes = 70 * 1024; // a DNS message (65535) plus gRPC framing

    private static void ConfigureKestrel(KestrelServerOptions kestrel, ConnectionCaps caps, IPEndPoint? httpEndpoint, IPEndPoint? grpcEndpoint)
    {
        // Every input bounded: connections, headers, bodies, HTTP/2 streams and frames, idle times.
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxConcurrentConnections = caps.Kestrel; // per port; fits the open-file limit
        kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
        kestrel.Limits.MaxRequestBodySize = MaxMessageBytes;
        kestrel.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(2);
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        // Per connection 64 streams, 128 KiB unread (defaults: 100, 1 MiB); 96 KiB a stream lets a whole message in.
        kestrel.Limits.Http2.MaxStreamsPerConnection = 64;
        kestrel.Limits.Http2.InitialConnectionWindowSize = 128 * 1024;
        kestrel.Limits.Http2.InitialStreamWindowSize = 96 * 1024;
        kestrel.Limits.Http2.MaxFrameSize = 16 * 1024;
        kestrel.Limits.Http2.MaxRequestHeaderFieldSize = 8 * 1024;
        kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
        kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
        if (httpEndpoint is not null)
        {
            kestrel.Listen(httpEndpoint, l => l.Protocols = HttpProtocols.Http1); // probes and scrapes; plaintext h2 would need prior knowledge
        }

        if (grpcEndpoint is not null)
        {
            kestrel.Listen(grpcEndpoint, l =>
            {
                l.Protocols = HttpProtocols.Http2; // h2c with prior knowledge, as CoreDNS dials
                l.Use(next => async connection =>
                {
                    GrpcStats stats = l.ApplicationServices.GetRequiredService<GrpcStats>();
                    if (!stats.TryOpenConnection(Math.Min(MaxGrpcConnections, caps.Kestrel)))
                    {
                        return; // closed unanswered: memory stays bounded (see MaxGrpcConnections)
                    }

                    try
                    {
                        await next(connection).ConfigureAwait(false);
                    }
                    finally
                    {
                        stats.ConnectionClosed();
                    }
                });
            });
        }
    }
}
