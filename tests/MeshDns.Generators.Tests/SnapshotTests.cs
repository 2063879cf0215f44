using MeshDns.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace MeshDns.Generators.Tests;

/// <summary>The generated text of representative parts, against checked-in baselines (see <see cref="Baseline"/>).</summary>
public class SnapshotTests
{
    public static TheoryData<string> Cases() => new(SampleCases.Keys.Order(StringComparer.Ordinal));

    private static readonly Dictionary<string, (string Source, string[] HintNames)> SampleCases = new()
    {
        ["Header"] = (Samples.Header, ["Samples.Headers.SampleHeader.WireFormat.g.cs"]),
        ["Soa"] = (Samples.Soa, ["Samples.Records.SampleSoa.WireFormat.g.cs"]),
        ["Spans"] = (Samples.Spans, ["Samples.Records.SampleRest.WireFormat.g.cs", "Samples.Records.SampleSpans.WireFormat.g.cs"]),
        ["Global"] = (Samples.Global, ["GlobalPart.WireFormat.g.cs"]),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_matches_baseline(string name)
    {
        (string source, string[] hintNames) = SampleCases[name];
        GeneratorRunOutcome run = GeneratorHarness.Run(source);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(hintNames, run.Sources.Select(s => s.HintName).Order(StringComparer.Ordinal));
        foreach (GeneratedSourceResult generated in run.Sources)
        {
            Baseline.Verify(generated.HintName + ".txt", generated.SourceText.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_compiles(string name)
    {
        GeneratorRunOutcome run = GeneratorHarness.Run(SampleCases[name].Source);

        Assert.NotEmpty(run.Sources);
        Assert.Empty(run.CompilationProblems().Select(d => d.ToString()));
    }

    [Fact]
    public void All_samples_compile_together()
    {
        GeneratorRunOutcome run = GeneratorHarness.Run(Samples.Header, Samples.Soa, Samples.Spans, Samples.Global);

        Assert.Equal(5, run.Sources.Length);
        Assert.Empty(run.CompilationProblems().Select(d => d.ToString()));
    }
}
