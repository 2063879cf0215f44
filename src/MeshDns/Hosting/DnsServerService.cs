using System.Net;
using System.Net.Sockets;
using MeshDns.Cli;
using MeshDns.Frontends.Dns;
using MeshDns.Resolver;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshDns.Hosting;

/// <summary>Runs the UDP and TCP DNS frontends on --dns-listen for the lifetime of the host.</summary>
public sealed partial class DnsServerService(DnsResolver resolver, MeshDnsOptions options, ConnectionCaps caps, StopSignals signals, Readiness readiness, ILoggerFactory loggers) : IHostedLifecycleService, IMetricsSource
{
    private readonly ILogger _logger = loggers.CreateLogger("MeshDns.Dns");
    private UdpFrontend? _udp;
    private TcpFrontend? _tcp;
    private volatile bool _started;

    public IReadOnlyList<QueryStats> UdpStats => _udp?.Stats ?? [];

    public IReadOnlyList<QueryStats> TcpStats => _tcp?.Stats ?? [];

    public void Write(MetricsText text)
    {
        text.Gauge("meshdns_tcp_connections_open", "DNS-over-TCP connections open.", _tcp?.OpenConnections ?? 0);
        text.Gauge("meshdns_tcp_max_connections", "DNS-over-TCP connection cap in effect (--tcp-max-connections, lowered to fit the open-file limit).", _tcp?.MaxConnections ?? 0);
        text.Counter("meshdns_tcp_evictions_total", "DNS-over-TCP connections closed at the cap to make room for a new one (the longest-waiting).", _tcp?.Evictions ?? 0);
        text.Counter("meshdns_tcp_query_timeouts_total", "DNS-over-TCP connections closed because a query did not arrive whole within --tcp-query-timeout.", _tcp?.QueryTimeouts ?? 0);
        text.Counter("meshdns_tcp_accept_errors_total", "Failed accepts on the DNS-over-TCP listener (e.g. out of file descriptors), each followed by a back-off.", _tcp?.AcceptErrors ?? 0);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ListenAddress.TryParse(options.DnsListen, out IPEndPoint? endpoint, out _);
        if (endpoint is null)
        {
            LogOff(_logger);
        }
        else
        {
            Listen(endpoint);
        }

        readiness.ListenersUp();
        _started = true;
        return Task.CompletedTask;
    }

    private void Listen(IPEndPoint endpoint)
    {
        _udp = new UdpFrontend(resolver, endpoint, Environment.ProcessorCount, _logger);
        Bind("udp", endpoint, _udp.Start);

        // With port 0 the kernel picked the UDP port; TCP takes the same one.
        endpoint = new IPEndPoint(endpoint.Address, _udp.Endpoint.Port);
        if (caps.Tcp < options.TcpMaxConnections)
        {
            LogCapLowered(_logger, options.TcpMaxConnections, caps.Tcp, caps.Kestrel, caps.FileLimit ?? 0);
        }

        var tcpOptions = new TcpOptions { IdleTimeout = options.TcpIdleTimeout, QueryTimeout = options.TcpQueryTimeout, MaxConnections = caps.Tcp };
        _tcp = new TcpFrontend(resolver, endpoint, tcpOptions, _logger);
        Bind("tcp", endpoint, _tcp.Start);
        LogListening(_logger, _udp.Endpoint.ToString(), _tcp.Endpoint.ToString());
    }

    private static void Bind(string network, IPEndPoint endpoint, Action start)
    {
        try
        {
            start();
        }
        catch (SocketException e)
        {
            throw new ListenException($"listen {network} {endpoint}: {Describe(e)}", e);
        }
    }

    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => "address already in use",
        SocketError.AccessDenied => "permission denied (ports below 1024 need privileges)",
        SocketError.AddressNotAvailable => "address not available on this machine",
        _ => e.Message,
    };

    /// <summary>Lame duck (CoreDNS's health { lameduck }): before any service stops, not ready but still answering while
    /// load balancers move away. Skipped for a stop during start-up: no traffic was sent yet.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (_started && options.Lameduck > TimeSpan.Zero)
        {
            LogLameduck(_logger, options.Lameduck.TotalSeconds);
            using var cut = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, signals.Hurry);
            // A second signal, or the host's stop timeout, closes at once.
            await Task.Delay(options.Lameduck, cut.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Safe when start-up never reached this service.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _udp?.Dispose();
        await (_tcp?.DisposeAsync() ?? ValueTask.CompletedTask).ConfigureAwait(false);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "DNS listening on udp {Udp} and tcp {Tcp}")]
    private static partial void LogListening(ILogger logger, string udp, string tcp);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: not ready, still answering for {Seconds:0.#} s (lame duck)")]
    private static partial void LogLameduck(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DNS-over-TCP connection cap lowered from {Requested} to {Cap} (HTTP and gRPC: {Kestrel} each) to fit the open-file limit {Limit}")]
    private static partial void LogCapLowered(ILogger logger, int requested, int cap, int kestrel, long limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "DNS listener off (--dns-listen off)")]
    private static partial void LogOff(ILogger logger);
}

/// <summary>The process exits 1 with this message.</summary>
public sealed class ListenException(string message, Exception inner) : Exception(message, inner);
