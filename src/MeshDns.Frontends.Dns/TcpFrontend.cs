using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using MeshDns.Resolver;
using Microsoft.Extensions.Logging;

namespace MeshDns.Frontends.Dns;

/// <summary>Limits of the TCP listener; every input is bounded.</summary>
public sealed record TcpOptions
{
    /// <summary>A connection with no complete query for this long is closed (RFC 7766 6.2.3).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections beyond this are accepted and closed at once, so they do not wait in the backlog.</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>Queries are small; a longer frame means a confused or hostile client, which is disconnected.</summary>
    public int MaxQuerySize { get; init; } = 4096;
}

/// <summary>
/// DNS over TCP (RFC 7766): two-octet length framing, several pipelined queries per connection answered
/// in order, partial reads, an idle timeout, and caps on connections and query size. A misbehaving client
/// loses only its own connection.
/// </summary>
public sealed partial class TcpFrontend : IAsyncDisposable
{
    private readonly DnsResolver _resolver;
    private readonly TcpOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<Socket> _connections = [];
    // One counter set per thread (single writer, plain increments): no contention between cores.
    private readonly ThreadLocal<QueryStats> _stats = new(() => new QueryStats(), trackAllValues: true);
    private readonly QueryLog _queryLog;
    private Socket? _listener;
    private Task? _acceptLoop;
    private int _open;

    public TcpFrontend(DnsResolver resolver, IPEndPoint endpoint, TcpOptions options, ILogger logger)
    {
        _resolver = resolver;
        _options = options;
        _logger = logger;
        _queryLog = new QueryLog(logger, "tcp");
        Endpoint = endpoint;
    }

    public IPEndPoint Endpoint { get; private set; }

    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>Counters, one set per thread that served connections; sum them.</summary>
    public IReadOnlyList<QueryStats> Stats => [.. _stats.Values];

    /// <summary>Binds and listens. Throws <see cref="SocketException"/> when the address is taken.</summary>
    public void Start()
    {
        var listener = new Socket(Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (Endpoint.AddressFamily == AddressFamily.InterNetworkV6 && Endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(Endpoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        Endpoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptLoop);
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener!.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // e.g. the client reset before accept completed
            }

            if (Interlocked.Increment(ref _open) > _options.MaxConnections)
            {
                Interlocked.Decrement(ref _open);
                Interlocked.Increment(ref _stats.Value!.Dropped);
                client.Dispose();
                continue;
            }

            lock (_connections)
            {
                _connections.Add(client);
            }

            _ = Serve(client);
        }
    }

    private async Task Serve(Socket client)
    {
        byte[] input = ArrayPool<byte>.Shared.Rent(2 + _options.MaxQuerySize);
        byte[] output = ArrayPool<byte>.Shared.Rent(2 + DnsResolver.MaxMessageSize);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        int filled = 0;
        try
        {
            client.NoDelay = true;
            while (true)
            {
                int offset = 0;
                while (filled - offset >= 2)
                {
                    int length = BinaryPrimitives.ReadUInt16BigEndian(input.AsSpan(offset, 2));
                    if (length is 0 || length > _options.MaxQuerySize)
                    {
                        _stats.Value!.Malformed++;
                        return; // not DNS, or an oversized frame: disconnect this client only
                    }

                    if (filled - offset - 2 < length)
                    {
                        break; // the rest of this frame has not arrived yet
                    }

                    int written = Resolve(input.AsSpan(offset + 2, length), output);
                    offset += 2 + length;
                    if (written > 0)
                    {
                        idle.CancelAfter(_options.IdleTimeout); // a client that does not read is idle too
                        await SendAll(client, output.AsMemory(0, written), idle.Token).ConfigureAwait(false);
                    }
                }

                if (offset > 0)
                {
                    input.AsSpan(offset, filled - offset).CopyTo(input);
                    filled -= offset;
                }

                idle.CancelAfter(_options.IdleTimeout);
                int received = await client.ReceiveAsync(input.AsMemory(filled, 2 + _options.MaxQuerySize - filled), SocketFlags.None, idle.Token).ConfigureAwait(false);
                if (received == 0)
                {
                    return; // the client closed
                }

                filled += received;
            }
        }
        catch (OperationCanceledException)
        {
            // idle timeout or shutdown
        }
        catch (SocketException)
        {
            // reset by the peer
        }
        catch (ObjectDisposedException)
        {
            // closed by DisposeAsync
        }
        catch (Exception e)
        {
            _stats.Value!.Errors++;
            LogConnectionFailed(_logger, e);
        }
        finally
        {
            lock (_connections)
            {
                _connections.Remove(client);
            }

            client.Dispose();
            Interlocked.Decrement(ref _open);
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    /// <summary>Answers one query into <paramref name="output"/> with its length prefix; returns octets to send.</summary>
    private int Resolve(ReadOnlySpan<byte> query, byte[] output)
    {
        ResolveResult result;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            result = _resolver.Resolve(query, output.AsSpan(2, DnsResolver.MaxMessageSize), DnsTransport.Tcp);
            _stats.Value!.RecordDuration(System.Diagnostics.Stopwatch.GetTimestamp() - started);
        }
        catch (Exception e)
        {
            _stats.Value!.Errors++;
            LogRequestFailed(_logger, e);
            return 0;
        }

        _stats.Value!.Record(query.Length, result);
        _queryLog.Record(query, result);
        if (result.Length == 0)
        {
            return 0;
        }

        BinaryPrimitives.WriteUInt16BigEndian(output, (ushort)result.Length);
        return 2 + result.Length;
    }

    private static async ValueTask SendAll(Socket socket, ReadOnlyMemory<byte> data, CancellationToken token)
    {
        while (!data.IsEmpty)
        {
            int sent = await socket.SendAsync(data, SocketFlags.None, token).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    /// <summary>Stops accepting, closes every connection, and waits for the accept loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        lock (_connections)
        {
            foreach (Socket connection in _connections)
            {
                connection.Dispose();
            }
        }

        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        _stop.Dispose();
        // _stats stays alive: scrapes after a stop still read it.
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "TCP request failed")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TCP connection failed")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception);
}
