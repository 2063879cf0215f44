using System.Runtime.InteropServices;

namespace MeshDns.Hosting;

/// <summary>The open-file limit (RLIMIT_NOFILE) bounds connections. The JIT runtime raises the soft limit to the hard one,
/// as Go does; NativeAOT does not, which leaves a container on the common default of 1024.</summary>
public static class FileLimits
{
    private const int RlimitNofile = 7; // the same on x64 and arm64 Linux

    private record struct RLimit(ulong Soft, ulong Hard); // sequential layout, as struct rlimit

    // DllImport with a blittable struct needs no marshalling code (LibraryImport would need unsafe blocks).
    [DllImport("libc.so.6", EntryPoint = "getrlimit")]
    private static extern int GetRLimit(int resource, out RLimit limit);

    [DllImport("libc.so.6", EntryPoint = "setrlimit")]
    private static extern int SetRLimit(int resource, in RLimit limit);

    /// <summary>Returns the soft limit now in effect, or null where it cannot be read (not Linux, no glibc).</summary>
    public static long? RaiseToHardLimit()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            if (GetRLimit(RlimitNofile, out RLimit limit) != 0)
            {
                return null;
            }

            if (limit.Soft < limit.Hard && SetRLimit(RlimitNofile, new RLimit(limit.Hard, limit.Hard)) == 0)
            {
                limit.Soft = limit.Hard;
            }

            return (long)Math.Min(limit.Soft, long.MaxValue);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>0 where unknown.</summary>
    public static int OpenNow()
    {
        try
        {
            return Directory.Exists("/proc/self/fd") ? Directory.GetFileSystemEntries("/proc/self/fd").Length : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Caps that fit under <paramref name="limit"/> together, less what is open and a reserve (an eighth, at least 32):
    /// else clients could take the last descriptor and no probe would be accepted. A short budget is shared in proportion.</summary>
    public static ConnectionCaps Caps(int tcpRequested, int kestrelRequested, long? limit, int open)
    {
        if (limit is not { } max)
        {
            return new ConnectionCaps(tcpRequested, kestrelRequested, null);
        }

        long budget = Math.Max(3, max - open - Math.Max(32, max / 8));
        long asked = (long)tcpRequested + (2L * kestrelRequested);
        if (budget >= asked)
        {
            return new ConnectionCaps(tcpRequested, kestrelRequested, max);
        }

        int kestrel = (int)Math.Clamp(budget * kestrelRequested / asked, 1, kestrelRequested);
        int tcp = (int)Math.Clamp(budget - (2L * kestrel), 1, tcpRequested);
        return new ConnectionCaps(tcp, kestrel, max);
    }
}

/// <summary>DNS over TCP, and each of Kestrel's ports; the open-file limit they fit (null: unknown).</summary>
public sealed record ConnectionCaps(int Tcp, int Kestrel, long? FileLimit);
