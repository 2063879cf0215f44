using System.Net;
using System.Net.Sockets;
using System.Reflection;
using MeshDns.Cli;
using MeshDns.Hosting;
using MeshDns.Resolver;
using MeshDns.Models.Json;
using MeshDns.Sources.Files;
using MeshDns.Sources.Kubernetes;
using MeshDns.Sources.Kubernetes.RemoteSecrets;
using k8s;
using MeshDns.Table;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Grpc.HealthCheck;
using MeshDns.Frontends.Grpc;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace MeshDns;

public static partial class Program
{
    [LoggerMessage(Level = LogLevel.Information, Message = "meshdns serving ({Version})")]
    private static partial void LogServing(ILogger logger, string version);

    private const int KestrelMaxConnections = 1024; // on each of its ports; lowered to fit a low open-file limit

    public static async Task<int> Main(string[] args)
    {
        using var signals = new StopSignals();
        string version = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        FlagParseResult flags = Flags.Parse(args);
        if (flags.Error is not null)
        {
            return ConfigError(flags.Error);
        }

        if (flags.Help || flags.Version)
        {
            Console.Out.Write(flags.Help ? Flags.HelpText(version) : $"meshdns {version}{Environment.NewLine}");
            return 0;
        }

        var options = new MeshDnsOptions();
        new ConfigurationBuilder().AddInMemoryCollection(flags.Values).Build().GetSection(Flags.Section).Bind(options);
        if (CheckSources(options, out IReadOnlyList<ClusterConfig> clusters) is int invalid)
        {
            return invalid;
        }

        HealthEndpoints.Version = version;
        ListenAddress.TryParse(options.HttpListen, out IPEndPoint? httpEndpoint, out _);
        ListenAddress.TryParse(options.GrpcListen, out IPEndPoint? grpcEndpoint, out _);
        if (signals.Requested)
        {
            return 0; // stopped before anything started
        }

        // First: every listener and connection needs descriptors, and the caps must fit under the limit.
        ConnectionCaps caps = FileLimits.Caps(options.TcpMaxConnections, KestrelMaxConnections, FileLimits.RaiseToHardLimit(), FileLimits.OpenNow());
        IHost host = BuildHost(options, caps, signals, clusters, httpEndpoint, grpcEndpoint);
        try
        {
            return await Run(host, signals, version, httpEndpoint, grpcEndpoint).ConfigureAwait(false);
        }
        finally
        {
            await Quietly(() => host is IAsyncDisposable d ? d.DisposeAsync().AsTask() : Task.Run(host.Dispose)).ConfigureAwait(false);
        }
    }

    /// <summary>Null when usable, else exit code 2 after one line saying what to fix.</summary>
    private static int? CheckSources(MeshDnsOptions options, out IReadOnlyList<ClusterConfig> clusters)
    {
        clusters = [];
        bool kubernetes = options.Kubeconfig.Count > 0 || options.Context is not null || options.Namespace.Count > 0 || options.RemoteSecrets is not null
            || (options.FromFile.Count == 0 && KubernetesClientConfiguration.IsInCluster());
        if (options.FromFile.Count == 0 && !kubernetes)
        {
            return ConfigError("no ServiceEntry source: give --from-file PATH (a YAML file or directory of ServiceEntries), or --kubeconfig PATH, or run in a Kubernetes pod");
        }

        if (new[] { options.DnsListen, options.GrpcListen, options.HttpListen }.All(a => a.Equals(ListenAddress.Off, StringComparison.OrdinalIgnoreCase)))
        {
            return ConfigError("--dns-listen, --grpc-listen and --http-listen are all off: nothing would be served; give at least one of them an address");
        }

        if (options.FromFile.FirstOrDefault(p => !File.Exists(p) && !Directory.Exists(p)) is string missing)
        {
            return ConfigError($"--from-file {missing}: no such file or directory");
        }

        if (kubernetes)
        {
            try
            {
                clusters = ClusterConfigs.Load(options);
            }
            catch (KubernetesConfigException e)
            {
                return ConfigError(e.Message);
            }
        }

        return null;
    }

