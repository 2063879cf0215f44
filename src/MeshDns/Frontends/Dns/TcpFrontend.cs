using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MeshDns.Resolver;
using Microsoft.Extensions.Logging;

namespace MeshDns.Frontends.Dns;

/// <summary>Limits of the TCP listener; every input is bounded.</summary>
public sealed record TcpOptions
{
    /// <summary>Without a query under way (RFC 7766 6.2.3).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>From a query's first octet; trickled octets do not extend it (slowloris).</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>At the cap, a new connection closes the one waiting longest on its client.</summary>
    public int MaxConnections { get; init; } = 1024;
    /// <summary>Queries are small; a longer frame disconnects the client.</summary>
    public int MaxQuerySize { get; init; } = 4096;
}

/// <summary>DNS over TCP (RFC 7766): length framing, pipelined queries answered in order, idle and per-query timeouts,
/// caps on connections and query size. A misbehaving client loses only its own connection.</summary>
public sealed partial class TcpFrontend(DnsResolver resolver, IPEndPoint endpoint, TcpOptions options, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<Connection> _connections = [];
    // One counter set per thread (single writer, plain increments): no contention between cores.
    private readonly ThreadLocal<QueryStats> _stats = new(() => new QueryStats(), trackAllValues: true);
    private readonly QueryLog _queryLog = new(logger, "tcp");
    private Socket? _listener;
    private Task? _acceptLoop;
    private int _disposed;
    private int _open;
    private long _evictions;
    private long _queryTimeouts;
    private long _acceptErrors;
    private long _lastAcceptErrorLog;

    public IPEndPoint Endpoint { get; private set; } = endpoint;

    public int OpenConnections => Volatile.Read(ref _open);
    public int MaxConnections => options.MaxConnections;
    public long Evictions => Interlocked.Read(ref _evictions);
    public long QueryTimeouts => Interlocked.Read(ref _queryTimeouts);
    public long AcceptErrors => Interlocked.Read(ref _acceptErrors);
    /// <summary>One set per thread that served connections; sum them.</summary>
    public IReadOnlyList<QueryStats> Stats => [.. _stats.Values];

    /// <summary>Throws <see cref="SocketException"/> when the address is taken.</summary>
    public void Start()
    {
        _listener = UdpFrontend.Bind(Endpoint, SocketType.Stream, ProtocolType.Tcp, bound: listener => listener.Listen(512));
        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptLoop);
    }

    private async Task AcceptLoop()
    {
        TimeSpan backoff = TimeSpan.Zero;
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener!.AcceptAsync(_stop.Token).ConfigureAwait(false);
                backoff = TimeSpan.Zero;
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                continue; // the client reset before accept completed
            }
            catch (SocketException e)
            {
                // Out of descriptors or kernel memory: an immediate retry fails the same way, spinning a core.
                backoff = AcceptFailed(e, backoff);
                await Task.Delay(backoff, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue; // a stop during the wait ends the loop at its condition
            }

            Admit(client);
        }
    }

    /// <summary>Logs at most once a minute; returns the next back-off (10 ms doubling to 1 s).</summary>
    private TimeSpan AcceptFailed(SocketException e, TimeSpan backoff)
    {
        Interlocked.Increment(ref _acceptErrors);
        long now = Stopwatch.GetTimestamp();
        if (_lastAcceptErrorLog == 0 || Stopwatch.GetElapsedTime(_lastAcceptErrorLog, now) > TimeSpan.FromMinutes(1))
        {
            _lastAcceptErrorLog = now;
            LogAcceptFailed(logger, e.SocketErrorCode.ToString(), e.Message);
        }

        return backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(10) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.TicksPerSecond));
    }

    /// <summary>At the cap, first closes the connection that has waited longest.</summary>
    private void Admit(Socket client)
    {
        var connection = new Connection(client);
        Connection? evicted = null;
        lock (_connections)
        {
            if (_connections.Count >= options.MaxConnections)
            {
                // O(connections), only when full: cheaper than keeping an order on every query.
                foreach (Connection c in _connections)
                {
                    if (evicted is null || Volatile.Read(ref c.WaitingSince) < Volatile.Read(ref evicted.WaitingSince))
                    {
                        evicted = c;
                    }
                }

                _connections.Remove(evicted!);
            }

            _connections.Add(connection);
            Volatile.Write(ref _open, _connections.Count);
        }

        if (evicted is not null)
        {
            Interlocked.Increment(ref _evictions);
            evicted.Socket.Dispose(); // its pending receive or send fails, and Serve cleans up
        }

        _ = Serve(connection);
    }

    private async Task Serve(Connection connection)
    {
        Socket client = connection.Socket;
        byte[] input = ArrayPool<byte>.Shared.Rent(2 + options.MaxQuerySize);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        int filled = 0;
        long queryStarted = 0, lastRead = 0; // when the first octet of the query under way arrived; the last read
        try
        {
            client.NoDelay = true;
            while (true)
            {
                int consumed = await AnswerFrames(client, input, filled, deadline).ConfigureAwait(false);
                if (consumed < 0)
                {
                    _stats.Value!.Malformed++;
                    return; // not DNS, or an oversized frame: disconnect this client only
                }

                if (consumed > 0)
                {
                    input.AsSpan(consumed, filled - consumed).CopyTo(input);
                    filled -= consumed;
                    Volatile.Write(ref connection.WaitingSince, Stopwatch.GetTimestamp());
                    queryStarted = lastRead; // what is left (the start of the next query) came with the last read
                }

                // Between queries the idle timeout; within one, what is left of the query timeout.
                TimeSpan wait = filled == 0 ? options.IdleTimeout : options.QueryTimeout - Stopwatch.GetElapsedTime(queryStarted);
                if (wait <= TimeSpan.Zero)
                {
                    throw new OperationCanceledException();
                }

                deadline.CancelAfter(wait);
                int received = await client.ReceiveAsync(input.AsMemory(filled, 2 + options.MaxQuerySize - filled), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                if (received == 0)
                {
                    return; // the client closed
                }

                lastRead = Stopwatch.GetTimestamp();
                queryStarted = filled == 0 ? lastRead : queryStarted;
                filled += received;
            }
        }
        catch (Exception e)
        {
            Closed(e, partial: filled > 0);
        }
        finally
        {
            Release(connection, input);
        }
    }

    private void Release(Connection connection, byte[] input)
    {
        lock (_connections)
        {
            if (_connections.Remove(connection)) // else it was evicted, and no longer counted
            {
                Volatile.Write(ref _open, _connections.Count);
            }
        }

        connection.Socket.Dispose();
        ArrayPool<byte>.Shared.Return(input);
    }

    /// <summary>Answers the complete frames in order; returns octets consumed, or -1 for a frame no DNS client sends.</summary>
    private async ValueTask<int> AnswerFrames(Socket client, byte[] input, int filled, CancellationTokenSource deadline)
    {
        // The 64 KiB answer buffer is held only while answering: an idle connection costs its small input buffer.
        byte[]? output = null;
        int offset = 0;
        try
        {
            while (filled - offset >= 2)
            {
                int length = BinaryPrimitives.ReadUInt16BigEndian(input.AsSpan(offset, 2));
                if (length is 0 || length > options.MaxQuerySize)
                {
                    return -1;
                }

                if (filled - offset - 2 < length)
                {
                    break; // the rest of this frame has not arrived yet
                }

                output ??= ArrayPool<byte>.Shared.Rent(2 + DnsResolver.MaxMessageSize);
                int written = Resolve(input.AsSpan(offset + 2, length), output);
                offset += 2 + length;
                if (written > 0)
                {
                    deadline.CancelAfter(options.IdleTimeout); // a client that does not read is idle too
                    await SendAll(client, output.AsMemory(0, written), deadline.Token).ConfigureAwait(false);
                }
            }

            return offset;
        }
        finally
        {
            if (output is not null)
            {
                ArrayPool<byte>.Shared.Return(output);
            }
        }
    }

    private void Closed(Exception e, bool partial)
    {
        if (e is OperationCanceledException && partial && !_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _queryTimeouts);
        }
        else if (e is not (OperationCanceledException or SocketException or ObjectDisposedException)) // else: a timeout, a reset, an eviction or a stop
        {
            _stats.Value!.Errors++;
            LogConnectionFailed(logger, e);
        }
    }

    /// <summary>Writes the answer with its length prefix; returns octets to send.</summary>
    private int Resolve(ReadOnlySpan<byte> query, byte[] output)
    {
        ResolveResult result;
        long started = Stopwatch.GetTimestamp();
        try
        {
            result = resolver.Resolve(query, output.AsSpan(2, DnsResolver.MaxMessageSize), DnsTransport.Tcp);
            _stats.Value!.RecordDuration(Stopwatch.GetTimestamp() - started);
        }
        catch (Exception e)
        {
            _stats.Value!.Errors++;
            LogRequestFailed(logger, e);
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

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return; // idempotent: a second stop has nothing left to do
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        lock (_connections)
        {
            foreach (Connection connection in _connections)
            {
                connection.Socket.Dispose();
            }
        }

        await (_acceptLoop ?? Task.CompletedTask).ConfigureAwait(false);

        _stop.Dispose();
        // _stats stays alive: scrapes after a stop still read it.
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "TCP request failed")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TCP connection failed")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TCP accept failed ({Error}: {Reason}); backing off, counted in meshdns_tcp_accept_errors_total, logged at most once a minute")]
    private static partial void LogAcceptFailed(ILogger logger, string error, string reason);

    private sealed class Connection(Socket socket)
    {
        public readonly Socket Socket = socket;

        /// <summary>Since accepted or last answered (trickled octets do not move it); the smallest is evicted at the cap.</summary>
        public long WaitingSince = Stopwatch.GetTimestamp();
    }
}
