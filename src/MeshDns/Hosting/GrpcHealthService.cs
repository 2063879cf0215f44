using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.Extensions.Hosting;

namespace MeshDns.Hosting;

/// <summary>grpc.health.v1.Health (for "" and coredns.dns.DnsService) in step with readiness.</summary>
public sealed class GrpcHealthService(HealthServiceImpl health, Readiness readiness, IHostApplicationLifetime lifetime) : BackgroundService
{
    private static readonly string[] Services = ["", "coredns.dns.DnsService"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Shutdown starts before any listener stops: say NOT_SERVING while the streams are still open.
        using CancellationTokenRegistration stopping = lifetime.ApplicationStopping.Register(() => Set(HealthCheckResponse.Types.ServingStatus.NotServing));
        while (!stoppingToken.IsCancellationRequested)
        {
            Set(readiness.NotReadyReason is null ? HealthCheckResponse.Types.ServingStatus.Serving : HealthCheckResponse.Types.ServingStatus.NotServing);
            await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        Set(HealthCheckResponse.Types.ServingStatus.NotServing);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        Set(HealthCheckResponse.Types.ServingStatus.NotServing);
        return base.StopAsync(cancellationToken);
    }

    private void Set(HealthCheckResponse.Types.ServingStatus status)
    {
        foreach (string service in Services)
        {
            health.SetStatus(service, status);
        }
    }
}
