using System.Runtime.InteropServices;

namespace MeshDns.Frontends.Dns;

/// <summary>
/// Counters of one receive loop or connection group. Each loop owns its instance and is its only writer
/// (plain increments, no atomics); readers sum them. Padding keeps two loops' counters off one cache line.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public sealed class FrontendStats
{
#pragma warning disable CS0169, IDE0051 // padding against false sharing
    private readonly long _pad0, _pad1, _pad2, _pad3, _pad4, _pad5, _pad6, _pad7;
#pragma warning restore CS0169, IDE0051

    public long Queries;
    public long Responses;
    public long Dropped;
    public long Malformed;
    public long Truncated;
    public long Errors;

    /// <summary>GC.GetAllocatedBytesForCurrentThread() of the loop thread after its latest packet.</summary>
    public long AllocatedBytes;
}
