using System.Runtime.InteropServices;

namespace MeshDns.Resolver;

/// <summary>Counters of one loop or thread: a single writer (plain increments, no atomics); readers sum them at
/// scrape time. Padding keeps two loops' counters off one cache line.</summary>
[StructLayout(LayoutKind.Sequential)]
public sealed class QueryStats
{
    /// <summary>Query types counted by name; everything else is "other".</summary>
    public static readonly (ushort Type, string Name)[] TypeBuckets =
    [
        (Wire.DnsType.A, "A"), (Wire.DnsType.AAAA, "AAAA"), (Wire.DnsType.ANY, "ANY"), (Wire.DnsType.SOA, "SOA"),
        (Wire.DnsType.NS, "NS"), (Wire.DnsType.TXT, "TXT"), (15, "MX"), (33, "SRV"), (12, "PTR"), (0, "other"),
    ];

#pragma warning disable CS0169, IDE0051 // padding against false sharing
    private readonly long _pad0, _pad1, _pad2, _pad3, _pad4, _pad5, _pad6, _pad7;
#pragma warning restore CS0169, IDE0051

    // Histogram upper bounds (seconds; octets); the last bucket is +Inf.
    public static readonly double[] DurationBounds = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.05];
    public static readonly double[] SizeBounds = [64, 128, 256, 512, 1232, 4096, 16384, 65535];
    private static readonly long[] DurationBoundTicks = [.. DurationBounds.Select(b => (long)(b * System.Diagnostics.Stopwatch.Frequency))];
    public long Queries;
    public long Responses;
    public long Dropped;
    public long Malformed;
    public long Truncated;
    public long Errors;
    public long RequestBytes;
    public long ResponseBytes;
    public long AllocatedBytes; // of the loop thread, after its latest packet
    public long DurationTicks; // sum, in Stopwatch ticks
    public readonly long[] Rcodes = new long[24];
    public readonly long[] Types = new long[TypeBuckets.Length];
    public readonly long[] Durations = new long[DurationBounds.Length + 1]; // non-cumulative
    public readonly long[] RequestSizes = new long[SizeBounds.Length + 1];
    public readonly long[] ResponseSizes = new long[SizeBounds.Length + 1];

    /// <summary>Index of the first bound not below <paramref name="value"/>; bounds.Length for +Inf.</summary>
    private static int Bucket<T>(T[] bounds, T value)
        where T : System.Numerics.INumber<T>
    {
        int i = 0;
        while (i < bounds.Length && value > bounds[i])
        {
            i++;
        }

        return i;
    }

    public void RecordDuration(long ticks)
    {
        Durations[Bucket(DurationBoundTicks, ticks)]++;
        DurationTicks += ticks;
    }

    public static int TypeIndex(ushort qtype)
    {
        for (int i = 0; i < TypeBuckets.Length - 1; i++)
        {
            if (TypeBuckets[i].Type == qtype)
            {
                return i;
            }
        }

        return TypeBuckets.Length - 1;
    }

    public void Record(int requestLength, in ResolveResult result)
    {
        Queries++;
        RequestBytes += requestLength;
        RequestSizes[Bucket(SizeBounds, (double)requestLength)]++;
        Types[TypeIndex(result.QType)]++;
        Malformed += result.Malformed ? 1 : 0;
        if (result.Length == 0)
        {
            Dropped++;
            return;
        }

        Responses++;
        ResponseBytes += result.Length;
        ResponseSizes[Bucket(SizeBounds, (double)result.Length)]++;
        Truncated += result.Truncated ? 1 : 0;
        Rcodes[Math.Clamp(result.Rcode, 0, Rcodes.Length - 1)]++;
    }
}
