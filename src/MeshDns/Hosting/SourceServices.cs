using MeshDns.Sources.Files;
using MeshDns.Sources.Kubernetes;
using MeshDns.Table;
using Microsoft.Extensions.Hosting;

namespace MeshDns.Hosting;

/// <summary>A ServiceEntry source as a hosted service: no table is published until its first snapshot.</summary>
public abstract class SourceService : IHostedService
{
    private readonly string _name;
    private readonly TablePublisher _publisher;

    protected SourceService(string name, TablePublisher publisher)
    {
        (_name, _publisher) = (name, publisher);
        publisher.Expect(name);
    }

    public abstract Task StartAsync(CancellationToken cancellationToken);
    public abstract Task StopAsync(CancellationToken cancellationToken);
    protected void OnChanged(SourceUpdate update) => _publisher.Apply(_name, update.Changes, update.Count);
}

/// <summary>Loads --from-file paths before the listeners start, then feeds every change to the publisher.</summary>
public sealed class FileSourceService(FileSource source, TablePublisher publisher) : SourceService("files", publisher)
{
    /// <summary>Publishes the first snapshot before returning; off the host's thread, so a stop during a long first load ends
    /// start-up at once (the abandoned load raises nothing once the source is disposed).</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        source.Changed += OnChanged;
        return Task.Run(source.Start, CancellationToken.None).WaitAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        source.Changed -= OnChanged;
        source.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Follows ServiceEntries in the cluster; until the first LIST is applied the resolver answers SERVFAIL.</summary>
public sealed class KubernetesSourceService(ServiceEntryReflector reflector, TablePublisher publisher) : SourceService("kubernetes", publisher), IMetricsSource
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        reflector.Changed += OnChanged;
        reflector.Start(); // not awaited: the listeners open at once and answer SERVFAIL until synced
        return Task.CompletedTask;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        reflector.Changed -= OnChanged;
        try
        {
            await reflector.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's stop timeout ran out: do not wait for a request that ignores cancellation.
        }
    }

    public void Write(MetricsText text)
    {
        ReflectorStats watch = reflector.Stats;
        text.Counter("meshdns_kubernetes_lists_total", "LIST requests (initial, after 410, after failures).", Interlocked.Read(ref watch.Lists));
        text.Counter("meshdns_kubernetes_relists_total", "LISTs forced by 410 Gone or a skipped oversized event.", Interlocked.Read(ref watch.Relists));
        text.Counter("meshdns_kubernetes_watch_restarts_total", "Watches reconnected after a failure.", Interlocked.Read(ref watch.WatchRestarts));
        text.Counter("meshdns_kubernetes_events_total", "Watch events received.", Interlocked.Read(ref watch.Events));
        text.Counter("meshdns_kubernetes_invalid_objects_total", "ServiceEntries skipped as invalid.", Interlocked.Read(ref watch.InvalidObjects));
        text.Counter("meshdns_kubernetes_oversized_events_total", "Watch events over the size bound, skipped (the namespace is listed again).", Interlocked.Read(ref watch.OversizedEvents));
        text.Gauge("meshdns_kubernetes_consecutive_failures", "API failures in a row before the latest retry (its backoff grows with them).", Interlocked.Read(ref watch.ConsecutiveFailures));
        text.Counter("meshdns_kubernetes_errors_total", "Failures talking to the API, by reason.");
        foreach ((string reason, long count) in watch.Errors.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Sample("meshdns_kubernetes_errors_total", $"reason=\"{MetricsText.Escape(reason)}\"", count);
        }
    }
}
