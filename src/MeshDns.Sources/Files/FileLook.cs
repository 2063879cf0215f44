using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace MeshDns.Sources.Files;

/// <summary>
/// One stat of a path (links followed): enough to tell a regular file, to see that it changed, and that a directory
/// was replaced. <see cref="Problem"/> says in plain words why it is not read.
/// </summary>
internal readonly record struct FileLook(bool Missing, string? Problem, bool IsDirectory, long Size, long MtimeNs, ulong Device, ulong Inode)
{
    public const string NotRegular = "not a regular file";

    private static bool _noStatx = !OperatingSystem.IsLinux();

    public static long NowNs => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    public static FileLook Of(string path)
    {
        if (!_noStatx)
        {
            try
            {
                return Statx(path);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _noStatx = true; // not glibc: fall back to what .NET shows (FIFOs and devices not told apart)
            }
        }

        var info = new FileInfo(path);
        return Directory.Exists(path) ? new FileLook(false, NotRegular, true, 0, 0, 0, 0)
            : !info.Exists ? new FileLook(true, null, false, 0, 0, 0, 0)
            : new FileLook(false, null, false, info.Length, (info.LastWriteTimeUtc - DateTime.UnixEpoch).Ticks * 100, 0, 0);
    }

    /// <summary>The file's bytes, read only while they fit in <paramref name="max"/>; else null and why.</summary>
    public static byte[]? Read(string path, long max, CancellationToken stop, out string? problem)
    {
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[Math.Min(RandomAccess.GetLength(handle), max) + 1];
        int total = 0;
        problem = null;
        while (total < buffer.Length)
        {
            stop.ThrowIfCancellationRequested();
            int read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
            if (read == 0)
            {
                return buffer[..total];
            }

            total += read;
            if (total == buffer.Length && total <= max)
            {
                Array.Resize(ref buffer, (int)Math.Min(max + 1, buffer.Length * 2L)); // it grew since the stat
            }
        }

        problem = TooLarge(max);
        return null;
    }

    public static string TooLarge(long max) => $"larger than the {Human(max)} limit (--max-file-size)";

    private static string Human(long bytes) =>
        bytes % (1 << 30) == 0 ? $"{bytes >> 30} GiB" : bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : bytes % 1024 == 0 ? $"{bytes >> 10} KiB" : $"{bytes} bytes";

    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    private const int TypeMask = 0xF000, TypeRegular = 0x8000, TypeDirectory = 0x4000, ErrNoEnt = 2, ErrNotDir = 20;

    /// <summary>struct statx, whose layout is the same on every Linux architecture (unlike struct stat).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(112)] public long MtimeSeconds;
        [FieldOffset(120)] public uint MtimeNanoseconds;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;
    }

    // A blittable signature (the path as NUL-terminated UTF-8 bytes) needs no marshalling code.
    [DllImport("libc.so.6", EntryPoint = "statx", SetLastError = true)]
    private static extern int StatxCall(int dirFd, byte[] path, int flags, uint mask, out StatxBuffer buffer);

    private static FileLook Statx(string path)
    {
        if (StatxCall(AtFdCwd, Encoding.UTF8.GetBytes(path + "\0"), 0, StatxBasicStats, out StatxBuffer s) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is ErrNoEnt or ErrNotDir
                ? new FileLook(true, null, false, 0, 0, 0, 0)
                : new FileLook(false, IoErrors.Errno(errno) ?? $"error {errno}", false, 0, 0, 0, 0);
        }

        int type = s.Mode & TypeMask;
        return new FileLook(
            false,
            type == TypeRegular ? null : NotRegular,
            type == TypeDirectory,
            (long)s.Size,
            (s.MtimeSeconds * 1_000_000_000) + s.MtimeNanoseconds,
            ((ulong)s.DeviceMajor << 32) | s.DeviceMinor,
            s.Inode);
    }
}
