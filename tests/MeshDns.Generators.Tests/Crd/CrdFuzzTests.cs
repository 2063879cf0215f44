using MeshDns.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace MeshDns.Generators.Tests.Crd;

/// <summary>
/// Damaged CRD text must give diagnostics or models, never a generator exception (which the compiler would only
/// report as "generator failed"), and whatever is generated must compile. The seed is fixed; set
/// MESHDNS_FUZZ_SEED to try another.
/// </summary>
public class CrdFuzzTests(ITestOutputHelper output)
{
    private const string Alphabet = " \t\n:-#\"'[]{},|>&*!?%@`\\abc019";
    private const int DefaultSeed = 1;

    [Fact]
    public void Mutated_crds_never_throw()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("MESHDNS_FUZZ_SEED"), System.Globalization.CultureInfo.InvariantCulture, out int s) ? s : DefaultSeed;
        output.WriteLine($"seed {seed} (MESHDNS_FUZZ_SEED)");
        var random = new Random(seed);
        string[] bases = [CrdSamples.Widget, CrdHarness.ServiceEntryCrd(), CrdSamples.Good];
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation("namespace Consumer; public static class Placeholder { }");
        for (int round = 0; round < 600; round++)
        {
            char[] text = bases[random.Next(bases.Length)].ToCharArray();
            var list = new List<char>(text);
            int edits = 1 + random.Next(4);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(list.Count);
                switch (random.Next(3))
                {
                    case 0:
                        list.RemoveAt(at);
                        break;
                    case 1:
                        list.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                        break;
                    default:
                        list[at] = Alphabet[random.Next(Alphabet.Length)];
                        break;
                }
            }

            string mutated = new(list.ToArray());
            GeneratorDriver driver = CrdHarness.CreateDriver([new InMemoryText("/crds/fuzz.crd.yaml", mutated)])
                .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();

            Assert.True(result.Exception is null, $"seed {seed}, round {round}: {result.Exception}\n---\n{mutated}");
            var generated = result.GeneratedSources.Select(s => s.SyntaxTree).ToHashSet();
            Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } tree && generated.Contains(tree)).Select(d => $"round {round}: {d}"));
        }
    }
}