    /// <summary>Serves until SIGTERM/SIGINT: 0 for every stop (also during start-up); 2 for bad input, 1 for a listener that cannot open.</summary>
    private static async Task<int> Run(IHost host, StopSignals signals, string version, IPEndPoint? httpEndpoint, IPEndPoint? grpcEndpoint)
    {
        IHostApplicationLifetime lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        using CancellationTokenRegistration forward = signals.Token.Register(lifetime.StopApplication);
        int? failed = null;
        try
        {
            await host.StartAsync(signals.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (signals.Requested || lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // a stop during start-up: stop what did start, below, and exit 0
        }
        catch (Exception e)
        {
            failed = StartFailed(e, httpEndpoint, grpcEndpoint);
        }

        if (failed is null && !lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Every listener is open now (Kestrel included): tests and operators can start asking.
            LogServing(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MeshDns"), version);
            await Task.Delay(Timeout.InfiniteTimeSpan, lifetime.ApplicationStopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await Quietly(() => host.StopAsync()).ConfigureAwait(false);
        return failed ?? 0;
    }

    private static int StartFailed(Exception e, IPEndPoint? httpEndpoint, IPEndPoint? grpcEndpoint)
    {
        bool grpc = grpcEndpoint is not null && e.Message.Contains($":{grpcEndpoint.Port}", StringComparison.Ordinal);
        return e switch
        {
            FileSourceException => ConfigError(e.Message),
            ListenException => Exit(1, e.Message),
            _ when IsAddressInUse(e) => Exit(1, $"listen {(grpc ? $"grpc {grpcEndpoint}" : $"http {httpEndpoint}")}: address already in use"),
            _ => Exit(1, $"start failed: {e.Message}"),
        };
    }

    /// <summary>A stop step (bounded by HostOptions.ShutdownTimeout) that fails with one line, never a crash.</summary>
    private static async Task Quietly(Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"meshdns: stop: {e.Message}");
        }
    }

    /// <summary>A plain generic host; with --http-listen, a web host whose Kestrel serves only that address.</summary>
    private static IHost BuildHost(MeshDnsOptions options, ConnectionCaps caps, StopSignals signals, IReadOnlyList<ClusterConfig> clusters, IPEndPoint? httpEndpoint, IPEndPoint? grpcEndpoint)
    {
        if (httpEndpoint is null && grpcEndpoint is null)
        {
            HostApplicationBuilder plain = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            ConfigureLogging(plain.Logging, options);
            ConfigureServices(plain.Services, options, caps, signals, clusters, grpc: false);
            return plain.Build();
        }

        // A generic host with a web host in it, not WebApplication: that one roots the developer exception page
        // (its Razor views, texts and JSON) for the Development environment, which meshdns never runs in.
        bool grpc = grpcEndpoint is not null;
        IHostBuilder web = new HostBuilder();
        web.ConfigureLogging(logging =>
        {
            ConfigureLogging(logging, options);
            if (grpc)
            {
                // A line per non-OK call would let a bad client flood the log; DnsGrpcService logs those, rate-limited.
                logging.AddFilter("Grpc.AspNetCore.Server.ServerCallHandler", LogLevel.Warning);
            }
        });
        web.ConfigureWebHost(
            webHost => webHost
                .UseKestrelCore()
                .ConfigureKestrel(kestrel => ConfigureKestrel(kestrel, caps, httpEndpoint, grpcEndpoint))
                .ConfigureServices(services => ConfigureWebServices(services, options, caps, signals, clusters, grpc))
                .Configure(app =>
                {
                    app.UseRouting();
                    app.UseEndpoints(endpoints =>
                    {
                        if (grpc)
                        {
                            endpoints.MapGrpcService<DnsGrpcService>();
                            endpoints.MapGrpcService<HealthServiceImpl>();
                        }

                        endpoints.MapFallback(HealthEndpoints.Handle); // /healthz, /readyz, and 404/405 for the rest
                    });
                }),
            o => o.SuppressEnvironmentConfiguration = true); // as before: no ASPNETCORE_* variables
        return web.Build();
    }

    /// <summary>After Kestrel's own services (ours replace its memory pool), before the hosted service that starts
    /// Kestrel (ConfigureWebHost adds that last): the sources and the DNS listeners start first.</summary>
    private static void ConfigureWebServices(IServiceCollection services, MeshDnsOptions options, ConnectionCaps caps, StopSignals signals, IReadOnlyList<ClusterConfig> clusters, bool grpc)
    {
        ConfigureServices(services, options, caps, signals, clusters, grpc);
        if (grpc)
        {
            services.AddGrpc(o =>
            {
                o.MaxReceiveMessageSize = MaxMessageBytes;
                o.MaxSendMessageSize = MaxMessageBytes;
                o.EnableDetailedErrors = false;
            });
            services.AddSingleton<HealthServiceImpl>();
            services.AddSingleton<DnsGrpcService>(); // one instance: its log limiter is shared, and no activation per call
            services.AddHostedService<GrpcHealthService>();
        }

        services.AddRoutingCore();
        // Memory back after bursts: Kestrel's buffers from a pool that keeps little, and a trim when quiet.
        services.AddSingleton<IMemoryPoolFactory<byte>, BoundedMemoryPoolFactory>();
        services.AddHostedService<MemoryTrimmer>();
    }

    /// <summary>Kestrel reports a taken port as an IOException (wrapped, depending on where it fails).</summary>
    private static bool IsAddressInUse(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return e is IOException && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
    }

    private static int ConfigError(string message) => Exit(2, message);

    private static int Exit(int code, string message)
    {
        Console.Error.WriteLine($"meshdns: {message}");
        return code;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, MeshDnsOptions options)
    {
        logging.SetMinimumLevel(Flags.ParseLevel(options.LogLevel) ?? LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning); // the host's own start/stop chatter
        logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None); // start failures are reported once, by Main
        logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.Connections", LogLevel.Error); // a line per connection over the cap is a flood
        if (options.LogFormat == "json")
        {
            logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }
    }

    private static void ConfigureServices(IServiceCollection services, MeshDnsOptions options, ConnectionCaps caps, StopSignals signals, IReadOnlyList<ClusterConfig> clusters, bool grpc)
    {
        services.AddSingleton(options);
        services.AddSingleton(caps);
        services.AddSingleton(signals);
        // Bounded stop: long-lived streams (health Watch, idle HTTP/2) must not hold the exit for the default 30 s.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = options.Lameduck + TimeSpan.FromSeconds(5));
        services.AddSingleton<TableHolder>();
        services.AddSingleton(new TableOptions(options.DefaultAddress is null ? null : IPAddress.Parse(options.DefaultAddress))
        {
            Zones = options.Zone.Count == 0 ? null : [.. options.Zone.Select(ResolverOptions.NormalizeZone)],
        });
        services.AddSingleton(new ResolverOptions
        {
            Ttl = options.Ttl,
            NegativeTtl = options.NegativeTtl,
            Zones = options.Zone,
            SoaMName = options.SoaMname,
            SoaRName = options.SoaRname,
            RoundRobin = options.RoundRobin,
        });
        services.AddSingleton<DnsResolver>();
        services.AddSingleton<TablePublisher>();
        services.AddSingleton<Readiness>();
        // Order matters: sources start before the listeners (files are loaded by then; Kubernetes syncs in the background).
        if (options.FromFile.Count > 0)
        {
            services.AddSingleton(sp => new FileSource(options.FromFile, sp.GetRequiredService<ILogger<FileSource>>(), TimeSpan.FromMilliseconds(200), options.MaxFileSize));
            services.AddHostedService<FileSourceService>();
        }

        if (clusters.Count > 0)
        {
            IReadOnlyList<string> namespaces = [.. options.Namespace.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries))];
            services.AddSingleton(sp =>
            {
                var followed = new KubernetesClusters(sp.GetRequiredService<TablePublisher>(), new ReflectorOptions { Namespaces = namespaces },
                    ServiceEntryJson.TryDecode, sp.GetRequiredService<ILoggerFactory>(), options.RemoteSyncTimeout,
                    named: clusters.Count > 1 || options.RemoteSecrets is not null);
                foreach (ClusterConfig cluster in clusters)
                {
                    followed.Add(cluster.Name, cluster.Config, cluster.Remote);
                }

                return followed;
            });
            services.AddHostedService(sp => sp.GetRequiredService<KubernetesClusters>());
            if (options.RemoteSecrets is { } secretsNamespace)
            {
                services.AddSingleton(sp =>
                {
                    ILogger logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("MeshDns.RemoteSecrets");
                    var watcher = new RemoteSecretWatcher(KubernetesApi.FromConfiguration(clusters[0].Config), secretsNamespace, new ReflectorOptions(), logger);
                    return new RemoteSecretClusters(watcher, sp.GetRequiredService<KubernetesClusters>(), sp.GetRequiredService<TablePublisher>(),
                        clusters.Select(c => c.Name), options.RemoteSyncTimeout, logger);
                });
                services.AddHostedService(sp => sp.GetRequiredService<RemoteSecretClusters>());
            }
        }

        services.AddSingleton<DnsServerService>();
        services.AddHostedService(sp => sp.GetRequiredService<DnsServerService>());
        AddMetrics(services, grpc, clusters.Count > 0, options.RemoteSecrets is not null);
    }

