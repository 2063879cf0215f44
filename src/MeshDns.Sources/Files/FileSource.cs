using MeshDns.Table;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Files;

/// <summary>
/// ServiceEntries read from YAML files and kept up to date as the files change (<c>--from-file</c>).
/// </summary>
/// <remarks>
/// <para>Each path is a file, or a directory whose <c>*.yaml</c> and <c>*.yml</c> files are read (not
/// recursively; names starting with '.' are left out, as editors use them for swap and lock files). Only
/// regular files (symbolic links followed) up to the size limit are read: a FIFO would block, a device flood.</para>
/// <para><see cref="Start"/> loads everything and raises <see cref="Changed"/> once, then watches the
/// directories involved (<see cref="DirectoryWatch"/>). When changes have settled for the debounce time (or at
/// the latest ten debounce times after the first change) the files are looked at again. A file is read only
/// once it has settled: not written for a debounce time, or its size and mtime unchanged across two looks a
/// debounce apart; meanwhile it keeps its last good entries. Only files whose bytes changed are parsed and
/// logged again, and <see cref="Changed"/> is raised with the full new set when anything changed.</para>
/// <para>A file that is not valid YAML, cannot be read, is not a regular file or is too large keeps
/// contributing the entries of its last good content (none if it never had one); a deleted file contributes
/// nothing. When two files define the same namespace/name, the later file in path order wins, like
/// <c>kubectl apply -f</c>.</para>
/// <para><see cref="Changed"/> is raised on the thread that calls <see cref="Start"/>, then on a thread-pool
/// thread, never twice at once and always in order. <see cref="Dispose"/> never waits for a reload (a stop
/// must not wait for a big parse or read); a reload in progress stops at the next file or read and publishes
/// nothing.</para>
/// </remarks>
public sealed partial class FileSource : IDisposable
{
    /// <summary>The default of <c>--max-file-size</c>: 64 MiB.</summary>
    public const long DefaultMaxFileSize = 64L << 20;

    /// <summary>The largest size limit accepted: 1 GiB.</summary>
    public const long MaxFileSizeLimit = 1L << 30;

    private readonly IReadOnlyList<string> _paths;
    private readonly ILogger<FileSource> _logger;
    private readonly TimeSpan _debounce;
    private readonly TimeSpan _maxDelay;
    private readonly long _maxFileSize;

    /// <summary>Serialises Start and reloads; guards the files (FileSource.Reload.cs). Dispose never takes it.</summary>
    private readonly Lock _gate = new();
    private bool _started;

    /// <summary>Guards the timer, the watch and the disposed flag.</summary>
    private readonly Lock _timerGate = new();
    private Timer? _timer;
    private DirectoryWatch? _watch;
    private long _pendingSince = -1;

    private readonly CancellationTokenSource _stop = new();
    private volatile bool _disposed;
    private IReadOnlyList<ServiceEntryInput> _current = [];

