using System.Collections.Concurrent;
using System.Diagnostics;
using MeshDns.Sources.Files;
using MeshDns.Table;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Tests;

/// <summary>
/// A FileSource against a real temporary directory. Waits poll for up to 10 s for the expected content and
/// never assert on timing.
/// </summary>
public abstract class FileSourceFixture : IDisposable
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("meshdns-files-");
    private readonly List<FileSource> _sources = [];

    protected TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(100);

    protected long MaxFileSize { get; set; } = FileSource.DefaultMaxFileSize;

    protected string Dir => _dir.FullName;

    protected RecordingLogger<FileSource> Log { get; } = new();

    /// <summary>The logger given to sources started from now on (default: <see cref="Log"/>).</summary>
    protected ILogger<FileSource>? Logger { get; set; }

    /// <summary>The source's entries after each update it raised.</summary>
    protected ConcurrentQueue<IReadOnlyList<ServiceEntryInput>> Changes { get; } = new();

    /// <summary>The updates themselves.</summary>
    protected ConcurrentQueue<SourceUpdate> Updates { get; } = new();

    public void Dispose()
    {
        foreach (FileSource source in _sources)
        {
            source.Dispose();
        }

        _dir.Delete(recursive: true);
        GC.SuppressFinalize(this);
    }

    protected string PathOf(string name) => Path.Join(_dir.FullName, name);

    protected void Write(string name, string content) => File.WriteAllText(PathOf(name), content);

    /// <summary>A ServiceEntry t/NAME with the given hosts.</summary>
    protected static string Entry(string name, params string[] hosts) =>
        $"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: {name}\n  namespace: t\nspec:\n  hosts: [{string.Join(", ", hosts)}]\n  resolution: DNS\n";

    /// <summary>A started source of the paths (the temporary directory if none).</summary>
    protected FileSource Start(params string[] paths)
    {
        var source = new FileSource(paths.Length == 0 ? [_dir.FullName] : paths, Logger ?? Log, Debounce, MaxFileSize);
        _sources.Add(source);
        Follow(source, Changes);
        source.Changed += Updates.Enqueue;
        source.Start();
        return source;
    }

    /// <summary>Queues the source's entries after each of its updates.</summary>
    protected static void Follow(FileSource source, ConcurrentQueue<IReadOnlyList<ServiceEntryInput>> entries) =>
        source.Changed += _ => entries.Enqueue(source.Current);

    /// <summary>namespace/name → hosts, comma-separated.</summary>
    protected static Dictionary<string, string> View(IReadOnlyList<ServiceEntryInput> entries) =>
        entries.ToDictionary(e => e.Id, e => string.Join(",", e.Hosts));

    protected static async Task Eventually(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience)
            {
                Assert.Fail($"Timed out after {Patience.TotalSeconds} s waiting for {what}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Waits until the last Changed (and Current) shows exactly <paramref name="expected"/>.</summary>
    protected async Task ExpectEntries(FileSource source, Dictionary<string, string> expected, string what)
    {
        bool Matches(IReadOnlyList<ServiceEntryInput> entries)
        {
            Dictionary<string, string> view = View(entries);
            return view.Count == expected.Count && expected.All(kv => view.TryGetValue(kv.Key, out string? hosts) && hosts == kv.Value);
        }

        await Eventually(() => Changes.LastOrDefault() is { } last && Matches(last), what);
        Assert.Equal(expected, View(source.Current));
    }
}
