using MeshDns.Sources.Files;
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
