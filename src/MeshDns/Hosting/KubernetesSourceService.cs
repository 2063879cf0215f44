using MeshDns.Sources.Kubernetes;
using MeshDns.Table;
using Microsoft.Extensions.Hosting;

namespace MeshDns.Hosting;

/// <summary>Follows ServiceEntries in the cluster; until the first LIST is applied the resolver answers SERVFAIL.</summary>
public sealed class KubernetesSourceService : IHostedService
{
    public const string SourceName = "kubernetes";

    private readonly ServiceEntryReflector _reflector;
    private readonly TablePublisher _publisher;

    public KubernetesSourceService(ServiceEntryReflector reflector, TablePublisher publisher)
    {
        _reflector = reflector;
        _publisher = publisher;
        publisher.Expect(SourceName);
    }

    public ServiceEntryReflector Reflector => _reflector;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _reflector.Changed += OnChanged;
        _reflector.Start(); // not awaited: the listeners open at once and answer SERVFAIL until synced
        return Task.CompletedTask;
    }

    /// <summary>Idempotent; the host also disposes the reflector afterwards, which is then a no-op.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _reflector.Changed -= OnChanged;
        try
        {
            await _reflector.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's stop timeout ran out: exit without waiting for a request that ignores cancellation.
        }
    }

    private void OnChanged(IReadOnlyList<ServiceEntryInput> entries) => _publisher.Publish(SourceName, entries);
}
