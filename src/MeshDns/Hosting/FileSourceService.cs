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

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _source.Changed += OnChanged;
        _source.Start(); // the first snapshot is published before this returns
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _source.Changed -= OnChanged;
        _source.Dispose();
        return Task.CompletedTask;
    }

    private void OnChanged(IReadOnlyList<ServiceEntryInput> entries) => _publisher.Publish(SourceName, entries);
}
