using MeshDns.Table;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Files;

/// <summary>
/// ServiceEntries of <c>--from-file</c> paths: files, or directories' <c>*.yaml</c>/<c>*.yml</c> (not recursive; names
/// starting with '.' are editors' swap files), kept up to date. Changes are read once settled for the debounce time
/// (at the latest ten debounce times after the first). <see cref="Changed"/> is raised first on the thread of
/// <see cref="Start"/>, then on the pool, never twice at once; <see cref="Dispose"/> never waits for a reload.
/// </summary>
public sealed partial class FileSource : IDisposable
{
    public const long DefaultMaxFileSize = 64L << 20;
    public const long MaxFileSizeLimit = 1L << 30;

    private readonly IReadOnlyList<string> _paths;
    private readonly ILogger<FileSource> _logger;
    private readonly TimeSpan _debounce;
    private readonly long _maxFileSize;

    /// <summary>Serialises Start and reloads; guards the files (FileSource.Reload.cs). Dispose never takes it.</summary>
    private readonly Lock _gate = new();

    /// <summary>Guards the timer, the watch and the disposed flag.</summary>
    private readonly Lock _timerGate = new();
    private readonly Timer _timer;
    private DirectoryWatch? _watch;
    private long _pendingSince = -1;

    private readonly CancellationTokenSource _stop = new();
    private volatile bool _disposed;

    /// <param name="paths">Files and directories, as the user gave them (messages name them so).</param>
    public FileSource(IReadOnlyList<string> paths, ILogger<FileSource> logger, TimeSpan debounce, long maxFileSize = DefaultMaxFileSize)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(debounce, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFileSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxFileSize, MaxFileSizeLimit);
        (_paths, _logger, _debounce, _maxFileSize) = ([.. paths], logger, debounce, maxFileSize);
        _timer = new Timer(_ => OnTimer());
    }

    /// <summary>Raised by <see cref="Start"/> (every entry) and after each reload that read or lost a file: the entries set or
    /// deleted since, by namespace/name, and how many there are now.</summary>
    public event Action<SourceUpdate>? Changed;

    /// <summary>The entries of the last load in path order (empty before <see cref="Start"/>); made on demand, waiting for a
    /// reload in progress.</summary>
    public IReadOnlyList<ServiceEntryInput> Current
    {
        get
        {
            lock (_gate)
            {
                return _snapshot ??= Snapshot();
            }
        }
    }

    /// <summary>Loads all files (waiting up to ten debounce times for files being written), raises <see cref="Changed"/>, watches.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_watch is not null)
            {
                throw new InvalidOperationException("The file source is already started.");
            }

            _targets = [.. _paths.Select(Resolve)];
            var watch = new DirectoryWatch(_targets.Select(t => (t.FullPath, t.IsDirectory)), _logger, Schedule); // before the first read
            bool disposed;
            lock (_timerGate)
            {
                (_watch, disposed) = (watch, _disposed);
            }

            if (disposed)
            {
                watch.Dispose(); // Dispose ran meanwhile and found no watch to stop
                return;
            }

            try
            {
                bool unsettled = Reload(out _);
                for (int i = 0; unsettled && i < 10 && !_stop.Token.WaitHandle.WaitOne(_debounce); i++)
                {
                    unsettled = Reload(out _);
                }

                Publish(initial: true);
                if (unsettled)
                {
                    Schedule();
                }
            }
            catch (OperationCanceledException) when (_disposed)
            {
                return;
            }

            foreach (Target empty in _targets.Where(t => t.IsDirectory && t.LastListing.Length == 0))
            {
                FileSourceLog.EmptyDirectory(_logger, empty.Given);
            }
        }
    }

    /// <summary>Stops watching at once; a reload in progress publishes nothing after this.</summary>
    public void Dispose()
    {
        DirectoryWatch? watch;
        lock (_timerGate)
        {
            if (_disposed)
            {
                return;
            }

            (_disposed, watch) = (true, _watch);
            _timer.Dispose();
        }

        _stop.Cancel();
        watch?.Dispose(); // outside the gate: a watcher's event may be waiting for it in Schedule
    }

    /// <summary>(Re)arms the timer: due when changes have settled, at the latest ten debounce times after the first.</summary>
    private void Schedule()
    {
        lock (_timerGate)
        {
            long now = Environment.TickCount64, debounce = (long)_debounce.TotalMilliseconds;
            _pendingSince = _pendingSince < 0 ? now : _pendingSince;
            if (!_disposed)
            {
                _timer.Change(TimeSpan.FromMilliseconds(Math.Max(0, Math.Min(now + debounce, _pendingSince + (10 * debounce)) - now)), Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnTimer()
    {
        lock (_timerGate)
        {
            _pendingSince = -1; // a change from now on schedules another reload
        }

        lock (_gate)
        {
            try
            {
                bool unsettled = Reload(out bool changed);
                if (changed)
                {
                    Publish(initial: false);
                }

                if (unsettled)
                {
                    Schedule(); // look again a debounce time later
                }
            }
            catch (OperationCanceledException)
            {
                FileSourceLog.ReloadStopped(_logger);
            }
#pragma warning disable CA1031 // A timer callback must not throw: that would end the process.
            catch (Exception e)
#pragma warning restore CA1031
            {
                FileSourceLog.Failed(_logger, "Reloading ServiceEntry files", e);
            }
        }
    }

    private void Publish(bool initial)
    {
        if (_disposed)
        {
            return;
        }

        SourceUpdate update = TakeChanges();
        FileSourceLog.Loaded(_logger, update.Count, _files.Count, _parsed, _files.Values.Sum(f => f.Invalid), _files.Values.Sum(f => f.Other), _files.Values.Count(f => f.Failed || f.Problem is not null));
        _parsed = 0;
        try
        {
            (_disposed ? null : Changed)?.Invoke(update); // disposed meanwhile: publish nothing
        }
#pragma warning disable CA1031 // On a timer thread an exception would end the process; Start lets it through.
        catch (Exception e) when (!initial)
#pragma warning restore CA1031
        {
            FileSourceLog.Failed(_logger, "A handler of FileSource.Changed", e);
        }
    }

    private static Target Resolve(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new FileSourceException("--from-file: empty path");
        }

        try
        {
            string full = Path.GetFullPath(path);
            FileLook look = FileLook.Of(full);
            if (look.IsDirectory)
            {
                using IEnumerator<string> probe = Directory.EnumerateFileSystemEntries(full).GetEnumerator();
                probe.MoveNext();
                return new Target(path, full, IsDirectory: true);
            }

            if (look.Missing || look.Problem is not null)
            {
                throw new FileSourceException($"--from-file {path}: {look.Problem ?? "no such file or directory"}");
            }

            File.OpenHandle(full).Dispose(); // a regular file: opening it cannot block
            return new Target(path, full, IsDirectory: false);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new FileSourceException($"--from-file {path}: invalid path", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileSourceException($"--from-file {path}: {IoErrors.Describe(e)}", e);
        }
    }

    /// <summary>A file of a watched directory that is read: *.yaml or *.yml, not hidden.</summary>
    internal static bool IsCandidate(string name) =>
        !name.StartsWith('.') && (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase));

    /// <summary>A path given to the source, resolved at start; a directory keeps its last successful listing.</summary>
    private sealed record Target(string Given, string FullPath, bool IsDirectory)
    {
        public string[] LastListing { get; set; } = [];
    }
}
