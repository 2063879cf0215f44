using System.Security.Cryptography;
using System.Text;
using MeshDns.Table;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Files;

/// <summary>
/// ServiceEntries read from YAML files and kept up to date as the files change (<c>--from-file</c>).
/// </summary>
/// <remarks>
/// <para>Each path is a file, or a directory whose <c>*.yaml</c> and <c>*.yml</c> files are read (not
/// recursively; names starting with '.' are left out, as editors use them for swap and lock files).</para>
/// <para><see cref="Start"/> loads everything and raises <see cref="Changed"/> once, then watches the
/// directories involved. When changes have settled for the debounce time (or at the latest ten debounce
/// times after the first change) the files are read again; only files whose bytes changed are parsed and
/// logged again, and <see cref="Changed"/> is raised with the full new set when anything changed. Editors
/// that save by renaming a new file over the old one, files added to or removed from a watched directory,
/// and Kubernetes ConfigMap/Secret volumes (which swap a <c>..data</c> link) are all seen.</para>
/// <para>A file that is not valid YAML keeps contributing the entries of its last good content (none if it
/// never had one); a deleted file contributes nothing. When two files define the same namespace/name, the
/// later file in path order wins, like <c>kubectl apply -f</c>.</para>
/// <para><see cref="Changed"/> is raised on the thread that calls <see cref="Start"/>, then on a thread-pool
/// thread, never twice at once and always in order. <see cref="Dispose"/> never waits for a reload (a stop
/// must not wait for a big parse); a reload that was in progress publishes nothing once it ends.</para>
/// </remarks>
public sealed class FileSource : IDisposable
{
    private readonly IReadOnlyList<string> _paths;
    private readonly ILogger<FileSource> _logger;
    private readonly TimeSpan _debounce;
    private readonly TimeSpan _maxDelay;

    /// <summary>Serialises Start, reloads and Dispose; guards everything below it.</summary>
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private readonly List<FileSystemWatcher> _watchers = [];
    private Target[] _targets = [];
    private bool _started;

    /// <summary>Guards the debounce timer.</summary>
    private readonly Lock _timerGate = new();
    private Timer? _timer;
    private long _pendingSince = -1;

    private volatile bool _disposed;
    private IReadOnlyList<ServiceEntryInput> _current = [];

