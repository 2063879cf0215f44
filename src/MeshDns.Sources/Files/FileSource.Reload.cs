using System.Security.Cryptography;
using System.Text;
using MeshDns.Table;

namespace MeshDns.Sources.Files;

/// <summary>
/// One reload: list, look at each file, parse the settled ones whose bytes changed, merge. Settled: not written for a
/// debounce time, or unchanged across two looks that far apart. Until then, and while unreadable, too large or invalid,
/// a file keeps its last good entries; a deleted one has none. A namespace/name defined twice: the later file wins.
/// </summary>
public sealed partial class FileSource
{
    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private Target[] _targets = [];
    private List<(string FullPath, string Display)> _order = [];
    private int _parsed;
    private YamlBudget _budget = new();

    private enum Outcome { Gone, Same, Changed, Unsettled }

    /// <summary>Looks at every file once; true when some file has not settled yet. Throws when disposed meanwhile.</summary>
    private bool Reload(out bool changed)
    {
        _budget = new YamlBudget(); // aliases are bounded per file and per reload, all files together
        _order = ListFiles();
        var outcomes = new Dictionary<string, Outcome>(StringComparer.Ordinal);
        foreach ((string fullPath, string display) in _order)
        {
            _stop.Token.ThrowIfCancellationRequested();
            outcomes[fullPath] = Visit(fullPath, display);
        }

        List<string> gone = [.. _files.Keys.Where(k => outcomes.GetValueOrDefault(k, Outcome.Gone) == Outcome.Gone)]; // or no longer listed
        gone.ForEach(Forget);
        changed = gone.Count > 0 || outcomes.ContainsValue(Outcome.Changed);
        return outcomes.ContainsValue(Outcome.Unsettled);
    }

    private Outcome Visit(string fullPath, string display)
    {
        FileLook look = FileLook.Of(fullPath);
        if (look.Missing)
        {
            return Outcome.Gone;
        }

        bool known = _files.TryGetValue(fullPath, out FileState? state);
        state = (state ?? new FileState(display, default, 0, [], [], 0, 0, Failed: false, Problem: null)).Seen(look);
        string? problem = look.Problem ?? (look.Size > _maxFileSize ? FileLook.TooLarge(_maxFileSize) : null);
        byte[]? bytes = null;
        if (problem is null && known && state.ReadUnder == look)
        {
            Store(fullPath, state);
            return Outcome.Same; // same size, mtime and inode as when last read, and old enough then: not read again
        }

        bool aged = WrittenLongAgo(look); // before the read: a later write shows in mtime
        if (problem is null && !Settled(state, look))
        {
            Store(fullPath, state);
            return Outcome.Unsettled;
        }

        try
        {
            bytes = problem is null ? FileLook.Read(fullPath, _maxFileSize, _stop.Token, out problem) : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Outcome.Gone; // gone since it was looked at: it contributes nothing
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = IoErrors.Describe(e);
        }

        if (bytes is not null && FileLook.Of(fullPath) is var after && after != look)
        {
            Store(fullPath, state.Seen(after)); // written while being read
            return Outcome.Unsettled;
        }

        if (bytes is null)
        {
            if (state.Problem != problem)
            {
                FileSourceLog.ReadError(_logger, display, problem ?? "", Kept(state));
            }

            Store(fullPath, state with { Problem = problem });
            return known ? Outcome.Same : Outcome.Changed;
        }

        return Parse(fullPath, state with { ReadUnder = aged ? look : null }, bytes, known);
    }

    private bool Settled(FileState state, FileLook look) =>
        WrittenLongAgo(look) || Environment.TickCount64 - state.LookedAt >= (long)_debounce.TotalMilliseconds;

    /// <summary>Last written at least a debounce time ago.</summary>
    private bool WrittenLongAgo(FileLook look) => look.MtimeNs <= FileLook.NowNs - (_debounce.Ticks * 100);

    private Outcome Parse(string fullPath, FileState state, byte[] bytes, bool known)
    {
        byte[] hash = SHA256.HashData(bytes);
        if (known && state.Problem is null && state.Hash.AsSpan().SequenceEqual(hash))
        {
            Store(fullPath, state);
            return Outcome.Same;
        }

        _parsed++;
        FileParseResult result = ParseFile(bytes, state.Display, _budget);
        foreach (string warning in result.Warnings)
        {
            FileSourceLog.EntryWarning(_logger, warning);
        }

        if (result.Error is not null)
        {
            FileSourceLog.FileError(_logger, result.Error, Kept(state));
        }

        Store(fullPath, result.Error is not null
            ? state with { Hash = hash, Failed = true, Problem = null }
            : state with { Hash = hash, Entries = result.Entries, Invalid = result.InvalidEntries, Other = result.OtherDocuments, Failed = false, Problem = null });
        return Outcome.Changed;
    }

    /// <summary>Each path as given; a directory's files by name.</summary>
    private List<(string FullPath, string Display)> ListFiles()
    {
        var files = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Target target in _targets)
        {
            string[] names = [""];
            if (target.IsDirectory)
            {
                try
                {
                    names = [.. Directory.EnumerateFiles(target.FullPath).Select(Path.GetFileName).OfType<string>().Where(IsCandidate).Order(StringComparer.Ordinal)];
                    target.LastListing = names;
                }
                catch (DirectoryNotFoundException)
                {
                    names = target.LastListing = []; // the directory was removed: its files contribute nothing
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    FileSourceLog.ListError(_logger, target.Given, IoErrors.Describe(e));
                    names = target.LastListing;
                }
            }

            files.AddRange(names.Where(n => seen.Add(Path.Join(target.FullPath, n))).Select(n => (Path.Join(target.FullPath, n), Path.Join(target.Given, n))));
        }

        return files;
    }

    /// <summary>Parses a file (UTF-8 unless a byte order mark says otherwise); a failure of the parser is that file's error only.</summary>
    private static FileParseResult ParseFile(byte[] bytes, string display, YamlBudget budget)
    {
        try
        {
            return ServiceEntryYaml.Parse(Decode(bytes), display, budget);
        }
#pragma warning disable CA1031 // One file's content must not stop the others from loading.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new FileParseResult([], [], $"{display}: cannot be read: {e.Message}");
        }
    }

    /// <summary>UTF-8 (with or without its byte order mark) decoded in one step; UTF-16 and UTF-32 by their marks.</summary>
    private static string Decode(byte[] bytes)
    {
        if (bytes.Length > 0 && bytes[0] is 0xFE or 0xFF or 0x00)
        {
            using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }

        return Encoding.UTF8.GetString(bytes.AsSpan(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? 3 : 0));
    }

    private static string Kept(FileState state) =>
        state.Entries.Count > 0 ? $"keeping its previous {state.Entries.Count} entries" : "it contributes no entries";

    /// <summary>One file: its last look and since when, the hash of its bytes, the entries of its last good content.</summary>
    private sealed record FileState(
        string Display, FileLook Look, long LookedAt, byte[] Hash, IReadOnlyList<ServiceEntryInput> Entries, int Invalid, int Other, bool Failed, string? Problem)
    {
        /// <summary>The look the current bytes were read under, when the file was last written a debounce time before the
        /// read (a write since then changes the mtime); while it still looks so, the file is not read again.</summary>
        public FileLook? ReadUnder { get; init; }

        /// <summary>The time of the look only changes with the look.</summary>
        public FileState Seen(FileLook look) => look == Look ? this : this with { Look = look, LookedAt = Environment.TickCount64 };
    }
}
