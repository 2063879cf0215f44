using MeshDns.Generators.WireFormat.Model;
using MeshDns.Generators.Tests.Support;
using MeshDns.Generators.WireFormat;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace MeshDns.Generators.Tests;

/// <summary>Edits that do not touch a part must leave the pipeline cached; edits to a part must not.</summary>
public class IncrementalityTests
{
    private const string SourceOutputStep = "SourceOutput";

    private const string Part = """
        using MeshDns.Wire;

        namespace Samples.Incremental;

        [DnsWireFormat]
        public partial struct Counted
        {
            [DnsField(DnsFieldKind.U16)] public ushort Id;
            [DnsField(DnsFieldKind.U16)] public ushort Count;

            [DnsBits(nameof(Id), 0, 1)] public partial bool Low { get; set; }
        }

        public static class SameFileHelper
        {
            public static int Twice(int x) => x * 2;
        }
        """;

    private const string Unrelated = """
        namespace Samples.Incremental;

        public static class Helper
        {
            public static int Add(int a, int b) => a + b;
        }
        """;

    [Fact]
    public void Adding_an_unrelated_file_keeps_everything_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();

        GeneratorRunResult second = Rerun(driver, compilation.AddSyntaxTrees(
            GeneratorHarness.Parse("namespace Other; public sealed class Added { }", "Added.cs")));

        AssertAllCachedOrUnchanged(second);
    }

    [Fact]
    public void Editing_a_method_in_another_file_keeps_everything_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();

        GeneratorRunResult second = Rerun(driver, ReplaceText(compilation, "Source1.cs", "a + b", "a - b + 1"));

        AssertAllCachedOrUnchanged(second);
    }

    [Fact]
    public void Editing_a_method_in_the_same_file_keeps_the_model_unchanged()
    {
        // The part's own tree changes, so the parser runs again; its equal model must stop the change there.
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();

        GeneratorRunResult second = Rerun(driver, ReplaceText(compilation, "Source0.cs", "x * 2", "x + x"));

        AssertAllCachedOrUnchanged(second);
    }

    [Fact]
    public void Changing_a_field_kind_modifies_the_model_and_the_output()
    {
        (GeneratorDriver driver, CSharpCompilation compilation) = FirstRun();

        CSharpCompilation edited = ReplaceText(
            compilation, "Source0.cs", "[DnsField(DnsFieldKind.U16)] public ushort Count;", "[DnsField(DnsFieldKind.U32)] public uint Count;");
        driver = driver.RunGenerators(edited);
        GeneratorRunResult second = driver.GetRunResult().Results.Single();

        (object value, IncrementalStepRunReason reason) = Assert.Single(ParseOutputs(second));
        Assert.Equal(IncrementalStepRunReason.Modified, reason);
        Assert.Equal(WireFieldKind.U32, Assert.IsType<WirePartResult>(value).Model!.Fields[1].Kind);
        Assert.Contains(SourceOutputs(second), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("reader.TryReadU32(out value.Count)", Assert.Single(second.GeneratedSources).SourceText.ToString(), StringComparison.Ordinal);
    }

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Part, Unrelated);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Single(first.GeneratedSources);
        Assert.All(ParseOutputs(first), o => Assert.Equal(IncrementalStepRunReason.New, o.Reason));
        return (driver, compilation);
    }

    private static GeneratorRunResult Rerun(GeneratorDriver driver, Compilation compilation)
    {
        GeneratorRunResult result = driver.RunGenerators(compilation).GetRunResult().Results.Single();
        Assert.Single(result.GeneratedSources);
        return result;
    }

    private static void AssertAllCachedOrUnchanged(GeneratorRunResult result)
    {
        var parse = ParseOutputs(result).ToList();
        var output = SourceOutputs(result).ToList();

        Assert.NotEmpty(parse);
        Assert.NotEmpty(output);
        Assert.All(parse, o => Assert.True(IsCachedOrUnchanged(o.Reason), $"{WireFormatGenerator.ParseStep}: {o.Reason}"));
        Assert.All(output, o => Assert.True(IsCachedOrUnchanged(o.Reason), $"{SourceOutputStep}: {o.Reason}"));
    }

    private static bool IsCachedOrUnchanged(IncrementalStepRunReason reason) =>
        reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged;

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> ParseOutputs(GeneratorRunResult result) =>
        result.TrackedSteps[WireFormatGenerator.ParseStep].SelectMany(step => step.Outputs);

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> SourceOutputs(GeneratorRunResult result) =>
        result.TrackedOutputSteps[SourceOutputStep].SelectMany(step => step.Outputs);

    private static CSharpCompilation ReplaceText(CSharpCompilation compilation, string path, string oldText, string newText)
    {
        SyntaxTree tree = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        SourceText text = tree.GetText();
        int start = text.ToString().IndexOf(oldText, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{oldText}' not in {path}");
        SourceText changed = text.WithChanges(new TextChange(new TextSpan(start, oldText.Length), newText));
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(changed));
    }
}
