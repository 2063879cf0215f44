using Microsoft.Extensions.Hosting;

namespace MeshDns.Hosting;

/// <summary>Gives memory back after a burst (gRPC connections, /debug/names): with no allocations nothing collects, so a grown
/// heap would stay committed. When the heap is well above the last trim's and the process is quiet, one aggressive
/// collection compacts and decommits; under load the GC's own collections keep up.</summary>
public sealed class MemoryTrimmer : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private const long GrowthBytes = 32L * 1024 * 1024; // committed growth worth a trim
    private const long QuietBytes = 8L * 1024 * 1024; // allocated per Interval below this (1.6 MB/s): quiet
    private const long AgainBytes = 8L * 1024 * 1024; // a trim giving back this much is followed by another
    private static long s_trims;
    private bool _again;
    private long _baseline = GC.GetGCMemoryInfo().TotalCommittedBytes;
    private long _allocated = GC.GetTotalAllocatedBytes();
    public static long Trims => Interlocked.Read(ref s_trims);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(Interval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!stoppingToken.IsCancellationRequested)
            {
                Tick();
            }
        }
    }

    private void Tick()
    {
        long allocated = GC.GetTotalAllocatedBytes();
        bool quiet = allocated - _allocated < QuietBytes;
        _allocated = allocated;
        long committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        _baseline = Math.Min(_baseline, committed); // the GC may have given some back itself: measure growth from there

        // A trim that gave much back may have run while a burst was torn down: again, until one gives little back.
        if (!quiet || (committed - _baseline < GrowthBytes && !_again))
        {
            return;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Increment(ref s_trims);
        long after = GC.GetGCMemoryInfo().TotalCommittedBytes;
        _again = committed - after >= AgainBytes;
        _baseline = after;
        _allocated = GC.GetTotalAllocatedBytes();
    }
}
