using MeshDns.Sources.Files;
using Microsoft.Extensions.Hosting;

namespace MeshDns.Hosting;

/// <summary>Loads --from-file paths before the listeners start, then feeds every change to the publisher.</summary>
public sealed class FileSourceService(FileSource source, TablePublisher publisher) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        source.Changed += publisher.Publish;
        source.Start(); // the first snapshot is published before this returns
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        source.Changed -= publisher.Publish;
        source.Dispose();
        return Task.CompletedTask;
    }
}
