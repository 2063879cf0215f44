using MeshDns.Sources.Files;
using MeshDns.Table;

namespace MeshDns.Sources.Tests;

/// <summary>Files of more than 256 K characters are parsed on two threads (YamlDotNet's parser runs ahead of the reader):
/// the result must be the one a single thread gives, in file order, with the same lines in messages.</summary>
public class LargeYamlFileTests
{
    private const int Entries = 3000; // about 450 K characters

    /// <summary>Entry <paramref name="i"/> takes lines 9i+1 .. 9i+9 (with its "---").</summary>
    private static string Document(int i, string hosts) => $"""
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: e{i % (Entries - 1)}
          namespace: big
        spec:
          hosts: {hosts}
          resolution: DNS

        """;

    private static string Hosts(int i) => i % 997 == 5 ? "h.example" : $"[h{i}.big.global]"; // every 997th: a string, not a list

    [Fact]
    public void A_large_file_keeps_file_order_warnings_and_the_later_duplicate()
    {
        string yaml = string.Concat(Enumerable.Range(0, Entries).Select(i => Document(i, Hosts(i))));
        Assert.True(yaml.Length > 256 * 1024);

        FileParseResult result = ServiceEntryYaml.Parse(yaml, "big.yaml");

        Assert.Null(result.Error);
        int[] bad = [.. Enumerable.Range(0, Entries).Where(i => i % 997 == 5)];
        Assert.Equal(bad.Length, result.InvalidEntries);
        string[] expected = [.. bad.Select(i => $"big.yaml:{(9 * i) + 8} big/e{i}: spec.hosts: expected an array of strings, found a string")];
        Assert.Equal([.. expected, $"big.yaml:{(9 * (Entries - 1)) + 2} big/e0: defined again (first at line 2); the later one is used"], result.Warnings);

        // e0 is defined again by the last document: it keeps its place with the later hosts.
        Assert.Equal(Entries - 1 - bad.Length, result.Entries.Count);
        Assert.Equal([$"h{Entries - 1}.big.global"], result.Entries[0].Hosts);
        string[] order = [.. result.Entries.Skip(1).Select(e => e.Name)];
        Assert.Equal([.. Enumerable.Range(1, Entries - 2).Where(i => !bad.Contains(i)).Select(i => $"e{i}")], order);
    }

    [Fact]
    public void A_syntax_error_near_the_end_of_a_large_file_fails_the_file_with_its_line()
    {
        string yaml = string.Concat(Enumerable.Range(0, Entries).Select(i => Document(i, i == Entries - 2 ? "[a, b" : Hosts(i))));

        FileParseResult result = ServiceEntryYaml.Parse(yaml, "big.yaml");

        Assert.Empty(result.Entries);
        Assert.StartsWith($"big.yaml:{(9 * (Entries - 2)) + 8}:12: unclosed '[' opened at", result.Error);
    }
}
