using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using MeshDns.Frontends.Grpc.Protocol;

namespace MeshDns.IntegrationTests;

/// <summary>The CoreDNS gRPC endpoint of the real process, driven by the official grpc-dotnet client over h2c.</summary>
public sealed class GrpcTests : IDisposable
{
    private readonly ServerProcess _server;
    private readonly GrpcChannel _channel;
    private readonly DnsService.DnsServiceClient _client;
    private readonly int _dnsPort;
    private readonly int _grpcPort;

    public GrpcTests()
    {
        int port = ServerProcess.FreePort();
        int grpc = ServerProcess.FreePort();
        _server = ServerProcess.Start(port, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{port}", "--grpc-listen", $"127.0.0.1:{grpc}", "--round-robin=false");
        _dnsPort = port;
        _grpcPort = grpc;
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpc}");
        _client = new DnsService.DnsServiceClient(_channel);
    }

    public void Dispose()
    {
        _channel.Dispose();
        _server.Dispose();
    }

    /// <summary>A DNS query message (shared by the other frontends' tests).</summary>
    internal static byte[] Query(string name, ushort type = 1, ushort id = 0x4242, bool edns = false)
    {
        var q = new List<byte> { (byte)(id >> 8), (byte)id, 1, 0, 0, 1, 0, 0, 0, 0, 0, (byte)(edns ? 1 : 0) };
        foreach (string label in name.Split('.'))
        {
            q.Add((byte)label.Length);
            q.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        q.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        if (edns)
        {
            q.AddRange([0, 0, 41, 0x10, 0x00, 0, 0, 0, 0, 0, 0]);
        }

        return [.. q];
    }

    private async Task<byte[]> Ask(byte[] query) =>
        (await _client.QueryAsync(new DnsPacket { Msg = ByteString.CopyFrom(query) }, deadline: DateTime.UtcNow.AddSeconds(10))).Msg.ToByteArray();

    [Theory]
    [InlineData("service1.test.global", 1, 0, 1, "127.255.0.2")]
    [InlineData("Service2.TEST.global", 1, 0, 1, "127.255.0.2")]
    [InlineData("service1.test.global", 28, 0, 0, null)]
    [InlineData("nothing.global", 1, 3, 0, null)]
    public async Task Query_returns_the_resolver_answer_with_id_qr_and_the_one_question(string name, ushort type, int rcode, int answers, string? address)
    {
        byte[] query = Query(name, type);
        byte[] reply = await Ask(query);
        Assert.Equal(query[0], reply[0]);
        Assert.Equal(query[1], reply[1]);
        Assert.True((reply[2] & 0x80) != 0, "QR");
        Assert.Equal(rcode, reply[3] & 0xF);
        Assert.Equal(1, (reply[4] << 8) | reply[5]);
        Assert.Equal(answers, (reply[6] << 8) | reply[7]);
        Assert.Equal(query.AsSpan(12).ToArray(), reply.AsSpan(12, query.Length - 12).ToArray()); // question byte for byte
        if (address is not null)
        {
            Assert.Equal(address, $"{reply[^4]}.{reply[^3]}.{reply[^2]}.{reply[^1]}");
        }
    }

    [Fact]
    public async Task Grpc_and_udp_give_byte_identical_answers()
    {
        using var udp = new System.Net.Sockets.UdpClient();
        udp.Connect(System.Net.IPAddress.Loopback, _dnsPort);
        udp.Client.ReceiveTimeout = 3000;
        (string Name, ushort Type, bool Edns)[] cases =
        [
            ("service1.test.global", 1, false), ("a.b.test.global", 1, true), ("test.global", 1, false),
            ("payments.shop.global", 28, true), ("payments.shop.global", 255, false), ("shop.global", 28, false),
            ("nothing.global", 1, true), ("auth.global", 15, false), ("SERVICE1.test.GLOBAL", 1, true),
            ("_https._tcp.payments.shop.global", 33, true), ("_http._tcp.SEARCH.web.global", 33, false), ("_tcp.auth.global", 33, false),
            ("1.10.0.240.in-addr.arpa", 12, false), ("1.0.0.0.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", 12, true),
        ];
        foreach ((string name, ushort type, bool edns) in cases)
        {
            byte[] query = Query(name, type, edns: edns);
            await udp.SendAsync(query);
            byte[] viaUdp = (await udp.ReceiveAsync()).Buffer;
            Assert.Equal(viaUdp, await Ask(query));
        }
    }

    [Fact]
    public async Task Garbage_http2_frames_drop_only_that_connection()
    {
        using (var raw = new System.Net.Sockets.TcpClient())
        {
            await raw.ConnectAsync(System.Net.IPAddress.Loopback, _grpcPort);
            var stream = raw.GetStream();
            byte[] garbage = [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray(), 0xFF, 0xFF, 0xFF, 0x09, 0x00, 0x00, 0x00, 0x00, 0x01, .. new byte[64]];
            await stream.WriteAsync(garbage);
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var buffer = new byte[4096];
            try
            {
                while (await stream.ReadAsync(buffer, guard.Token) > 0)
                {
                    // the server's SETTINGS and GOAWAY, then the close
                }
            }
            catch (IOException)
            {
                // reset: closed as well
            }
        }

        Assert.Equal(0, (await Ask(Query("service1.test.global")))[3] & 0xF);
    }

    [Fact]
    public async Task Edns_is_kept_and_answered()
    {
        byte[] reply = await Ask(Query("service1.test.global", edns: true));
        Assert.Equal(1, (reply[10] << 8) | reply[11]); // the OPT record
    }

    [Theory]
    [InlineData("")]
    [InlineData("0102")]
    [InlineData("123401000001000000000000c00c00010001")]
    [InlineData("ffffffffffffffffffffffffffffffffffffffff")]
    public async Task Garbage_gets_a_dns_message_with_status_ok_never_a_grpc_error(string hex)
    {
        byte[] reply = await Ask(Convert.FromHexString(hex));
        Assert.True(reply.Length >= 12);
        Assert.True((reply[2] & 0x80) != 0);
        Assert.Equal(1, reply[3] & 0xF); // FORMERR
    }

    [Fact]
    public async Task Many_concurrent_calls_share_one_connection()
    {
        Task<byte[]>[] calls = Enumerable.Range(0, 500).Select(i => Ask(Query($"svc{i}.test.global", id: (ushort)i))).ToArray();
        byte[][] replies = await Task.WhenAll(calls);
        for (int i = 0; i < replies.Length; i++)
        {
            Assert.Equal(i, (replies[i][0] << 8) | replies[i][1]);
            Assert.Equal(0, replies[i][3] & 0xF);
        }
    }

    [Fact]
    public async Task Health_reports_serving_for_the_server_and_the_dns_service()
    {
        var health = new Health.HealthClient(_channel);
        foreach (string service in new[] { "", "coredns.dns.DnsService" })
        {
            HealthCheckResponse response = await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
        }
    }

    [Fact]
    public async Task Health_watch_streams_serving_then_not_serving_on_shutdown()
    {
        var health = new Health.HealthClient(_channel);
        using var call = health.Watch(new HealthCheckRequest { Service = "coredns.dns.DnsService" });
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Assert.True(await call.ResponseStream.MoveNext(guard.Token));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, call.ResponseStream.Current.Status);

        _server.Signal("TERM");
        var seen = new List<HealthCheckResponse.Types.ServingStatus>();
        try
        {
            while (!seen.Contains(HealthCheckResponse.Types.ServingStatus.NotServing) && await call.ResponseStream.MoveNext(guard.Token))
            {
                seen.Add(call.ResponseStream.Current.Status);
            }
        }
        catch (RpcException)
        {
            // the server went away after saying so
        }

        Assert.Contains(HealthCheckResponse.Types.ServingStatus.NotServing, seen);
    }

    [Fact]
    public async Task An_oversized_message_is_refused_without_harming_other_calls()
    {
        var huge = new byte[200 * 1024];
        RpcException error = await Assert.ThrowsAsync<RpcException>(() => _client.QueryAsync(new DnsPacket { Msg = ByteString.CopyFrom(huge) }).ResponseAsync);
        // Kestrel's body limit (413) or gRPC's message limit (ResourceExhausted) refuses it first.
        Assert.NotEqual(StatusCode.OK, error.StatusCode);
        Assert.Equal(0, (await Ask(Query("service1.test.global")))[3] & 0xF);
    }
}
