using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MeshDns.IntegrationTests;

/// <summary>
/// Hostile DNS-over-TCP clients against the real process: slowloris and file-descriptor exhaustion. Every
/// test is bounded in connections and seconds, and waits for a positive signal (an answer, a close, a
/// counter, a log line).
/// </summary>
public sealed partial class HostileTcpTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_query_trickled_one_octet_a_second_is_closed_at_the_query_timeout()
    {
        // Defaults: idle timeout 10 s, query timeout 5 s. One octet a second kept this open forever.
        using Server server = Server.Start();
        using Socket trickler = await Connect(server.Dns);
        trickler.Send([0, 64]); // a 64-octet query announced, never delivered whole

        Task<bool> closed = WaitForClose(trickler, Patience);
        while (!closed.IsCompleted)
        {
            try
            {
                trickler.Send([0]);
            }
            catch (SocketException)
            {
                break; // reset by the server: closed as well
            }

            await Task.WhenAny(closed, Task.Delay(1000));
        }

        Assert.True(await closed, "the server did not close a connection trickling one octet a second within " + Patience);
        Assert.True(await server.WaitForMetric("meshdns_tcp_query_timeouts_total", v => v >= 1) >= 1);
    }

    [Fact]
    public async Task Slowloris_connections_beyond_the_cap_do_not_lock_out_legitimate_queries()
    {
        using Server server = Server.Start("--tcp-max-connections", "50");
        var tricklers = new List<Socket>();
        using var stop = new CancellationTokenSource();
        try
        {
            for (int i = 0; i < 60; i++)
            {
                Socket s = await Connect(server.Dns);
                s.Send([0, 64]);
                tricklers.Add(s);
            }

            Task trickle = Trickle(tricklers, stop.Token);
            await server.WaitForMetric("meshdns_tcp_connections_open", v => v >= 50);
            for (int i = 0; i < 5; i++)
            {
                byte[] answer = await TcpQuery(server.Dns, "payments.shop.global", (ushort)(100 + i));
                Assert.Equal(100 + i, BinaryPrimitives.ReadUInt16BigEndian(answer));
                Assert.Equal(0, answer[3] & 0xF); // NOERROR
            }

            Assert.True(await server.WaitForMetric("meshdns_tcp_evictions_total", v => v >= 5) >= 5);
            await stop.CancelAsync();
            await trickle;
        }
        finally
        {
            tricklers.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Out_of_file_descriptors_probes_and_queries_still_answer()
    {
        // Hard and soft limit 320 (the JIT build alone holds ~200 descriptors; the AOT build ~20); 400
        // connections would take every descriptor left without a cap sized below the limit. The long idle
        // timeout keeps them all held while the probes are asked.
        using Server server = Server.StartUnder("ulimit -n 320", "--tcp-max-connections", "1024", "--tcp-idle-timeout", "60s");
        var held = new List<Socket>();
        try
        {
            Task<Socket?>[] connects = [.. Enumerable.Range(0, 400).Select(_ => TryConnect(server.Dns))];
            held.AddRange((await Task.WhenAll(connects)).OfType<Socket>());

            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/readyz")).StatusCode);
            byte[] answer = await TcpQuery(server.Dns, "payments.shop.global", 4242);
            Assert.Equal(4242, BinaryPrimitives.ReadUInt16BigEndian(answer));
            Assert.True(await server.WaitForMetric("meshdns_tcp_evictions_total", v => v > 0) > 0);
            server.Process.WaitForLine("DNS-over-TCP connection cap lowered from 1024", TimeSpan.FromSeconds(5));
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    [PublishedBinaryFact]
    public async Task Connections_to_the_grpc_port_cannot_take_the_last_descriptors_either()
    {
        // Kestrel caps each of its ports; under a low limit those caps are lowered too, so 400 held gRPC
        // connections plus 400 DNS ones leave the HTTP port its descriptors (Kestrel's accept loop would
        // otherwise retry without pause and the probes time out).
        int grpc = ServerProcess.FreePort();
        using Server server = Server.StartUnder("ulimit -n 320", "--grpc-listen", $"127.0.0.1:{grpc}", "--tcp-idle-timeout", "60s");
        var held = new List<Socket>();
        try
        {
            Task<Socket?>[] connects = [.. Enumerable.Range(0, 400).SelectMany(_ => new[] { TryConnect(new IPEndPoint(IPAddress.Loopback, grpc)), TryConnect(server.Dns) })];
            held.AddRange((await Task.WhenAll(connects)).OfType<Socket>());

            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/readyz")).StatusCode);
            byte[] answer = await TcpQuery(server.Dns, "payments.shop.global", 4343);
            Assert.Equal(4343, BinaryPrimitives.ReadUInt16BigEndian(answer));
            server.Process.WaitForLine("(HTTP and gRPC: ", TimeSpan.FromSeconds(5));
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public void A_low_soft_open_file_limit_is_raised_to_the_hard_limit()
    {
        using Server server = Server.StartUnder("ulimit -Sn 256");
        Match limits = OpenFilesLimit().Match(File.ReadAllText($"/proc/{server.Process.Pid}/limits"));
        Assert.True(limits.Success);
        long hard = long.Parse(limits.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.True(hard > 256, $"this test needs a hard open-file limit above 256, not {hard}");
        Assert.Equal(hard, long.Parse(limits.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"Max open files\s+(\d+)\s+(\d+)")]
    private static partial Regex OpenFilesLimit();

    /// <summary>One octet a second on every connection still open, as a slowloris client does.</summary>
    private static async Task Trickle(List<Socket> sockets, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            foreach (Socket s in sockets)
            {
                try
                {
                    s.Send([0], SocketFlags.None, out _);
                }
                catch (ObjectDisposedException)
                {
                }
            }

            try
            {
                await Task.Delay(1000, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>True once the peer closes (FIN or reset); false if <paramref name="timeout"/> passes first.</summary>
    private static async Task<bool> WaitForClose(Socket socket, TimeSpan timeout)
    {
        using var guard = new CancellationTokenSource(timeout);
        var buffer = new byte[16];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, guard.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<Socket> Connect(IPEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(endpoint, guard.Token);
        return socket;
    }

    /// <summary>A connection, or null when the server's backlog is full (a server out of descriptors stops accepting).</summary>
    private static async Task<Socket?> TryConnect(IPEndPoint endpoint)
    {
        try
        {
            return await Connect(endpoint);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>One query on a new connection; the answer, or an exception within 10 s.</summary>
    private static async Task<byte[]> TcpQuery(IPEndPoint endpoint, string name, ushort id)
    {
        using Socket socket = await Connect(endpoint);
        using var stream = new NetworkStream(socket);
        return await Ask(stream, name, id);
    }

    /// <summary>An A query for <paramref name="name"/> on an open DNS-over-TCP connection; the answer, or an exception within 10 s.</summary>
    internal static async Task<byte[]> Ask(NetworkStream stream, string name, ushort id)
    {
        byte[] query = GrpcTests.Query(name, id: id);
        await stream.WriteAsync((byte[])[(byte)(query.Length >> 8), (byte)query.Length, .. query]);

        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        byte[] prefix = new byte[2];
        await stream.ReadExactlyAsync(prefix, guard.Token);
        byte[] answer = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(answer, guard.Token);
        return answer;
    }

    /// <summary>meshdns on loopback ports of its own, serving the examples, with an HTTP client for probes and /metrics.</summary>
    private sealed class Server : IDisposable
    {
        private Server(ServerProcess process, IPEndPoint dns, HttpClient http)
        {
            Process = process;
            Dns = dns;
            Http = http;
        }

        public ServerProcess Process { get; }

        public IPEndPoint Dns { get; }

        public HttpClient Http { get; }

        public static Server Start(params string[] args) => StartUnder(null, args);

        /// <summary>With <paramref name="shell"/>, meshdns runs from bash after that command (e.g. a ulimit).</summary>
        public static Server StartUnder(string? shell, params string[] args)
        {
            int dns = ServerProcess.FreePort();
            int http = ServerProcess.FreePort();
            string[] all = ["--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{dns}", "--http-listen", $"127.0.0.1:{http}", "--lameduck", "0s", .. args];
            ServerProcess process = shell is null ? ServerProcess.Start(dns, all) : ServerProcess.StartUnder(shell, dns, all);
            var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}"), Timeout = TimeSpan.FromSeconds(10) };
            return new Server(process, new IPEndPoint(IPAddress.Loopback, dns), client);
        }

        /// <summary>Scrapes /metrics until <paramref name="name"/> (no labels) satisfies <paramref name="until"/>; returns its last value.</summary>
        public async Task<double> WaitForMetric(string name, Func<double, bool> until)
        {
            double value = double.NaN;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < Patience)
            {
                string text = await Http.GetStringAsync("/metrics");
                Match sample = Regex.Match(text, $"^{Regex.Escape(name)} (\\S+)$", RegexOptions.Multiline);
                value = sample.Success ? double.Parse(sample.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
                if (sample.Success && until(value))
                {
                    return value;
                }

                await Task.Delay(200);
            }

            throw new TimeoutException($"{name} is {value} after {Patience}:\n{Process.Output}");
        }

        public void Dispose()
        {
            Http.Dispose();
            Process.Dispose();
        }
    }
}

/// <summary>
/// A test of the published (NativeAOT) binary only: the JIT build opens its assemblies lazily, hundreds
/// of files after start, so file-descriptor budgets measured at start do not hold for it.
/// </summary>
public sealed class PublishedBinaryFactAttribute : FactAttribute
{
    public PublishedBinaryFactAttribute()
    {
        if (File.Exists(Path.Combine(Path.GetDirectoryName(Repo.Binary)!, "meshdns.dll")))
        {
            Skip = "needs the published binary (MESHDNS_BINARY=out/meshdns, as CI sets it); this is the JIT build";
        }
    }
}
