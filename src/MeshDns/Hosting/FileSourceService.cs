using MeshDns.Sources.Files;
using MeshDns.Table;
using Microsoft.Extensions.Hosting;

namespace MeshDns.Hosting;

/// <summary>Loads --from-file paths before the listeners start, then feeds every change to the publisher.</summary>
public sealed class FileSourceService : IHostedService
{
    public const string SourceName = "files";

    private readonly FileSource _source;
    private readonly TablePublisher _publisher;

    public FileSourceService(FileSource source, TablePublisher publisher)
    {
        _source = source;
        _publisher = publisher;
        publisher.Expect(SourceName);
    }

    /// <summary>
    /// Loads every file (the first snapshot is published before this returns). The load runs off the
    /// host's thread so that a stop during a long first load ends start-up at once; the abandoned load
    /// finishes or dies with the process, and raises nothing once the source is disposed.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _source.Changed += OnChanged;
        return Task.Run(_source.Start, CancellationToken.None).WaitAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _source.Changed -= OnChanged;
        _source.Dispose();
        return Task.CompletedTask;
    }

    private void OnChanged(IReadOnlyList<ServiceEntryInput> entries) => _publisher.Publish(SourceName, entries);
}
