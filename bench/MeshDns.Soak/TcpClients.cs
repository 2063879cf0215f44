using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MeshDns.Soak;

/// <summary>
/// DNS-over-TCP clients besides the stable check: idle ones (the server closes them at its idle timeout; they
/// connect again), slow writers that finish a query in about 1.1 s (their answers are judged like the stable
/// check's), slow writers that would take 18 s (the server closes them at its query timeout), and pipelined load.
/// </summary>
public sealed class TcpClients(IPEndPoint server, Tally tally, Random random, string[] loadNames)
{
    public const int Idle = 16;
    public const int SlowWriters = 2;
    public const int LoadConnections = 2;
    private const int Batch = 20;
    private static readonly TimeSpan SlowOctet = TimeSpan.FromMilliseconds(30);
    private static readonly TimeSpan CutOctet = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public IEnumerable<Task> Start(int loadQps, CancellationToken stop)
    {
        for (int i = 0; i < Idle; i++)
        {
            yield return Guard("idle", IdleAsync, stop);
        }

        for (int i = 0; i < SlowWriters; i++)
        {
            yield return Guard("slow", SlowAsync, stop);
            yield return Guard("cut", CutAsync, stop);
        }

        var pace = TimeSpan.FromSeconds((double)Batch * LoadConnections / Math.Max(1, loadQps));
        for (int i = 0; i < LoadConnections; i++)
        {
            int seed = random.Next();
            yield return Guard("load", s => LoadAsync(new Random(seed), pace, s), stop);
        }
    }

    private async Task Guard(string kind, Func<CancellationToken, Task> client, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await client(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or OperationCanceledException)
            {
                tally.Problem($"tcp.{kind}.errors", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
            }
        }
    }

    private async Task<TcpClient> ConnectAsync(CancellationToken stop)
    {
        var client = new TcpClient(server.AddressFamily) { NoDelay = true };
        await client.ConnectAsync(server, stop).ConfigureAwait(false);
        return client;
    }

    /// <summary>Connects, sends nothing, and waits for the server to close.</summary>
    private async Task IdleAsync(CancellationToken stop)
    {
        using TcpClient client = await ConnectAsync(stop).ConfigureAwait(false);
        tally.Add("tcp.idle.connects");
        int read = await client.GetStream().ReadAsync(new byte[1], stop).ConfigureAwait(false);
        tally.Add(read == 0 ? "tcp.idle.closed_by_server" : "tcp.idle.unexpected_data");
    }

    private async Task SlowAsync(CancellationToken stop)
    {
        using TcpClient client = await ConnectAsync(stop).ConfigureAwait(false);
        NetworkStream stream = client.GetStream();
        for (ushort id = 1; !stop.IsCancellationRequested; id++)
        {
            await TrickleAsync(stream, DnsMessage.TcpFramed(DnsMessage.Query(id, Names.StableKubeHost)), SlowOctet, stop).ConfigureAwait(false);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
            wait.CancelAfter(Timeout);
            DnsAnswer? answer = DnsMessage.Read(await TcpAsker.ReadFrameAsync(stream, wait.Token).ConfigureAwait(false));
            StableCheck.Judge(tally, "tcp_slow", Names.StableKubeHost, Names.StableKubeAddress, answer);
        }
    }

    /// <summary>Trickles a query slower than the server's query timeout allows; the server must close the connection.</summary>
    private async Task CutAsync(CancellationToken stop)
    {
        using TcpClient client = await ConnectAsync(stop).ConfigureAwait(false);
        NetworkStream stream = client.GetStream();
        Task<int> closed = stream.ReadAsync(new byte[2], stop).AsTask();
        byte[] query = DnsMessage.TcpFramed(DnsMessage.Query(1, Names.StableFileHost));
        try
        {
            for (int i = 0; i < query.Length && !closed.IsCompleted; i++)
            {
                await stream.WriteAsync(query.AsMemory(i, 1), stop).ConfigureAwait(false);
                await Task.WhenAny(closed, Task.Delay(CutOctet, stop)).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // the server closed it while this was writing
        }

        int read;
        try
        {
            read = await closed.WaitAsync(Timeout, stop).ConfigureAwait(false);
        }
        catch (IOException)
        {
            read = 0; // reset rather than closed: closed all the same
        }

        tally.Add(read == 0 ? "tcp.cut.closed_by_server" : "tcp.cut.answered");
    }

    private static async Task TrickleAsync(NetworkStream stream, byte[] message, TimeSpan pause, CancellationToken stop)
    {
        for (int i = 0; i < message.Length; i++)
        {
            await stream.WriteAsync(message.AsMemory(i, 1), stop).ConfigureAwait(false);
            await Task.Delay(pause, stop).ConfigureAwait(false);
        }
    }

    /// <summary>Batches of pipelined queries from the load's names; every answer must be NOERROR or NXDOMAIN.</summary>
    private async Task LoadAsync(Random names, TimeSpan pace, CancellationToken stop)
    {
        using TcpClient client = await ConnectAsync(stop).ConfigureAwait(false);
        NetworkStream stream = client.GetStream();
        var clock = Stopwatch.StartNew();
        for (long batch = 1; !stop.IsCancellationRequested; batch++)
        {
            using var buffer = new MemoryStream();
            for (int i = 0; i < Batch; i++)
            {
                buffer.Write(DnsMessage.TcpFramed(DnsMessage.Query((ushort)i, loadNames[names.Next(loadNames.Length)])));
            }

            await stream.WriteAsync(buffer.ToArray(), stop).ConfigureAwait(false);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
            wait.CancelAfter(Timeout);
            for (int i = 0; i < Batch; i++)
            {
                DnsAnswer? answer = DnsMessage.Read(await TcpAsker.ReadFrameAsync(stream, wait.Token).ConfigureAwait(false));
                bool legitimate = answer is { Rcode: DnsAnswer.NoError or DnsAnswer.NxDomain };
                tally.Add(legitimate ? "tcp.load.answers" : "tcp.load.bad_answers");
            }

            TimeSpan ahead = pace * batch - clock.Elapsed;
            if (ahead > TimeSpan.Zero)
            {
                await Task.Delay(ahead, stop).ConfigureAwait(false);
            }
        }
    }
}
