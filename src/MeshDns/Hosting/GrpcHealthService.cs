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
        using CancellationTokenRegistration stopping = lifetime.ApplicationStopping.Register(() =>
        {
            readiness.Stopping();
            Set(HealthCheckResponse.Types.ServingStatus.NotServing);
        });
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        do
        {
            Set(readiness.NotReadyReason is null ? HealthCheckResponse.Types.ServingStatus.Serving : HealthCheckResponse.Types.ServingStatus.NotServing);
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));

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

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken token)
    {
        try
        {
            return await timer.WaitForNextTickAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
