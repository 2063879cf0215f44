extern alias server;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using server::MeshDns.Frontends.Dns;
using MeshDns.Resolver;
using MeshDns.Table;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshDns.IntegrationTests;

/// <summary>The UDP and TCP frontends in process, on real loopback sockets.</summary>
public sealed class FrontendTests : IAsyncLifetime
{
    private readonly DnsResolver _resolver;
    private UdpFrontend _udp = null!;
    private TcpFrontend _tcp = null!;

    public FrontendTests()
    {
        var holder = new TableHolder();
        holder.Publish(NameTableBuilder.Build(
            [new ServiceEntryInput("ns", "svc", null, ["svc.global", "*.wild.global"], ["10.0.0.1"], "STATIC", [])],
            new TableOptions(),
            0).Table);
        _resolver = new DnsResolver(holder, new ResolverOptions());
    }

    public Task InitializeAsync()
    {
        _udp = new UdpFrontend(_resolver, new IPEndPoint(IPAddress.Loopback, 0), loops: 2, NullLogger.Instance);
        _udp.Start();
        _tcp = new TcpFrontend(_resolver, new IPEndPoint(IPAddress.Loopback, 0), new TcpOptions { IdleTimeout = TimeSpan.FromSeconds(30), MaxConnections = 4 }, NullLogger.Instance);
        _tcp.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _udp.Dispose();
        await _tcp.DisposeAsync();
    }

    private static byte[] Query(string name, ushort id = 7) => GrpcTests.Query(name, id: id);

    private static int Rcode(byte[] response) => response[3] & 0xF;

    private static ushort Id(byte[] response) => BinaryPrimitives.ReadUInt16BigEndian(response);

    [Fact]
    public async Task Stopping_twice_is_harmless()
    {
        var udp = new UdpFrontend(_resolver, new IPEndPoint(IPAddress.Loopback, 0), loops: 1, NullLogger.Instance);
        udp.Start();
        var tcp = new TcpFrontend(_resolver, new IPEndPoint(IPAddress.Loopback, 0), new TcpOptions(), NullLogger.Instance);
        tcp.Start();
        udp.Dispose();
        udp.Dispose();
        await tcp.DisposeAsync();
        await tcp.DisposeAsync();
        var never = new TcpFrontend(_resolver, new IPEndPoint(IPAddress.Loopback, 0), new TcpOptions(), NullLogger.Instance);
        await never.DisposeAsync(); // stopped before it started, as a stop during start-up does
    }

    [Fact]
    public async Task Udp_answers_and_survives_malformed_packets()
    {
        using var client = new UdpClient(AddressFamily.InterNetwork);
        client.Client.ReceiveTimeout = 3000;
        client.Connect(_udp.Endpoint);

        await client.SendAsync(Query("svc.global"));
        byte[] answer = (await client.ReceiveAsync()).Buffer;
        Assert.Equal(0, Rcode(answer));
        Assert.Equal([10, 0, 0, 1], answer[^4..]);

        await client.SendAsync(new byte[] { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x3F }); // name cut short
        byte[] formerr = (await client.ReceiveAsync()).Buffer;
        Assert.Equal(0x1234, Id(formerr));
        Assert.Equal(1, Rcode(formerr));

        await client.SendAsync(new byte[] { 1, 2, 3 }); // no header: dropped, no reply
        await client.SendAsync(Query("x.wild.global", 99));
        byte[] after = (await client.ReceiveAsync()).Buffer;
        Assert.Equal(99, Id(after));
        Assert.Equal(0, Rcode(after));
    }

    [Fact]
    public async Task Udp_loops_allocate_nothing_per_packet()
    {
        using var client = new UdpClient(AddressFamily.InterNetwork);
        client.Client.ReceiveTimeout = 3000;
        client.Connect(_udp.Endpoint);
        byte[] query = Query("svc.global");

        async Task Burst(int count)
        {
            for (int i = 0; i < count; i++)
            {
                await client.SendAsync(query);
                await client.ReceiveAsync();
            }
        }

        await Burst(2000); // warm up every loop (the kernel spreads by source port, so use several clients)
        using var other = new UdpClient(AddressFamily.InterNetwork);
        other.Connect(_udp.Endpoint);
        for (int i = 0; i < 500; i++)
        {
            await other.SendAsync(query);
            await other.ReceiveAsync();
        }

        long before = _udp.Stats.Sum(s => Volatile.Read(ref s.AllocatedBytes));
        long queriesBefore = _udp.Stats.Sum(s => s.Queries);
        await Burst(10_000);
        long after = _udp.Stats.Sum(s => Volatile.Read(ref s.AllocatedBytes));
        Assert.Equal(10_000, _udp.Stats.Sum(s => s.Queries) - queriesBefore);
        Assert.Equal(0, after - before);
    }

