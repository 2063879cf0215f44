using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Files;

/// <summary>
/// One FileSystemWatcher per directory, calling back when a name that matters changes. A watcher ends silently when its
/// directory is replaced (<c>rm -rf d; mv d.new d</c>), so device and inode are rechecked; a changed one is watched anew.
/// </summary>
internal sealed class DirectoryWatch : IDisposable
{
    /// <summary>How often each directory's identity is checked (a stat per directory).</summary>
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger;
    private readonly Action _changed;
    private readonly Watched[] _dirs;

    /// <summary>Guards the watchers and identities, and orders rechecks with Dispose.</summary>
    private readonly Lock _gate = new();
    private readonly Timer _recheck;
    private volatile bool _disposed;

    /// <param name="targets">Files and directories; a file's directory is watched for that name only.</param>
    public DirectoryWatch(IEnumerable<(string FullPath, bool IsDirectory)> targets, ILogger logger, Action changed)
    {
        (_logger, _changed) = (logger, changed);
        _dirs = [.. targets
            .GroupBy(t => t.IsDirectory ? t.FullPath : Path.GetDirectoryName(t.FullPath) ?? t.FullPath, StringComparer.Ordinal)
            .Select(g => new Watched(g.Key, g.Any(t => t.IsDirectory), g.Where(t => !t.IsDirectory).Select(t => Path.GetFileName(t.FullPath)).ToHashSet(NameComparer)))];
        _recheck = new Timer(_ => Recheck());
        lock (_gate)
        {
            foreach (Watched dir in _dirs)
            {
                Establish(dir, replaced: false);
            }

            _recheck.Change(Period, Period);
        }
    }

    private static StringComparer NameComparer =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _recheck.Dispose();
            foreach (Watched dir in _dirs)
            {
                dir.Watcher?.Dispose();
            }
        }
    }

    /// <summary>Watches a directory anew where its identity changed since it was last watched.</summary>
    private void Recheck()
    {
        bool changed = false;
        lock (_gate)
        {
            foreach (Watched dir in _dirs.Where(d => !_disposed && Identity(d.Path) != d.Identity))
            {
                dir.Watcher?.Dispose();
                dir.Watcher = null;
                Establish(dir, replaced: true);
                changed = true;
            }
        }

        if (changed)
        {
            _changed();
        }
    }

    private static (ulong, ulong)? Identity(string path) =>
        FileLook.Of(path) is { Missing: false, IsDirectory: true } look ? (look.Device, look.Inode) : null;

    /// <summary>Starts a watcher (called under the gate); a watcher that cannot start is logged and left out.</summary>
    private void Establish(Watched dir, bool replaced)
    {
        dir.Identity = Identity(dir.Path);
        if (dir.Identity is null)
        {
            FileSourceLog.DirectoryChanged(_logger, dir.Path, "was removed; its files contribute nothing until a directory is there again");
            return;
        }

        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(dir.Path)
            {
                IncludeSubdirectories = false,
                InternalBufferSize = 64 * 1024,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite
                    | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, e) => OnEvent(dir, e.Name);
            watcher.Created += (_, e) => OnEvent(dir, e.Name);
            watcher.Deleted += (_, e) => OnEvent(dir, e.Name);
            watcher.Renamed += (_, e) =>
            {
                OnEvent(dir, e.OldName);
                OnEvent(dir, e.Name);
            };
            watcher.Error += (_, e) =>
            {
                FileSourceLog.WatchError(_logger, dir.Path, IoErrors.Describe(e.GetException()));
                _changed(); // if the watch is gone for good, the next recheck starts a new one
            };
            watcher.EnableRaisingEvents = true;
            dir.Watcher = watcher;
            if (replaced)
            {
                FileSourceLog.DirectoryChanged(_logger, dir.Path, "was replaced by another directory; watching the new one");
            }
            else
            {
                FileSourceLog.Watching(_logger, dir.Path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            watcher?.Dispose();
            FileSourceLog.CannotWatch(_logger, dir.Path, IoErrors.Describe(e));
        }
    }

    /// <summary>Whether a name in a watched directory matters; both names of a rename are passed.</summary>
    private void OnEvent(Watched dir, string? name)
    {
        bool relevant = name is null
            || name.StartsWith("..", StringComparison.Ordinal) // Kubernetes volume update (..data swapped)
            || dir.Files.Contains(name)
            || (dir.WholeDirectory && FileSource.IsCandidate(name));
        if (relevant && !_disposed)
        {
            _changed();
        }
    }

    /// <summary>A directory watched for all its candidate files, or for some names only.</summary>
    private sealed record Watched(string Path, bool WholeDirectory, HashSet<string> Files)
    {
        public FileSystemWatcher? Watcher { get; set; }

        /// <summary>Device and inode when last watched; null while it is missing.</summary>
        public (ulong, ulong)? Identity { get; set; }
    }
}
