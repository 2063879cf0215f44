using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MeshDns.Soak;

/// <summary>Asks one question and waits for its answer; null when none came within the timeout.</summary>
public interface IAsker : IAsyncDisposable
{
    string Transport { get; }

    Task<DnsAnswer?> AskAsync(string name, ushort type, CancellationToken stop);
}

/// <summary>One connected UDP socket; answers to earlier, timed-out questions are skipped by ID.</summary>
public sealed class UdpAsker(IPEndPoint server, TimeSpan timeout) : IAsker
{
    private readonly UdpClient _udp = Connected(server);
    private ushort _id;

    public string Transport => "udp";

    public async Task<DnsAnswer?> AskAsync(string name, ushort type, CancellationToken stop)
    {
        ushort id = ++_id;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
        wait.CancelAfter(timeout);
        try
        {
            await _udp.SendAsync(DnsMessage.Query(id, name, type), stop).ConfigureAwait(false);
            while (true)
            {
                UdpReceiveResult r = await _udp.ReceiveAsync(wait.Token).ConfigureAwait(false);
                DnsAnswer? answer = DnsMessage.Read(r.Buffer);
                if (answer?.Id == id)
                {
                    return answer;
                }
            }
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            return null; // port unreachable: not listening (yet)
        }
    }

    public ValueTask DisposeAsync()
    {
        _udp.Dispose();
        return ValueTask.CompletedTask;
    }

    private static UdpClient Connected(IPEndPoint server)
    {
        var udp = new UdpClient(server.AddressFamily);
        udp.Connect(server);
        return udp;
    }
}

/// <summary>One DNS-over-TCP connection, opened again when the server closed it (counted).</summary>
public sealed class TcpAsker(IPEndPoint server, TimeSpan timeout, Tally tally) : IAsker
{
    private TcpClient? _client;
    private ushort _id;
    private bool _retrying;

    public string Transport => "tcp";

    public async Task<DnsAnswer?> AskAsync(string name, ushort type, CancellationToken stop)
    {
        ushort id = ++_id;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
        wait.CancelAfter(timeout);
        try
        {
            if (_client is null)
            {
                _client = new TcpClient(server.AddressFamily) { NoDelay = true };
                await _client.ConnectAsync(server, wait.Token).ConfigureAwait(false);
            }

            NetworkStream stream = _client.GetStream();
            await stream.WriteAsync(DnsMessage.TcpFramed(DnsMessage.Query(id, name, type)), wait.Token).ConfigureAwait(false);
            byte[] response = await ReadFrameAsync(stream, wait.Token).ConfigureAwait(false);
            return DnsMessage.Read(response);
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException
                                  || (e is OperationCanceledException && !stop.IsCancellationRequested))
        {
            // Closed by the server (or no answer in time): the next question opens a new connection.
            tally.Add(e is OperationCanceledException ? "tcp.timeouts" : "tcp.reconnects");
            _client?.Dispose();
            _client = null;
            return e is OperationCanceledException ? null : await RetryOnceAsync(name, type, stop).ConfigureAwait(false);
        }
    }

    public static async Task<byte[]> ReadFrameAsync(Stream stream, CancellationToken token)
    {
        byte[] prefix = new byte[2];
        await stream.ReadExactlyAsync(prefix, token).ConfigureAwait(false);
        byte[] body = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(body, token).ConfigureAwait(false);
        return body;
    }

    public ValueTask DisposeAsync()
    {
        _client?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<DnsAnswer?> RetryOnceAsync(string name, ushort type, CancellationToken stop)
    {
        if (_retrying)
        {
            return null;
        }

        _retrying = true;
        try
        {
            return await AskAsync(name, type, stop).ConfigureAwait(false);
        }
        finally
        {
            _retrying = false;
        }
    }
}
