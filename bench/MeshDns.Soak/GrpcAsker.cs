using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace MeshDns.Soak;

/// <summary>CoreDNS's DnsService/Query over plaintext HTTP/2, the protobuf and gRPC framing written by hand.</summary>
public sealed class GrpcAsker(Uri baseUri, TimeSpan timeout, Tally tally) : IAsker
{
    public const string QueryPath = "coredns.dns.DnsService/Query";
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { BaseAddress = baseUri, Timeout = timeout };

    private ushort _id;

    public string Transport => "grpc";

    /// <summary>The request body: a gRPC frame around DnsPacket{bytes msg = 1}.</summary>
    public static byte[] Frame(byte[] query)
    {
        var packet = new List<byte> { 0x0A };
        for (uint n = (uint)query.Length; ; n >>= 7)
        {
            if (n < 0x80)
            {
                packet.Add((byte)n);
                break;
            }

            packet.Add((byte)((n & 0x7F) | 0x80));
        }

        packet.AddRange(query);
        var frame = new byte[5 + packet.Count];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)packet.Count);
        packet.CopyTo(frame, 5);
        return frame;
    }

    public async Task<DnsAnswer?> AskAsync(string name, ushort type, CancellationToken stop)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, QueryPath)
        {
            Content = new ByteArrayContent(Frame(DnsMessage.Query(++_id, name, type))),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact, // over http://: HTTP/2 with prior knowledge
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, stop).ConfigureAwait(false);
            byte[] body = await response.Content.ReadAsByteArrayAsync(stop).ConfigureAwait(false);
            string status = Status(response);
            bool ok = response.StatusCode == HttpStatusCode.OK && status == "0";
            if (!ok)
            {
                tally.Problem("grpc.failed_calls", $"HTTP/{response.Version} {(int)response.StatusCode}, grpc-status {status}");
            }

            return ok ? DnsMessage.Read(Unframe(body)) : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
        {
            tally.Problem("grpc.failed_calls", e.Message);
            return null;
        }
    }

    /// <summary>grpc-status from the trailers, or from the headers of a trailers-only response; "" when neither has it.</summary>
    private static string Status(HttpResponseMessage response) =>
        response.TrailingHeaders.TryGetValues("grpc-status", out IEnumerable<string>? trailer) ? trailer.First()
        : response.Headers.TryGetValues("grpc-status", out IEnumerable<string>? header) ? header.First() : "";

    /// <summary>The DNS message inside a response frame; empty when the frame is not DnsPacket{msg}.</summary>
    private static ReadOnlySpan<byte> Unframe(byte[] body)
    {
        if (body.Length < 7 || body[5] != 0x0A)
        {
            return [];
        }

        int at = 6, length = 0;
        for (int shift = 0; at < body.Length; shift += 7)
        {
            byte b = body[at++];
            length |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

        return at + length <= body.Length ? body.AsSpan(at, length) : [];
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
