using Microsoft.Extensions.Hosting;

namespace MeshDns.Hosting;

/// <summary>
/// Gives memory back after a burst (gRPC connections, /debug/names scrapes). With no allocations nothing
/// triggers a collection, so a heap grown by a burst would stay committed for good. Every few seconds,
/// when the committed heap is well above where the last trim left it and the process is quiet (little
/// allocated since the last look), one aggressive blocking collection compacts the heap and decommits
/// the free memory. Under load it never runs: the GC's own collections keep up there.
/// </summary>
public sealed class MemoryTrimmer : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>Committed growth that is worth a trim.</summary>
    private const long GrowthBytes = 32L * 1024 * 1024;

    /// <summary>Allocated in one <see cref="Interval"/> below this (1.6 MB/s), the process counts as quiet.</summary>
    private const long QuietBytes = 8L * 1024 * 1024;

    /// <summary>A trim that gave back this much is followed by another on the next quiet tick.</summary>
    private const long AgainBytes = 8L * 1024 * 1024;

    private static long s_trims;
    private bool _again;

    private long _baseline = GC.GetGCMemoryInfo().TotalCommittedBytes;
    private long _allocated = GC.GetTotalAllocatedBytes();

    /// <summary>Aggressive collections run so far.</summary>
    public static long Trims => Interlocked.Read(ref s_trims);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Tick();
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private void Tick()
    {
        long allocated = GC.GetTotalAllocatedBytes();
        bool quiet = allocated - _allocated < QuietBytes;
        _allocated = allocated;
        long committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        if (committed < _baseline)
        {
            _baseline = committed; // the GC gave some back itself: measure growth from there
        }

        // A trim that gave much back may have run while a burst was still being torn down (connections
        // closing, pooled streams expiring): look again next time, until one gives little back.
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
