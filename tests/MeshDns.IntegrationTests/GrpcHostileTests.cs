using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MeshDns.Frontends.Grpc.Protocol;

namespace MeshDns.IntegrationTests;

/// <summary>Hostile gRPC clients against the real process: bounded in calls, connections and seconds.</summary>
public sealed partial class GrpcHostileTests : IDisposable
{
    private static readonly Method<byte[], byte[]> RawQuery = new(
        MethodType.Unary, "coredns.dns.DnsService", "Query", Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));

    private readonly ServerProcess _server;
    private readonly HttpClient _http;
    private readonly int _grpc;

    public GrpcHostileTests()
    {
        int dns = ServerProcess.FreePort();
        int http = ServerProcess.FreePort();
        _grpc = ServerProcess.FreePort();
        _server = ServerProcess.Start(dns, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{dns}", "--http-listen", $"127.0.0.1:{http}", "--grpc-listen", $"127.0.0.1:{_grpc}");
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
    }

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
    }

    private async Task<Dictionary<string, double>> Metrics() => OperabilityTests.Parse(await _http.GetStringAsync("/metrics"));

    [Fact]
    public async Task Malformed_protobuf_bodies_get_invalid_argument_are_counted_and_barely_logged()
    {
        // Each is not a DnsPacket: a length past the end, a truncated varint, wire type 7, field number 0.
        byte[][] bodies = [[0x0A, 0x10, 1, 2], [0x0A, 0xFF, 0xFF, 0xFF], [0x0F], [0x00]];
        const int calls = 2000;
        int linesBefore = _server.Lines.Count;
        using GrpcChannel channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_grpc}");
        CallInvoker invoker = channel.CreateCallInvoker();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<StatusCode>();
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(Enumerable.Range(0, calls).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await invoker.AsyncUnaryCall(RawQuery, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)), bodies[i % bodies.Length]);
                statuses.Add(StatusCode.OK);
            }
            catch (RpcException e)
            {
                statuses.Add(e.StatusCode);
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.Equal(calls, statuses.Count(s => s == StatusCode.InvalidArgument));
        Assert.Equal(calls, (await Metrics())["meshdns_dns_malformed_total{transport=\"grpc\"}"]);

        // Each call is logged or counted before its answer, so the lines account for every call up to the last one
        // logged. One more bad body at a time, until one is logged (a second after the last) and the count closes.
        int sent = calls;
        int Accounted() => _server.Lines.Skip(linesBefore).Select(l => MalformedLine().Match(l)).Where(m => m.Success)
            .Sum(m => 1 + int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        do
        {
            Assert.True(sent < calls + 40, $"{Accounted()} of {sent} bad bodies logged or counted:\n{_server.Output}");
            await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(RawQuery, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)), bodies[0]).ResponseAsync);
            sent++;
        }
        while (!_server.WaitUntil(() => Accounted() == sent, TimeSpan.FromMilliseconds(250), "the malformed-body lines"));

        int lines = _server.Lines.Count - linesBefore;
        Assert.True(lines < 50, $"{lines} log lines for {sent} bad bodies:\n{string.Join('\n', _server.Lines.Skip(linesBefore).Take(20))}");

        // A good query on the same channel still gets its answer.
        byte[] query = Convert.FromHexString("0a26424201000001000000000000087365727669636531047465737406676c6f62616c0000010001");
        byte[] reply = await invoker.AsyncUnaryCall(RawQuery, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)), query);
        Assert.Equal(0x42, reply[2]); // DnsPacket{msg: ...}: tag, length, then the DNS ID 0x4242
    }

    private static readonly byte[] GoodQuery = Convert.FromHexString("424201000001000000000000087365727669636531047465737406676c6f62616c0000010001");

    /// <summary>Each channel its own HTTP/2 connection; every one runs <paramref name="callsEach"/> concurrent calls. Returns the failures' statuses.</summary>
    private async Task<string[]> Burst(List<GrpcChannel> channels, int connections, int callsEach)
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        for (int i = 0; i < connections; i++)
        {
            // One connection per channel: calls past the server's stream limit wait for a free stream.
            var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false };
            channels.Add(GrpcChannel.ForAddress($"http://127.0.0.1:{_grpc}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true }));
        }

        await Task.WhenAll(channels.Select(channel => Task.WhenAll(Enumerable.Range(0, callsEach).Select(async _ =>
        {
            try
            {
                await new DnsService.DnsServiceClient(channel).QueryAsync(new DnsPacket { Msg = ByteString.CopyFrom(GoodQuery) }, deadline: DateTime.UtcNow.AddSeconds(60));
            }
            catch (RpcException e)
            {
                failures.Add($"{e.StatusCode}: {e.Status.Detail}");
            }
        }))));
        return [.. failures];
    }

    private async Task WaitForNoConnections()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await Metrics())["meshdns_grpc_connections_open"] > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "gRPC connections still open 30 s after the clients closed them");
            await Task.Delay(200);
        }
    }

    private long Rss(string field) =>
        long.Parse(File.ReadLines($"/proc/{_server.Pid}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;

    [Fact]
    public async Task Memory_taken_by_a_burst_of_connections_is_given_back_once_they_close()
    {
        var warmUp = new List<GrpcChannel>();
        Assert.Empty(await Burst(warmUp, 4, 20)); // code paths and thread pool warm before the baseline
        warmUp.ForEach(c => c.Dispose());
        await WaitForNoConnections();
        long baseline = Rss("VmRSS");

        var channels = new List<GrpcChannel>();
        Assert.Empty(await Burst(channels, 120, 100)); // 12 000 streams in flight at most
        long peak = Rss("VmHWM");
        channels.ForEach(c => c.Dispose());
        await WaitForNoConnections();

        // Given back within a few trim intervals (5 s); only /proc is read meanwhile, so the server stays quiet.
        const long boundMiB = 40;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long now;
        while ((now = Rss("VmRSS")) > baseline + boundMiB)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"RSS {baseline} MiB before the burst, {peak} MiB peak, still {now} MiB 60 s after it (bound: +{boundMiB} MiB)");
            await Task.Delay(250);
        }

        Assert.True((await Metrics())["meshdns_memory_trims_total"] >= 1);
    }

    [Fact]
    public async Task Connections_past_128_are_closed_at_once_and_counted()
    {
        var channels = new List<GrpcChannel>();
        try
        {
            await Burst(channels, 140, 1);
            Dictionary<string, double> metrics = await Metrics();
            Assert.Equal(128, metrics["meshdns_grpc_connections_open"]); // the 128 served stay open (idle HTTP/2)
            Assert.True(metrics["meshdns_grpc_connections_rejected_total"] >= 12);
        }
        finally
        {
            channels.ForEach(c => c.Dispose());
        }

        await WaitForNoConnections();
        using GrpcChannel fresh = GrpcChannel.ForAddress($"http://127.0.0.1:{_grpc}");
        DnsPacket reply = await new DnsService.DnsServiceClient(fresh).QueryAsync(new DnsPacket { Msg = ByteString.CopyFrom(GoodQuery) }, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(0, reply.Msg[3] & 0xF);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"is not a DnsPacket: answered INVALID_ARGUMENT \((\d+) more since the last such line")]
    private static partial System.Text.RegularExpressions.Regex MalformedLine();
}
