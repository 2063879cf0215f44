using System.Collections.Concurrent;
using System.Diagnostics;
using MeshDns.Sources.Files;
using MeshDns.Table;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Tests;

/// <summary>What the file source reads, how it follows changes, and how it combines files.</summary>
public sealed class FileSourceTests : FileSourceFixture
{
    [Fact]
    public void Start_loads_yaml_and_yml_files_of_a_directory_and_raises_changed_once()
    {
        Write("a.yaml", Entry("a", "a.global"));
        Write("b.yml", Entry("b", "b.global") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
        Write("c.txt", Entry("c", "c.global"));
        Write(".hidden.yaml", Entry("hidden", "hidden.global"));
        Directory.CreateDirectory(PathOf("sub"));
        Write("sub/d.yaml", Entry("d", "d.global"));

        FileSource source = Start();

        IReadOnlyList<ServiceEntryInput> initial = Assert.Single(Changes);
        Assert.Equal(new Dictionary<string, string> { ["t/a"] = "a.global", ["t/b"] = "b.global" }, View(initial));
        Assert.Same(initial, source.Current);
        string loaded = Assert.Single(Log.At(LogLevel.Information));
        Assert.StartsWith("Loaded 2 ServiceEntries from 2 files (2 read anew, 0 invalid entries skipped, 1 other documents ignored, 0 files with errors)", loaded);
        Assert.Empty(Log.At(LogLevel.Warning));
        Assert.Empty(Log.At(LogLevel.Error));
    }

    [Fact]
    public void Files_are_read_as_utf8_with_or_without_its_mark_and_as_utf16_or_utf32_by_theirs()
    {
        File.WriteAllBytes(PathOf("a.yaml"), [.. System.Text.Encoding.UTF8.Preamble, .. System.Text.Encoding.UTF8.GetBytes(Entry("a", "a.global"))]);
        File.WriteAllBytes(PathOf("b.yaml"), System.Text.Encoding.UTF8.GetBytes(Entry("b", "b.global") + "# caf\u00e9\n"));
        File.WriteAllBytes(PathOf("c.yaml"), [.. System.Text.Encoding.Unicode.Preamble, .. System.Text.Encoding.Unicode.GetBytes(Entry("c", "c.global"))]);
        File.WriteAllBytes(PathOf("d.yaml"), [.. System.Text.Encoding.BigEndianUnicode.Preamble, .. System.Text.Encoding.BigEndianUnicode.GetBytes(Entry("d", "d.global"))]);
        File.WriteAllBytes(PathOf("e.yaml"), [.. System.Text.Encoding.UTF32.Preamble, .. System.Text.Encoding.UTF32.GetBytes(Entry("e", "e.global"))]);

        Start();

        Assert.Equal(
            new Dictionary<string, string> { ["t/a"] = "a.global", ["t/b"] = "b.global", ["t/c"] = "c.global", ["t/d"] = "d.global", ["t/e"] = "e.global" },
            View(Assert.Single(Changes)));
        Assert.Empty(Log.At(LogLevel.Warning));
    }

    [Fact]
    public void An_empty_directory_yields_no_entries()
    {
        FileSource source = Start();

        Assert.Empty(Assert.Single(Changes));
        Assert.Empty(source.Current);
    }

    [Fact]
    public async Task Editing_a_file_raises_changed_with_the_new_content()
    {
        Write("a.yaml", Entry("a", "a.global"));
        Write("b.yaml", Entry("b", "b.global"));
        FileSource source = Start();

        Write("a.yaml", Entry("a", "a2.global", "a3.global"));

        await ExpectEntries(source, new() { ["t/a"] = "a2.global,a3.global", ["t/b"] = "b.global" }, "the edit of a.yaml");
    }

    [Fact]
    public async Task A_new_file_in_the_directory_is_added()
    {
        Write("a.yaml", Entry("a", "a.global"));
        FileSource source = Start();

        Write("new.yml", Entry("new", "new.global"));

        await ExpectEntries(source, new() { ["t/a"] = "a.global", ["t/new"] = "new.global" }, "new.yml");
    }

    [Fact]
    public async Task A_deleted_file_contributes_nothing()
    {
        Write("a.yaml", Entry("a", "a.global"));
        Write("b.yaml", Entry("b", "b.global"));
        FileSource source = Start();

        File.Delete(PathOf("b.yaml"));

        await ExpectEntries(source, new() { ["t/a"] = "a.global" }, "the removal of b.yaml");
    }

    [Fact]
    public async Task A_broken_file_keeps_its_last_good_entries_andLogs_one_error()
    {
        Write("a.yaml", Entry("a", "a.global"));
        Write("b.yaml", Entry("b", "b.global"));
        FileSource source = Start();
        string file = Path.Join(Dir, "a.yaml");

        Write("a.yaml", "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: a\nspec:\n  hosts: [a.global]]\n");
        await Eventually(() => Log.At(LogLevel.Error).Any(), "the error for a.yaml");

        string error = Assert.Single(Log.At(LogLevel.Error));
        Assert.StartsWith($"{file}:6:", error);
        Assert.EndsWith("; keeping its previous 1 entries", error);
        Assert.Equal(new Dictionary<string, string> { ["t/a"] = "a.global", ["t/b"] = "b.global" }, View(source.Current));

        // The other files still update, and the broken one is not reported again while it is unchanged.
        Write("b.yaml", Entry("b", "b2.global"));
        await ExpectEntries(source, new() { ["t/a"] = "a.global", ["t/b"] = "b2.global" }, "the edit of b.yaml");
        Assert.Single(Log.At(LogLevel.Error));

        // Fixed: its new content is used.
        Write("a.yaml", Entry("a", "fixed.global"));
        await ExpectEntries(source, new() { ["t/a"] = "fixed.global", ["t/b"] = "b2.global" }, "the fix of a.yaml");
        Assert.Single(Log.At(LogLevel.Error));
    }

    [Fact]
    public void A_file_broken_from_the_start_contributes_nothing()
    {
        Write("a.yaml", "a: [\n");
        Write("b.yaml", Entry("b", "b.global"));

        FileSource source = Start();

        Assert.Equal(new Dictionary<string, string> { ["t/b"] = "b.global" }, View(source.Current));
        string error = Assert.Single(Log.At(LogLevel.Error));
        Assert.StartsWith($"{Path.Join(Dir, "a.yaml")}:2:", error);
        Assert.EndsWith("; it contributes no entries", error);
        Assert.Contains("1 files with errors", Assert.Single(Log.At(LogLevel.Information)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_cannot_be_read_is_named_with_the_reason_in_plain_words()
    {
        File.CreateSymbolicLink(Path.Join(Dir, "loop.yaml"), Path.Join(Dir, "loop.yaml"));
        Write("b.yaml", Entry("b", "b.global"));

        FileSource source = Start();

        Assert.Equal(new Dictionary<string, string> { ["t/b"] = "b.global" }, View(source.Current));
        Assert.StartsWith($"{Path.Join(Dir, "loop.yaml")}: cannot read: too many levels of symbolic links;", Assert.Single(Log.At(LogLevel.Error)));
    }

    [Fact]
    public void An_empty_directory_is_warned_about()
    {
        Start();
        Assert.Equal($"--from-file {Dir}: no *.yaml or *.yml files there; it serves nothing until some are added", Assert.Single(Log.At(LogLevel.Warning)));
    }

    [Fact]
    public void A_bad_entry_isLogged_as_a_warning_naming_it()
    {
        Write("a.yaml", Entry("good", "good.global") + "---\n" + Entry("bad", "[x]").Replace("hosts: [[x]]", "hosts: {x: y}", StringComparison.Ordinal));

        FileSource source = Start();

        Assert.Equal(["t/good"], source.Current.Select(e => e.Id));
        Assert.Equal(
            $"{Path.Join(Dir, "a.yaml")}:16 t/bad: spec.hosts: expected an array of strings, found an object",
            Assert.Single(Log.At(LogLevel.Warning)));
        Assert.Contains("1 invalid entries skipped", Assert.Single(Log.At(LogLevel.Information)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_replaced_by_rename_is_read_again()
    {
        Write("a.yaml", Entry("a", "a.global"));
        FileSource source = Start();

        Write("a.yaml.tmp", Entry("a", "renamed.global"));
        File.Move(PathOf("a.yaml.tmp"), PathOf("a.yaml"), overwrite: true);

        await ExpectEntries(source, new() { ["t/a"] = "renamed.global" }, "a.yaml replaced by rename");
    }

    [Fact]
    public async Task A_single_file_path_is_watched_alone()
    {
        Write("only.yaml", Entry("only", "only.global"));
        Write("other.yaml", Entry("other", "other.global"));
        FileSource source = Start(PathOf("only.yaml"));
        Assert.Equal(["t/only"], source.Current.Select(e => e.Id));

        // Replaced by rename, as editors save.
        Write(".only.yaml.swp", Entry("only", "saved.global"));
        File.Move(PathOf(".only.yaml.swp"), PathOf("only.yaml"), overwrite: true);
        await ExpectEntries(source, new() { ["t/only"] = "saved.global" }, "only.yaml replaced by rename");

        // Siblings stay out, whatever happens to them.
        Write("sibling.yaml", Entry("sibling", "sibling.global"));
        Write("only.yaml", Entry("only", "last.global"));
        await ExpectEntries(source, new() { ["t/only"] = "last.global" }, "the last edit of only.yaml");

        // Deleted, then created again.
        File.Delete(PathOf("only.yaml"));
        await ExpectEntries(source, [], "the removal of only.yaml");
        Write("only.yaml", Entry("only", "back.global"));
        await ExpectEntries(source, new() { ["t/only"] = "back.global" }, "only.yaml created again");
    }

    [Fact]
    public async Task An_update_names_only_the_entries_of_the_files_read_anew_or_lost()
    {
        Write("big.yaml", string.Join("---\n", Enumerable.Range(0, 50).Select(i => Entry($"big{i}", $"big{i}.global"))));
        Write("small.yaml", Entry("s1", "s1.global") + "---\n" + Entry("s2", "s2.global"));
        FileSource source = Start();
        SourceUpdate first = Assert.Single(Updates);
        Assert.Equal(52, first.Count);
        Assert.Equal(52, first.Changes.Count);
        Assert.All(first.Changes, c => Assert.NotNull(c.Value));

        // small.yaml rewritten: s1 changed, s2 the same text (a new instance, so named again), s3 added; big.yaml untouched.
        Write("small.yaml", Entry("s1", "s1-v2.global") + "---\n" + Entry("s2", "s2.global") + "---\n" + Entry("s3", "s3.global"));
        await Eventually(() => Updates.Count == 2, "the update for small.yaml");
        SourceUpdate edit = Updates.Last();
        Assert.Equal(53, edit.Count);
        Assert.Equal(["t/s1", "t/s2", "t/s3"], edit.Changes.Select(c => c.Key));
        Assert.Equal(["s1-v2.global"], edit.Changes[0].Value!.Hosts);

        // small.yaml deleted: its three entries are deleted, nothing else is named.
        File.Delete(PathOf("small.yaml"));
        await Eventually(() => Updates.Count == 3, "the update for the removal of small.yaml");
        SourceUpdate removal = Updates.Last();
        Assert.Equal(50, removal.Count);
        Assert.Equal(["t/s1", "t/s2", "t/s3"], removal.Changes.Select(c => c.Key));
        Assert.All(removal.Changes, c => Assert.Null(c.Value));
        Assert.Equal(50, source.Current.Count);
    }

    [Fact]
    public async Task A_file_that_looks_as_when_it_was_read_is_not_read_again()
    {
        Write("a.yaml", Entry("a", "old1.global"));
        Write("b.yaml", Entry("b", "b.global"));
        DateTime written = DateTime.UtcNow.AddMinutes(-1);
        File.SetLastWriteTimeUtc(PathOf("a.yaml"), written); // settled long before it is read
        FileSource source = Start();

        // Same size, same inode, same mtime: a reload (made by b.yaml) does not read a.yaml's bytes again. This is what
        // keeps a reload of many large files cheap; a real edit always moves the mtime.
        using (FileStream a = File.Open(PathOf("a.yaml"), FileMode.Open, FileAccess.Write))
        {
            a.Write(System.Text.Encoding.UTF8.GetBytes(Entry("a", "new1.global")));
        }

        File.SetLastWriteTimeUtc(PathOf("a.yaml"), written);
        Write("b.yaml", Entry("b", "b2.global"));
        await ExpectEntries(source, new() { ["t/a"] = "old1.global", ["t/b"] = "b2.global" }, "the edit of b.yaml");

        // Its mtime moved: read again.
        File.SetLastWriteTimeUtc(PathOf("a.yaml"), written.AddSeconds(1));
        await ExpectEntries(source, new() { ["t/a"] = "new1.global", ["t/b"] = "b2.global" }, "a.yaml's new mtime");
    }

    [Fact]
    public async Task Files_and_directories_combine_and_a_later_file_wins_a_repeated_name()
    {
        string other = Directory.CreateTempSubdirectory("meshdns-files-other-").FullName;
        try
        {
            Write("a.yaml", Entry("a", "a.global"));
            Write("b.yaml", Entry("shared", "from-b.global"));
            File.WriteAllText(Path.Join(other, "z.yaml"), Entry("shared", "from-z.global"));

            FileSource source = Start(Dir, Path.Join(other, "z.yaml"));

            Assert.Equal(new Dictionary<string, string> { ["t/a"] = "a.global", ["t/shared"] = "from-z.global" }, View(source.Current));
            string warning = Assert.Single(Log.At(LogLevel.Warning));
            Assert.Equal($"t/shared is defined in {Path.Join(Dir, "b.yaml")} and in {Path.Join(other, "z.yaml")}; the one in {Path.Join(other, "z.yaml")} is used", warning);

            File.Delete(Path.Join(other, "z.yaml"));
            await ExpectEntries(source, new() { ["t/a"] = "a.global", ["t/shared"] = "from-b.global" }, "the removal of z.yaml");
            Assert.Equal(["t/shared"], Updates.Last().Changes.Select(c => c.Key)); // b.yaml's entry takes over; a.yaml is not named
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public async Task Rewriting_the_same_content_does_not_raise_changed()
    {
        Write("a.yaml", Entry("a", "a.global"));
        Write("b.yaml", Entry("b", "b.global"));
        FileSource source = Start();

        Write("a.yaml", Entry("a", "a.global"));
        File.SetLastWriteTimeUtc(PathOf("a.yaml"), DateTime.UtcNow.AddMinutes(1));
        Write("b.yaml", Entry("b", "b2.global"));
        await ExpectEntries(source, new() { ["t/a"] = "a.global", ["t/b"] = "b2.global" }, "the edit of b.yaml");

        Assert.Equal(2, Changes.Count); // the initial load and the edit of b.yaml, nothing for a.yaml
    }

    [Fact]
    public async Task Many_quick_writes_end_with_the_last_content()
    {
        Write("a.yaml", Entry("a", "a.global"));
        FileSource source = Start();

        for (int i = 0; i < 50; i++)
        {
            Write("a.yaml", Entry("a", $"a{i}.global"));
        }

        await ExpectEntries(source, new() { ["t/a"] = "a49.global" }, "the last of 50 writes");
    }

    [Fact]
    public async Task A_kubernetes_volume_update_is_seen()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the atomic writer's symbolic links are a Linux matter
        }

        // The layout of a ConfigMap volume: a.yaml -> ..data/a.yaml, ..data -> ..2024_1; an update writes a
        // new timestamped directory and renames a new ..data link over the old one.
        Directory.CreateDirectory(PathOf("..2024_1"));
        Write("..2024_1/a.yaml", Entry("a", "v1.global"));
        File.CreateSymbolicLink(PathOf("..data"), "..2024_1");
        File.CreateSymbolicLink(PathOf("a.yaml"), "..data/a.yaml");
        FileSource source = Start();
        Assert.Equal(new Dictionary<string, string> { ["t/a"] = "v1.global" }, View(source.Current));

        Directory.CreateDirectory(PathOf("..2024_2"));
        Write("..2024_2/a.yaml", Entry("a", "v2.global"));
        File.CreateSymbolicLink(PathOf("..data_tmp"), "..2024_2");
        using (Process mv = Process.Start("mv", ["-T", PathOf("..data_tmp"), PathOf("..data")]))
        {
            await mv.WaitForExitAsync();
            Assert.Equal(0, mv.ExitCode);
        }

        await ExpectEntries(source, new() { ["t/a"] = "v2.global" }, "the ..data swap");
    }

    [Fact]
    public async Task After_dispose_changes_are_not_raised()
    {
        Write("a.yaml", Entry("a", "a.global"));
        FileSource source = Start();
        source.Dispose();
        using var witness = new FileSource([Dir], Log, Debounce);
        var seen = new ConcurrentQueue<IReadOnlyList<ServiceEntryInput>>();
        Follow(witness, seen);
        witness.Start();

        // A second source on the same directory shows when the change has been reloaded.
        Write("a.yaml", Entry("a", "changed.global"));
        await Eventually(() => seen.LastOrDefault() is [{ Hosts: ["changed.global"] }], "the witness to see the change");

        Assert.Single(Changes);
        Assert.Equal(["a.global"], Assert.Single(source.Current).Hosts);
        source.Dispose(); // twice is fine
    }

    [Fact]
    public void A_missing_path_fails_start_with_one_line()
    {
        string missing = PathOf("nope");
        using var source = new FileSource([Dir, missing], Log, Debounce);
        Follow(source, Changes);

        var e = Assert.Throws<FileSourceException>(source.Start);

        Assert.Equal($"--from-file {missing}: no such file or directory", e.Message);
        Assert.Empty(Changes);
    }

    [Fact]
    public void Start_twice_and_start_after_dispose_are_refused()
    {
        FileSource source = Start();
        Assert.Throws<InvalidOperationException>(source.Start);

        var disposed = new FileSource([Dir], Log, Debounce);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(disposed.Start);
    }
}
