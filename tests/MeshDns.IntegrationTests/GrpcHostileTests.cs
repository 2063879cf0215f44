using Grpc.Core;
using Grpc.Net.Client;

namespace MeshDns.IntegrationTests;

/// <summary>Hostile gRPC clients against the real process: bounded in calls, connections and seconds.</summary>
public sealed class GrpcHostileTests : IDisposable
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
        _server.WaitForLine("is not a DnsPacket", TimeSpan.FromSeconds(10));
        int lines = _server.Lines.Count - linesBefore;
        Assert.True(lines < 50, $"{lines} log lines for {calls} bad bodies:\n{string.Join('\n', _server.Lines.Skip(linesBefore).Take(20))}");

        // A good query on the same channel still gets its answer.
        byte[] query = Convert.FromHexString("0a26424201000001000000000000087365727669636531047465737406676c6f62616c0000010001");
        byte[] reply = await invoker.AsyncUnaryCall(RawQuery, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)), query);
        Assert.Equal(0x42, reply[2]); // DnsPacket{msg: ...}: tag, length, then the DNS ID 0x4242
    }
}