    /// <param name="paths">Files and directories, as the user gave them (messages name them so).</param>
    /// <param name="logger">Receives one line per reload, and the warnings and errors of the files.</param>
    /// <param name="debounce">How long changes must have settled before the files are read again.</param>
    /// <param name="maxFileSize">Larger files are not read (<c>--max-file-size</c>).</param>
    public FileSource(IReadOnlyList<string> paths, ILogger<FileSource> logger, TimeSpan debounce, long maxFileSize = DefaultMaxFileSize)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(debounce, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFileSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxFileSize, MaxFileSizeLimit);
        _paths = [.. paths];
        _logger = logger;
        _debounce = debounce;
        _maxDelay = debounce * 10;
        _maxFileSize = maxFileSize;
    }

    /// <summary>
    /// All entries of all files, raised by <see cref="Start"/> and after each reload that changed anything.
    /// </summary>
    public event Action<IReadOnlyList<ServiceEntryInput>>? Changed;

    /// <summary>The entries of the last load (empty before <see cref="Start"/>).</summary>
    public IReadOnlyList<ServiceEntryInput> Current => Volatile.Read(ref _current);

    /// <summary>Loads all files, raises <see cref="Changed"/> once, and starts watching.</summary>
    /// <remarks>Files still being written are waited for, up to ten debounce times; later they load as they settle.</remarks>
    /// <exception cref="FileSourceException">A path does not exist or cannot be read.</exception>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                throw new InvalidOperationException("The file source is already started.");
            }

            _targets = [.. _paths.Select(Resolve)];
            _started = true;

            // Watch before the first read, so that a change made while reading is not missed.
            var watch = new DirectoryWatch(_targets.Select(t => (t.FullPath, t.IsDirectory)), _logger, Schedule);
            lock (_timerGate)
            {
                if (_disposed)
                {
                    watch.Dispose();
                    throw new ObjectDisposedException(nameof(FileSource));
                }

                (_watch, _timer) = (watch, new Timer(_ => OnTimer()));
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

    /// <summary>Stops watching at once; a reload in progress is not waited for and publishes nothing after this.</summary>
    public void Dispose()
    {
        lock (_timerGate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer?.Dispose();
            _watch?.Dispose();
        }

        _stop.Cancel();
    }

    /// <summary>(Re)arms the debounce timer: due when changes have settled, at the latest _maxDelay after the first.</summary>
    private void Schedule()
    {
        lock (_timerGate)
        {
            if (_disposed || _timer is null)
            {
                return;
            }

            long now = Environment.TickCount64;
            if (_pendingSince < 0)
            {
                _pendingSince = now;
            }

            long due = Math.Min(now + (long)_debounce.TotalMilliseconds, _pendingSince + (long)_maxDelay.TotalMilliseconds);
            _timer.Change(TimeSpan.FromMilliseconds(Math.Max(0, due - now)), Timeout.InfiniteTimeSpan);
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
                FileSourceLog.ReloadFailed(_logger, e);
            }
        }
    }

    /// <summary>Raises Changed with the entries of all files, unless disposed.</summary>
    private void Publish(bool initial)
    {
        if (_disposed)
        {
            return;
        }

        ServiceEntryInput[] entries = Combine();
        Volatile.Write(ref _current, entries);
        FileSourceLog.Loaded(
            _logger,
            entries.Length,
            _files.Count,
            _parsed,
            _files.Values.Sum(f => f.Invalid),
            _files.Values.Sum(f => f.Other),
            _files.Values.Count(f => f.Failed || f.Problem is not null));
        _parsed = 0;

        Action<IReadOnlyList<ServiceEntryInput>>? handler = _disposed ? null : Changed; // disposed meanwhile: publish nothing
        if (initial)
        {
            handler?.Invoke(entries);
            return;
        }

        try
        {
            handler?.Invoke(entries);
        }
#pragma warning disable CA1031 // Runs on a timer thread, where an exception would end the process.
        catch (Exception e)
#pragma warning restore CA1031
        {
            FileSourceLog.HandlerFailed(_logger, e);
        }
    }

    private static Target Resolve(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new FileSourceException("--from-file: empty path");
        }

        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new FileSourceException($"--from-file {path}: invalid path", e);
        }

        FileLook look = FileLook.Of(full);
        try
        {
            if (look.IsDirectory)
            {
                using IEnumerator<string> probe = Directory.EnumerateFileSystemEntries(full).GetEnumerator();
                probe.MoveNext();
                return new Target(path, full, IsDirectory: true);
            }

            if (!look.Missing && look.Problem is null)
            {
                File.OpenHandle(full).Dispose(); // a regular file: opening cannot block
                return new Target(path, full, IsDirectory: false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileSourceException($"--from-file {path}: {IoErrors.Describe(e)}", e);
        }

        throw new FileSourceException($"--from-file {path}: {look.Problem ?? "no such file or directory"}");
    }

    /// <summary>A file of a watched directory that is read: *.yaml or *.yml, not hidden.</summary>
    internal static bool IsCandidate(string name) =>
        !name.StartsWith('.')
        && (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase));

    /// <summary>A path given to the source, resolved at start.</summary>
    private sealed record Target(string Given, string FullPath, bool IsDirectory)
    {
        /// <summary>The last successful listing of a directory, used while it cannot be listed.</summary>
        public string[] LastListing { get; set; } = [];
    }
}
