using MeshDns.Generators.Crd;
using MeshDns.Generators.Crd.Model;
using MeshDns.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace MeshDns.Generators.Tests.Crd;

/// <summary>C# edits must leave the CRD pipeline cached; CRD edits must not.</summary>
public class CrdIncrementalityTests
{
    private const string SourceOutputStep = "SourceOutput";
    private const string CrdPath = "/crds/widgets.crd.yaml";

    private const string Code = """
        namespace Samples.Incremental;

        public static class Helper
        {
            public static int Add(int a, int b) => a + b;
        }
        """;

    [Fact]
    public void Editing_an_unrelated_csharp_file_keeps_everything_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation, _) = FirstRun();

        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SourceText text = tree.GetText();
        int at = text.ToString().IndexOf("a + b", StringComparison.Ordinal);
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(text.WithChanges(new TextChange(new TextSpan(at, 5), "a - b + 1"))));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertAllCachedOrUnchanged(second);
        Assert.Equal(2, second.GeneratedSources.Length);
    }

    [Fact]
    public void Adding_a_csharp_file_keeps_everything_cached()
    {
        (GeneratorDriver driver, CSharpCompilation compilation, _) = FirstRun();

        GeneratorRunResult second = driver
            .RunGenerators(compilation.AddSyntaxTrees(GeneratorHarness.Parse("namespace Other; public sealed class Added { }", "Added.cs")))
            .GetRunResult().Results.Single();

        AssertAllCachedOrUnchanged(second);
    }

    [Fact]
    public void Editing_the_crd_modifies_the_model_and_the_output()
    {
        (GeneratorDriver driver, CSharpCompilation compilation, AdditionalText file) = FirstRun();

        string phase = CrdSamples.Widget.ReplaceLineEndings("\n").Split('\n').Single(l => l.Contains("phase:", StringComparison.Ordinal));
        string ready = phase.Replace("phase: {type: string}", "ready: {type: boolean}", StringComparison.Ordinal);
        var edited = new InMemoryText(CrdPath, CrdSamples.Widget.ReplaceLineEndings("\n").Replace(phase, phase + "\n" + ready, StringComparison.Ordinal));
        GeneratorRunResult second = driver.ReplaceAdditionalText(file, edited).RunGenerators(compilation).GetRunResult().Results.Single();

        (object value, IncrementalStepRunReason reason) = Assert.Single(ParseOutputs(second));
        Assert.Equal(IncrementalStepRunReason.Modified, reason);
        CrdModel model = Assert.IsType<CrdFileResult>(value).Crds.Single();
        Assert.Contains(model.Classes.Single(c => c.Name == "WidgetStatus").Properties, p => p.Name == "Ready" && p.Type == "bool?");
        Assert.Contains(SourceOutputs(second), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("public bool? Ready { get; set; }", second.GeneratedSources.Single(s => s.HintName.EndsWith("Widget.g.cs", StringComparison.Ordinal)).SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Editing_only_a_comment_of_the_crd_gives_an_unchanged_model()
    {
        (GeneratorDriver driver, CSharpCompilation compilation, AdditionalText file) = FirstRun();

        var edited = new InMemoryText(CrdPath, CrdSamples.Widget.Replace("# A test CRD.", "# A test CRD, with another comment.", StringComparison.Ordinal));
        GeneratorRunResult second = driver.ReplaceAdditionalText(file, edited).RunGenerators(compilation).GetRunResult().Results.Single();

        AssertAllCachedOrUnchanged(second);
    }

    [Fact]
    public void Same_text_parses_to_equal_models()
    {
        CrdFileResult first = ParseOnce();
        CrdFileResult second = ParseOnce();

        Assert.NotSame(first, second);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());

        static CrdFileResult ParseOnce()
        {
            GeneratorDriver driver = CrdHarness.CreateDriver([new InMemoryText(CrdPath, CrdSamples.Widget)], trackSteps: true)
                .RunGenerators(GeneratorHarness.CreateCompilation(Code));
            return (CrdFileResult)Assert.Single(ParseOutputs(driver.GetRunResult().Results.Single())).Value;
        }
    }

    private static (GeneratorDriver Driver, CSharpCompilation Compilation, AdditionalText File) FirstRun()
    {
        var file = new InMemoryText(CrdPath, CrdSamples.Widget);
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(Code);
        GeneratorDriver driver = CrdHarness.CreateDriver([file], trackSteps: true).RunGenerators(compilation);

        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Equal(2, first.GeneratedSources.Length);
        Assert.All(ParseOutputs(first), o => Assert.Equal(IncrementalStepRunReason.New, o.Reason));
        return (driver, compilation, file);
    }

    private static void AssertAllCachedOrUnchanged(GeneratorRunResult result)
    {
        var parse = ParseOutputs(result).ToList();
        var output = SourceOutputs(result).ToList();

        Assert.NotEmpty(parse);
        Assert.NotEmpty(output);
        Assert.All(parse, o => Assert.True(IsCachedOrUnchanged(o.Reason), $"{CrdModelGenerator.ParseStep}: {o.Reason}"));
        Assert.All(output, o => Assert.True(IsCachedOrUnchanged(o.Reason), $"{SourceOutputStep}: {o.Reason}"));
    }

    private static bool IsCachedOrUnchanged(IncrementalStepRunReason reason) =>
        reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged;

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> ParseOutputs(GeneratorRunResult result) =>
        result.TrackedSteps[CrdModelGenerator.ParseStep].SelectMany(step => step.Outputs);

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> SourceOutputs(GeneratorRunResult result) =>
        result.TrackedOutputSteps[SourceOutputStep].SelectMany(step => step.Outputs);
}