    /// <summary>What /metrics shows, in this order.</summary>
    private static void AddMetrics(IServiceCollection services, bool grpc, bool kubernetes, bool remoteSecrets)
    {
        services.AddSingleton<GrpcStats>(); // its connection gauges are shown (as 0) without gRPC too
        services.AddSingleton<IMetricsSource>(sp =>
            new QueryMetrics(sp.GetRequiredService<DnsServerService>(), grpc ? sp.GetRequiredService<GrpcStats>() : null));
        services.AddSingleton<IMetricsSource>(sp => sp.GetRequiredService<DnsServerService>());
        services.AddSingleton<IMetricsSource>(sp => sp.GetRequiredService<GrpcStats>());
        services.AddSingleton<IMetricsSource>(new StaticMetrics(DebugNames.WriteMetrics));
        services.AddSingleton<IMetricsSource>(sp => sp.GetRequiredService<TablePublisher>());
        if (kubernetes)
        {
            services.AddSingleton<IMetricsSource>(sp => sp.GetRequiredService<KubernetesClusters>());
            if (remoteSecrets)
            {
                services.AddSingleton<IMetricsSource>(sp => sp.GetRequiredService<RemoteSecretClusters>());
            }
        }

        services.AddSingleton<IMetricsSource>(new StaticMetrics(ProcessMetrics.Write));
    }
}
