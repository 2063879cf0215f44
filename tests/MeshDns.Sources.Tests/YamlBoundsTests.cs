using System.Diagnostics;
using System.Text;
using MeshDns.Sources.Files;

namespace MeshDns.Sources.Tests;

/// <summary>Hostile YAML is bounded in depth and in alias expansion, per file and per reload.</summary>
public class YamlBoundsTests
{
    private const int MaxFileDepth = 128;

    private const string Good = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: good}\nspec: {hosts: [good.global]}\n";

    [Fact]
    public void Very_deep_nesting_fails_the_file_early()
    {
        // 200k levels took minutes of CPU in the scanner before the bound.
        string yaml = "a: " + new string('[', 200_000) + new string(']', 200_000) + "\n";
        var time = Stopwatch.StartNew();
        FileParseResult result = ServiceEntryYaml.Parse(yaml, "deep.yaml");
        Console.WriteLine($"200k levels: {time.ElapsedMilliseconds} ms");

        Assert.Empty(result.Entries);
        Assert.StartsWith("deep.yaml:1:", result.Error, StringComparison.Ordinal);
        Assert.Contains($"nested more than {MaxFileDepth} levels deep", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_between_the_two_bounds_costs_only_its_entry()
    {
        string deep = new string('[', MaxFileDepth - 3) + new string(']', MaxFileDepth - 3);
        FileParseResult result = ServiceEntryYaml.Parse($"{Good}---\nkind: ServiceEntry\nmetadata: {{name: bad}}\nspec: {deep}\n", "f.yaml");

        Assert.Null(result.Error);
        Assert.Equal("default/good", Assert.Single(result.Entries).Id);
        Assert.Contains("nested more than 64 levels deep", Assert.Single(result.Warnings), StringComparison.Ordinal);
    }

    /// <summary>Documents with an unknown field whose aliases expand to about 2^(levels+4) nodes (a few hundred bytes each).</summary>
    private static string Bomb(int documents, int levels)
    {
        var yaml = new StringBuilder();
        for (int d = 0; d < documents; d++)
        {
            yaml.Append(d == 0 ? "" : "---\n").Append("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\n")
                .Append(System.Globalization.CultureInfo.InvariantCulture, $"metadata: {{name: e{d}}}\nextra:\n  a0: &a0 [x, x]\n");
            for (int i = 1; i <= levels; i++)
            {
                yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n");
            }

            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  all: *a{levels}\nspec: {{hosts: [a.global]}}\n");
        }

        return yaml.ToString();
    }

    [Fact]
    public void Alias_expansion_is_bounded_per_file()
    {
        var time = Stopwatch.StartNew();
        FileParseResult result = ServiceEntryYaml.Parse(Bomb(200, levels: 19), "bomb.yaml");
        Console.WriteLine($"200 documents of 2^20 nodes each: {time.ElapsedMilliseconds} ms, peak working set {Environment.WorkingSet >> 20} MB");

        Assert.Null(result.Error);
        Assert.Empty(result.Entries);
        Assert.Equal(200, result.InvalidEntries);
        Assert.All(result.Warnings, w => Assert.Contains($"aliases expand to more than {YamlBudget.PerFile} nodes", w, StringComparison.Ordinal));
    }

    [Fact]
    public void Alias_expansion_is_bounded_per_reload()
    {
        // Each file expands just under the per-file budget; the reload's budget runs out after a few files.
        string file = Bomb(1, levels: 15); // aliases replay about 0.79 M events: under the file budget
        Assert.Single(ServiceEntryYaml.Parse(file, "alone.yaml").Entries); // a fresh budget per call without one
        var budget = new YamlBudget();
        var refused = new List<int>();
        for (int i = 0; i < 10; i++)
        {
            if (ServiceEntryYaml.Parse(file, $"f{i}.yaml", budget).Entries.Count == 0)
            {
                refused.Add(i);
            }
        }

        Assert.Equal(Enumerable.Range(5, 5), refused); // PerReload = 4 * PerFile: five files of 0.79 M fit
    }
}
