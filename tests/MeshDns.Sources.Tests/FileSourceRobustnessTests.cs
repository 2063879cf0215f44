using System.Diagnostics;
using MeshDns.Sources.Files;
using MeshDns.Table;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Tests;

/// <summary>Files that are not plain, finished YAML files, directories replaced under the source, and stops mid-reload.</summary>
public sealed class FileSourceRobustnessTests : FileSourceFixture
{
    private static void Run(string program, params string[] args)
    {
        using Process process = Process.Start(program, args);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    private string ErrorAbout(string name) =>
        Assert.Single(Log.At(LogLevel.Error), l => l.StartsWith(PathOf(name) + ":", StringComparison.Ordinal));

    [Fact]
    public async Task A_fifo_is_never_opened_and_is_named_once_in_the_log()
    {
        Write("a.yaml", Entry("a", "a.global"));
        Run("mkfifo", PathOf("z.yaml"));

        FileSource source = await Task.Run(() => Start()).WaitAsync(Patience); // opening the FIFO would block for good

        Assert.Equal(new Dictionary<string, string> { ["t/a"] = "a.global" }, View(source.Current));
        Assert.Equal($"{PathOf("z.yaml")}: cannot read: not a regular file; it contributes no entries", ErrorAbout("z.yaml"));

        // Reloads go on past it, and it is not logged again.
        Run("mkfifo", PathOf("y.yaml"));
        Write("b.yaml", Entry("b", "b.global"));
        await ExpectEntries(source, new() { ["t/a"] = "a.global", ["t/b"] = "b.global" }, "b.yaml next to two FIFOs");
        Assert.Single(Log.At(LogLevel.Error), l => l.Contains("z.yaml", StringComparison.Ordinal));
        Assert.Equal($"{PathOf("y.yaml")}: cannot read: not a regular file; it contributes no entries", ErrorAbout("y.yaml"));
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public async Task A_link_to_a_device_is_not_read(string device)
    {
        Write("a.yaml", Entry("a", "a.global"));
        File.CreateSymbolicLink(PathOf("z.yaml"), device);

        FileSource source = await Task.Run(() => Start()).WaitAsync(Patience); // reading it would never end

        Assert.Equal(new Dictionary<string, string> { ["t/a"] = "a.global" }, View(source.Current));
        Assert.Equal($"{PathOf("z.yaml")}: cannot read: not a regular file; it contributes no entries", ErrorAbout("z.yaml"));
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_not_read_and_keeps_its_last_entries()
    {
        MaxFileSize = 1024;
        Write("a.yaml", Entry("a", "a.global"));
        FileSource source = Start();

        Write("a.yaml", Entry("a", "big.global") + "# " + new string('x', 1024) + "\n");
        await Eventually(() => Log.At(LogLevel.Error).Any(), "the error for a.yaml");
        Assert.Equal($"{PathOf("a.yaml")}: cannot read: larger than the 1 KiB limit (--max-file-size); keeping its previous 1 entries", ErrorAbout("a.yaml"));
        Assert.Equal(new Dictionary<string, string> { ["t/a"] = "a.global" }, View(source.Current));

        Write("a.yaml", Entry("a", "small.global"));
        await ExpectEntries(source, new() { ["t/a"] = "small.global" }, "a.yaml back under the limit");
    }

    [Fact]
    public async Task Dispose_returns_while_a_reload_is_running_which_then_reads_no_further_file()
    {
        string Bad(string name, string key) => Entry(name, "[x]").Replace("hosts: [[x]]", $"hosts: {{{key}: y}}", StringComparison.Ordinal);
        Write("a.yaml", Bad("a", "first"));
        Write("b.yaml", Bad("b", "first"));
        var logger = new HoldingLogger(Log);
        Logger = logger;
        FileSource source = Start();

        // The reload parses a.yaml, then b.yaml: it is held while it logs the warning of a.yaml.
        logger.HoldOn = PathOf("a.yaml");
        Write("a.yaml", Bad("a", "second"));
        Write("b.yaml", Bad("b", "second"));
        Assert.True(logger.Held.Wait(Patience), "the reload of a.yaml did not start");

        await Task.Run(source.Dispose).WaitAsync(Patience);
        logger.Release.Set();

        await Eventually(() => Log.At(LogLevel.Debug).Contains("Stopped during a reload: the files left were not read"), "the reload to stop");
        Assert.Single(Log.At(LogLevel.Warning), m => m.StartsWith(PathOf("b.yaml"), StringComparison.Ordinal)); // from Start only
    }

    [Fact]
    public async Task A_replaced_directory_is_watched_again_and_logged_once()
    {
        string dir = PathOf("d"), next = PathOf("d.new");
        Directory.CreateDirectory(dir);
        Write("d/a.yaml", Entry("a", "a.global"));
        FileSource source = Start(dir);

        Directory.CreateDirectory(next);
        Write("d.new/b.yaml", Entry("b", "b.global"));
        Directory.Delete(dir, recursive: true); // rm -rf d; mv d.new d
        Directory.Move(next, dir);
        await ExpectEntries(source, new() { ["t/b"] = "b.global" }, "the swapped directory");
        await Eventually(() => Log.At(LogLevel.Warning).Any(l => l.Contains("was replaced", StringComparison.Ordinal)), "the replacement to be logged");

        Write("d/c.yaml", Entry("c", "c.global"));
        await ExpectEntries(source, new() { ["t/b"] = "b.global", ["t/c"] = "c.global" }, "a file added to the new directory");
        Assert.Equal(
            $"{dir} was replaced by another directory; watching the new one",
            Assert.Single(Log.At(LogLevel.Warning), l => l.Contains("was replaced", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_slow_writer_never_publishes_a_partial_file()
    {
        // Pauses between pieces (70 ms) are well under the debounce, with room for a loaded machine stalling the writer;
        // the whole write (150 pieces, 10.5 s or more) lasts past the forced reload (10 debounces).
        Debounce = TimeSpan.FromSeconds(1);
        Write("a.yaml", Entry("stable", "stable.global"));
        FileSource source = Start();
        byte[] content = System.Text.Encoding.UTF8.GetBytes(
            Entry("added", "added.global") + string.Concat(Enumerable.Range(0, 200).Select(i => $"# padding line {i}\n")) + "---\n" + Entry("stable", "stable.global"));

        await using (var file = new FileStream(PathOf("a.yaml"), FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite))
        {
            for (int offset = 0; offset < content.Length; offset += content.Length / 150)
            {
                await file.WriteAsync(content.AsMemory(offset, Math.Min(content.Length / 150, content.Length - offset)));
                await file.FlushAsync();
                await Task.Delay(70);
            }
        }

        await ExpectEntries(source, new() { ["t/added"] = "added.global", ["t/stable"] = "stable.global" }, "the whole file");
        Assert.All(Changes, table => Assert.Contains(table, e => e.Id == "t/stable"));
    }

    /// <summary>Forwards to the recording logger, holding the thread that logs a line starting with <see cref="HoldOn"/>.</summary>
    private sealed class HoldingLogger(RecordingLogger<FileSource> inner) : ILogger<FileSource>
    {
        public string? HoldOn { get; set; }

        public ManualResetEventSlim Held { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
            if (HoldOn is { } prefix && formatter(state, exception).StartsWith(prefix, StringComparison.Ordinal))
            {
                Held.Set();
                Release.Wait(Patience);
            }
        }
    }
}
