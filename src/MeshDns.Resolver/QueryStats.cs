using System.Runtime.InteropServices;

namespace MeshDns.Resolver;

/// <summary>
/// Counters of one receive loop (UDP) or one frontend (TCP, gRPC). A UDP loop owns its instance and is
/// its only writer (plain increments, no atomics); shared instances use <see cref="RecordShared"/>.
/// Readers sum them at scrape time. Padding keeps two loops' counters off one cache line.
/// </summary>
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

    public long Queries;
    public long Responses;
    public long Dropped;
    public long Malformed;
    public long Truncated;
    public long Errors;
    public long RequestBytes;
    public long ResponseBytes;

    /// <summary>GC.GetAllocatedBytesForCurrentThread() of the loop thread after its latest packet.</summary>
    public long AllocatedBytes;

    /// <summary>Responses by full rcode (0..23).</summary>
    public readonly long[] Rcodes = new long[24];

    /// <summary>Queries by <see cref="TypeBuckets"/> index.</summary>
    public readonly long[] Types = new long[TypeBuckets.Length];

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

    /// <summary>Counts one query and its outcome; single writer only.</summary>
    public void Record(int requestLength, in ResolveResult result)
    {
        Queries++;
        RequestBytes += requestLength;
        Types[TypeIndex(result.QType)]++;
        Malformed += result.Malformed ? 1 : 0;
        if (result.Length == 0)
        {
            Dropped++;
            return;
        }

        Responses++;
        ResponseBytes += result.Length;
        Truncated += result.Truncated ? 1 : 0;
        Rcodes[Math.Clamp(result.Rcode, 0, Rcodes.Length - 1)]++;
    }

    /// <summary>Counts one query and its outcome from any thread.</summary>
    public void RecordShared(int requestLength, in ResolveResult result)
    {
        Interlocked.Increment(ref Queries);
        Interlocked.Add(ref RequestBytes, requestLength);
        Interlocked.Increment(ref Types[TypeIndex(result.QType)]);
        if (result.Malformed)
        {
            Interlocked.Increment(ref Malformed);
        }

        if (result.Length == 0)
        {
            Interlocked.Increment(ref Dropped);
            return;
        }

        Interlocked.Increment(ref Responses);
        Interlocked.Add(ref ResponseBytes, result.Length);
        if (result.Truncated)
        {
            Interlocked.Increment(ref Truncated);
        }

        Interlocked.Increment(ref Rcodes[Math.Clamp(result.Rcode, 0, Rcodes.Length - 1)]);
    }
}