    /// <param name="paths">Files and directories, as the user gave them (messages name them so).</param>
    /// <param name="logger">Receives one line per reload, and the warnings and errors of the files.</param>
    /// <param name="debounce">How long changes must have settled before the files are read again.</param>
    public FileSource(IReadOnlyList<string> paths, ILogger<FileSource> logger, TimeSpan debounce)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(debounce, TimeSpan.Zero);
        _paths = [.. paths];
        _logger = logger;
        _debounce = debounce;
        _maxDelay = debounce * 10;
    }

    /// <summary>
    /// All entries of all files, raised by <see cref="Start"/> and after each reload that changed anything.
    /// </summary>
    public event Action<IReadOnlyList<ServiceEntryInput>>? Changed;

    /// <summary>The entries of the last load (empty before <see cref="Start"/>).</summary>
    public IReadOnlyList<ServiceEntryInput> Current => Volatile.Read(ref _current);

    /// <summary>Loads all files, raises <see cref="Changed"/> once, and starts watching.</summary>
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
            lock (_timerGate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this); // Dispose may have run since the check above
                _timer = new Timer(_ => OnTimer());
            }

            // Watch before the first read, so that a change made while reading is not missed.
            Watch();
            Reload(initial: true);
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
            foreach (FileSystemWatcher watcher in _watchers)
            {
                watcher.Dispose();
            }

            _watchers.Clear();
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

        try
        {
            if (Directory.Exists(full))
            {
                using IEnumerator<string> probe = Directory.EnumerateFileSystemEntries(full).GetEnumerator();
                probe.MoveNext();
                return new Target(path, full, IsDirectory: true);
            }

            if (File.Exists(full))
            {
                using FileStream probe = File.OpenRead(full);
                return new Target(path, full, IsDirectory: false);
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new FileSourceException($"--from-file {path}: permission denied", e);
        }
        catch (IOException e)
        {
            throw new FileSourceException($"--from-file {path}: {IoErrors.Describe(e)}", e);
        }

        throw new FileSourceException($"--from-file {path}: no such file or directory");
    }

    /// <summary>One watcher per directory involved; a watcher that cannot start is logged and left out.</summary>
    private void Watch()
    {
        foreach (IGrouping<string, Target> group in _targets.GroupBy(DirectoryOf, StringComparer.Ordinal))
        {
            var scope = new WatchScope(
                group.Any(t => t.IsDirectory),
                group.Where(t => !t.IsDirectory).Select(t => Path.GetFileName(t.FullPath)).ToHashSet(FileNameComparer));
            string directory = group.Key;
            FileSystemWatcher? watcher = null;
            try
            {
                watcher = new FileSystemWatcher(directory)
                {
                    IncludeSubdirectories = false,
                    InternalBufferSize = 64 * 1024,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite
                        | NotifyFilters.Size | NotifyFilters.CreationTime,
                };
                watcher.Changed += (_, e) => OnFileEvent(scope, e.Name);
                watcher.Created += (_, e) => OnFileEvent(scope, e.Name);
                watcher.Deleted += (_, e) => OnFileEvent(scope, e.Name);
                watcher.Renamed += (_, e) =>
                {
                    OnFileEvent(scope, e.OldName);
                    OnFileEvent(scope, e.Name);
                };
                watcher.Error += (_, e) =>
                {
                    FileSourceLog.WatchError(_logger, directory, IoErrors.Describe(e.GetException()));
                    Schedule();
                };
                watcher.EnableRaisingEvents = true;
                lock (_timerGate)
                {
                    if (_disposed)
                    {
                        watcher.Dispose();
                        return;
                    }

                    _watchers.Add(watcher);
                }

                FileSourceLog.Watching(_logger, directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
            {
                watcher?.Dispose();
                FileSourceLog.CannotWatch(_logger, directory, IoErrors.Describe(e));
            }
        }
    }

    private static string DirectoryOf(Target target) =>
        target.IsDirectory ? target.FullPath : Path.GetDirectoryName(target.FullPath) ?? target.FullPath;

    /// <summary>Whether a name in a watched directory matters; both names of a rename are passed.</summary>
    private void OnFileEvent(WatchScope scope, string? name)
    {
        if (_disposed)
        {
            return;
        }

        bool relevant = name is null
            || name.StartsWith("..", StringComparison.Ordinal) // Kubernetes volume update (..data swapped)
            || scope.Files.Contains(name)
            || (scope.WholeDirectory && IsCandidate(name));
        if (relevant)
        {
            Schedule();
        }
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
            if (_disposed)
            {
                return;
            }

            try
            {
                Reload(initial: false);
            }
#pragma warning disable CA1031 // A timer callback must not throw: that would end the process.
            catch (Exception e)
#pragma warning restore CA1031
            {
                FileSourceLog.ReloadFailed(_logger, e);
            }
        }
    }

    /// <summary>Reads the files again; raises Changed when anything changed (always on the first load).</summary>
    private void Reload(bool initial)
    {
        List<(string FullPath, string Display)> files = ListFiles();
        bool changed = initial;
        int parsed = 0;
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string fullPath, string display) in files)
        {
            _files.TryGetValue(fullPath, out FileState? state);
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(fullPath);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                continue; // gone since it was listed: it contributes nothing
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                present.Add(fullPath);
                string reason = IoErrors.Describe(e);
                if (state?.ReadError != reason)
                {
                    FileSourceLog.ReadError(_logger, display, reason, Kept(state));
                    changed |= state is null;
                }

                _files[fullPath] = (state ?? FileState.Empty(display)) with { ReadError = reason };
                continue;
            }

            present.Add(fullPath);
            byte[] hash = SHA256.HashData(bytes);
            if (state is not null && state.ReadError is null && state.Hash.AsSpan().SequenceEqual(hash))
            {
                continue; // unchanged since last read
            }

            changed = true;
            parsed++;
            FileParseResult result = ParseFile(bytes, display);
            foreach (string warning in result.Warnings)
            {
                FileSourceLog.EntryWarning(_logger, warning);
            }

            if (result.Error is not null)
            {
                FileSourceLog.FileError(_logger, result.Error, Kept(state));
                _files[fullPath] = (state ?? FileState.Empty(display)) with { Hash = hash, Failed = true, ReadError = null };
            }
            else
            {
                _files[fullPath] = new FileState(display, hash, result.Entries, result.InvalidEntries, result.OtherDocuments, Failed: false, ReadError: null);
            }
        }

        foreach (string gone in _files.Keys.Where(k => !present.Contains(k)).ToList())
        {
            _files.Remove(gone);
            changed = true;
        }

        if (!changed || _disposed)
        {
            return;
        }

        ServiceEntryInput[] entries = Combine(files);
        Volatile.Write(ref _current, entries);
        FileSourceLog.Loaded(
            _logger,
            entries.Length,
            _files.Count,
            parsed,
            _files.Values.Sum(f => f.Invalid),
            _files.Values.Sum(f => f.Other),
            _files.Values.Count(f => f.Failed || f.ReadError is not null));

        Action<IReadOnlyList<ServiceEntryInput>>? handler = _disposed ? null : Changed; // disposed while reading: publish nothing
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

    /// <summary>The entries of all files in path order; a namespace/name defined again replaces the earlier one.</summary>
    private ServiceEntryInput[] Combine(List<(string FullPath, string Display)> files)
    {
        var entries = new List<ServiceEntryInput>();
        var index = new Dictionary<string, (int Index, string File)>(StringComparer.Ordinal);
        foreach ((string fullPath, string display) in files)
        {
            if (!_files.TryGetValue(fullPath, out FileState? state))
            {
                continue;
            }

            foreach (ServiceEntryInput entry in state.Entries)
            {
                if (index.TryGetValue(entry.Id, out (int Index, string File) earlier))
                {
                    if (earlier.File != display)
                    {
                        FileSourceLog.DefinedTwice(_logger, entry.Id, earlier.File, display);
                    }

                    entries[earlier.Index] = entry;
                    index[entry.Id] = (earlier.Index, display);
                }
                else
                {
                    index[entry.Id] = (entries.Count, display);
                    entries.Add(entry);
                }
            }
        }

        return [.. entries];
    }

    /// <summary>The files to read, in order: each path as given; a directory's files by name.</summary>
    private List<(string FullPath, string Display)> ListFiles()
    {
        var files = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Target target in _targets)
        {
            if (!target.IsDirectory)
            {
                if (seen.Add(target.FullPath))
                {
                    files.Add((target.FullPath, target.Given));
                }

                continue;
            }

            string[] names;
            try
            {
                names = [.. Directory.EnumerateFiles(target.FullPath)
                    .Select(Path.GetFileName)
                    .OfType<string>()
                    .Where(IsCandidate)
                    .Order(StringComparer.Ordinal)];
                target.LastListing = names;
            }
            catch (DirectoryNotFoundException)
            {
                names = []; // the directory was removed: its files contribute nothing
                target.LastListing = names;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                FileSourceLog.ListError(_logger, target.Given, IoErrors.Describe(e));
                names = target.LastListing;
            }

            foreach (string name in names)
            {
                string fullPath = Path.Join(target.FullPath, name);
                if (seen.Add(fullPath))
                {
                    files.Add((fullPath, Path.Join(target.Given, name)));
                }
            }
        }

        return files;
    }

    /// <summary>A file of a watched directory that is read: *.yaml or *.yml, not hidden.</summary>
    private static bool IsCandidate(string name) =>
        !name.StartsWith('.')
        && (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase));

    private static StringComparer FileNameComparer =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>Parses a file; an unexpected failure of the parser counts as an error of that file only.</summary>
    private static FileParseResult ParseFile(byte[] bytes, string display)
    {
        try
        {
            return ServiceEntryYaml.Parse(Decode(bytes), display);
        }
#pragma warning disable CA1031 // One file's content must not stop the others from loading.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new FileParseResult([], [], $"{display}: cannot be read: {e.Message}");
        }
    }

    /// <summary>The text of a file: UTF-8 unless a byte order mark says otherwise.</summary>
    private static string Decode(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static string Kept(FileState? state) => state is { Entries.Count: > 0 }
        ? $"keeping its previous {state.Entries.Count} entries"
        : "it contributes no entries";

    /// <summary>A path given to the source, resolved at start.</summary>
    private sealed record Target(string Given, string FullPath, bool IsDirectory)
    {
        /// <summary>The last successful listing of a directory, used while it cannot be listed.</summary>
        public string[] LastListing { get; set; } = [];
    }

    /// <summary>What a watcher of one directory reacts to.</summary>
    private sealed record WatchScope(bool WholeDirectory, HashSet<string> Files);

    /// <summary>One file as last read: the hash of its bytes and the entries of its last good content.</summary>
    private sealed record FileState(
        string Display,
        byte[] Hash,
        IReadOnlyList<ServiceEntryInput> Entries,
        int Invalid,
        int Other,
        bool Failed,
        string? ReadError)
    {
        public static FileState Empty(string display) => new(display, [], [], 0, 0, Failed: false, ReadError: null);
    }
}
