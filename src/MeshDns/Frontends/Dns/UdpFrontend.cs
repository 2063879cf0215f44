using System.Net;
using System.Net.Sockets;
using MeshDns.Resolver;
using Microsoft.Extensions.Logging;

namespace MeshDns.Frontends.Dns;

/// <summary>DNS over UDP: one socket per loop on the same address (SO_REUSEPORT: the kernel spreads datagrams), each
/// served by a thread blocking in ReceiveFrom. Buffers and the peer address are reused: no allocation per packet.</summary>
public sealed partial class UdpFrontend(DnsResolver resolver, IPEndPoint endpoint, int loops, ILogger logger) : IDisposable
{
    private const int ReceiveBufferSize = 65535; // larger datagrams are cut by the kernel and then fail to parse
    private const int SolSocket = 1;      // SOL_SOCKET on Linux
    private const int SoReusePort = 15;   // SO_REUSEPORT on Linux

    private readonly List<Socket> _sockets = [];
    private readonly List<Thread> _threads = [];
    private readonly QueryStats[] _stats = [.. Enumerable.Range(0, Math.Max(1, loops)).Select(_ => new QueryStats())];
    private volatile bool _stopping;

    /// <summary>After <see cref="Start"/>, the bound endpoint (port 0 resolved).</summary>
    public IPEndPoint Endpoint { get; private set; } = endpoint;

    public IReadOnlyList<QueryStats> Stats => _stats;

    /// <summary>Throws <see cref="SocketException"/> when the address is taken.</summary>
    public void Start()
    {
        // A plain bind first: "address already in use" despite SO_REUSEPORT, and port 0 resolved once for all.
        using (Socket probe = CreateSocket(Endpoint, reusePort: false))
        {
            Endpoint = (IPEndPoint)probe.LocalEndPoint!;
        }

        for (int i = 0; i < _stats.Length; i++)
        {
            Socket socket = CreateSocket(Endpoint, reusePort: _stats.Length > 1);
            _sockets.Add(socket);
            QueryStats stats = _stats[i];
            _threads.Add(new Thread(() => Loop(socket, stats)) { IsBackground = true, Name = $"meshdns-udp-{i}" });
        }

        _threads.ForEach(thread => thread.Start());
    }

    private static Socket CreateSocket(IPEndPoint endpoint, bool reusePort) =>
        Bind(endpoint, SocketType.Dgram, ProtocolType.Udp, configure: socket =>
        {
            if (reusePort && OperatingSystem.IsLinux())
            {
                socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            }
        });

    /// <summary>[::] also takes IPv4; disposed again if binding (or <paramref name="bound"/>) fails.</summary>
    internal static Socket Bind(IPEndPoint endpoint, SocketType type, ProtocolType protocol, Action<Socket>? configure = null, Action<Socket>? bound = null)
    {
        var socket = new Socket(endpoint.AddressFamily, type, protocol);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            configure?.Invoke(socket);
            socket.Bind(endpoint);
            bound?.Invoke(socket);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Loop(Socket socket, QueryStats stats)
    {
        var request = new byte[ReceiveBufferSize];
        var response = new byte[DnsResolver.MaxMessageSize];
        var peer = new SocketAddress(socket.AddressFamily);
        var log = new QueryLog(logger, "udp");
        while (!_stopping)
        {
            int received;
            try
            {
                received = socket.ReceiveFrom(request, SocketFlags.None, peer);
            }
            catch (SocketException) when (!_stopping)
            {
                continue; // e.g. ICMP errors reported on the socket: not fatal
            }
            catch (Exception e) when (_stopping || e is ObjectDisposedException)
            {
                return;
            }

            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                ResolveResult result = resolver.Resolve(request.AsSpan(0, received), response, DnsTransport.Udp);
                stats.Record(received, result);
                if (result.Length > 0)
                {
                    socket.SendTo(response.AsSpan(0, result.Length), SocketFlags.None, peer);
                }

                stats.RecordDuration(System.Diagnostics.Stopwatch.GetTimestamp() - started);
                log.Record(request.AsSpan(0, received), result);
            }
            catch (SocketException)
            {
                stats.Errors++; // the peer's problem (e.g. unreachable); keep serving
            }
            catch (Exception e) when (!_stopping)
            {
                // A bug in one request must not take the loop down.
                stats.Errors++;
                LogRequestFailed(logger, e);
            }

            stats.AllocatedBytes = GC.GetAllocatedBytesForCurrentThread();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (Socket socket in _sockets)
        {
            socket.Dispose(); // unblocks ReceiveFrom
        }

        foreach (Thread thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(2));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "UDP request failed")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception);
}