    [Fact]
    public async Task Tcp_answers_pipelined_queries_in_order_across_partial_writes()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_tcp.Endpoint);
        NetworkStream stream = client.GetStream();

        var frames = new List<byte>();
        for (ushort id = 1; id <= 5; id++)
        {
            byte[] q = Query(id % 2 == 0 ? "svc.global" : "a.wild.global", id);
            frames.AddRange([(byte)(q.Length >> 8), (byte)q.Length, .. q]);
        }

        // Dribble the bytes in small pieces, splitting length prefixes and messages.
        byte[] all = [.. frames];
        for (int i = 0; i < all.Length; i += 7)
        {
            await stream.WriteAsync(all.AsMemory(i, Math.Min(7, all.Length - i)));
            await stream.FlushAsync();
            await Task.Delay(2);
        }

        for (ushort id = 1; id <= 5; id++)
        {
            byte[] response = await ReadFrame(stream);
            Assert.Equal(id, Id(response));
            Assert.Equal(0, Rcode(response));
        }
    }

    [Fact]
    public async Task Tcp_idle_connections_are_closed()
    {
        // Its own listener with a short timeout; the shared one uses a long timeout so that a busy test
        // machine (a starved thread pool) cannot close the other tests' connections under them.
        await using var tcp = new TcpFrontend(_resolver, new IPEndPoint(IPAddress.Loopback, 0), new TcpOptions { IdleTimeout = TimeSpan.FromMilliseconds(500) }, NullLogger.Instance);
        tcp.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(tcp.Endpoint);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(new byte[] { 0 }); // half a length prefix, then nothing
        var buffer = new byte[1];
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await stream.ReadAsync(buffer, guard.Token)); // closed by the server
    }

    [Fact]
    public async Task Tcp_a_query_trickled_in_is_closed_at_the_query_timeout()
    {
        // Each octet used to restart the idle timeout; the query timeout runs from the first one.
        await using var tcp = new TcpFrontend(_resolver, new IPEndPoint(IPAddress.Loopback, 0), new TcpOptions { IdleTimeout = TimeSpan.FromSeconds(30), QueryTimeout = TimeSpan.FromMilliseconds(500) }, NullLogger.Instance);
        tcp.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(tcp.Endpoint);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(new byte[] { 0, 40 });
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Task<int> read = stream.ReadAsync(new byte[1], guard.Token).AsTask();
        try
        {
            while (!read.IsCompleted)
            {
                await stream.WriteAsync(new byte[] { 1 }, guard.Token); // one octet of the query every 100 ms
                await Task.WhenAny(read, Task.Delay(100, guard.Token));
            }
        }
        catch (IOException)
        {
            // reset by the server: closed as well
        }

        Assert.Equal(0, await read.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : 0, TaskScheduler.Default));
        Assert.False(guard.IsCancellationRequested, "not closed within 10 s");
        Assert.Equal(1, tcp.QueryTimeouts);
    }

    [Fact]
    public async Task Tcp_oversized_frame_drops_only_that_client()
    {
        using var bad = new TcpClient();
        await bad.ConnectAsync(_tcp.Endpoint);
        NetworkStream badStream = bad.GetStream();
        await badStream.WriteAsync(new byte[] { 0xFF, 0xFF, 1, 2, 3 });
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await badStream.ReadAsync(new byte[1], guard.Token));

        using var good = new TcpClient();
        await good.ConnectAsync(_tcp.Endpoint);
        NetworkStream stream = good.GetStream();
        Assert.Equal(42, Id(await HostileTcpTests.Ask(stream, "svc.global", 42)));
    }

    [Fact]
    public async Task Tcp_connections_beyond_the_cap_close_the_longest_waiting_one()
    {
        // The cap holds, but a full listener no longer turns new clients away (held connections would lock
        // them out): the connection that has waited longest on its client makes room.
        var held = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync(_tcp.Endpoint);
                held.Add(c);
                var deadline = DateTime.UtcNow.AddSeconds(5);
                while (_tcp.OpenConnections < i + 1)
                {
                    Assert.True(DateTime.UtcNow < deadline, $"connection {i + 1} not accepted within 5 s");
                    await Task.Delay(20); // accepted in this order, so held[0] has waited longest
                }
            }

            using var extra = new TcpClient();
            await extra.ConnectAsync(_tcp.Endpoint);
            NetworkStream stream = extra.GetStream();
            Assert.Equal(43, Id(await HostileTcpTests.Ask(stream, "svc.global", 43)));

            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            int read;
            try
            {
                read = await held[0].GetStream().ReadAsync(new byte[1], guard.Token);
            }
            catch (IOException)
            {
                read = 0; // reset instead of FIN: closed as well
            }

            Assert.Equal(0, read);
            Assert.Equal(1, _tcp.Evictions);
            Assert.Equal(4, _tcp.OpenConnections);
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }
    }

    private static async Task<byte[]> ReadFrame(NetworkStream stream)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        byte[] prefix = new byte[2];
        await stream.ReadExactlyAsync(prefix, guard.Token);
        byte[] message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(message, guard.Token);
        return message;
    }
}
