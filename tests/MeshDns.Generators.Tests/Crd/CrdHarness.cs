using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using MeshDns.Generators.Crd;
using MeshDns.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace MeshDns.Generators.Tests.Crd;

/// <summary>Runs <see cref="CrdModelGenerator"/> on in-memory CRD files (additional texts) and C# sources.</summary>
internal static class CrdHarness
{
    /// <summary>Generated sources are parsed with documentation diagnostics on, so malformed XML docs show up as warnings.</summary>
    public static readonly CSharpParseOptions ParseOptions = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> files, string? modelsNamespace = null, bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            [new CrdModelGenerator().AsSourceGenerator()],
            additionalTexts: files,
            parseOptions: ParseOptions,
            optionsProvider: new OptionsProvider(modelsNamespace),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator once on fresh state: CRD files by path, with one trivial C# source.</summary>
    public static CrdRunOutcome Run(params (string Path, string Text)[] files) => RunWith(null, files);

    public static CrdRunOutcome RunWith(string? modelsNamespace, params (string Path, string Text)[] files)
    {
        CSharpCompilation input = GeneratorHarness.CreateCompilation("namespace Consumer; public static class Placeholder { }");
        GeneratorDriver driver = CreateDriver(files.Select(f => (AdditionalText)new InMemoryText(f.Path, f.Text)), modelsNamespace, trackSteps: true)
            .RunGeneratorsAndUpdateCompilation(input, out Compilation output, out _);
        return new CrdRunOutcome(driver.GetRunResult().Results.Single(), output);
    }

    /// <summary>The repository's own ServiceEntry CRD (read from the source tree).</summary>
    public static string ServiceEntryCrd() => File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "MeshDns.Models", "serviceentries.crd.yaml"));

    /// <summary>The repository root, found from this file's path at build time.</summary>
    public static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}

/// <summary>The generator's result for one run, and the compilation with its sources added.</summary>
internal sealed record CrdRunOutcome(GeneratorRunResult Result, Compilation Output)
{
    public ImmutableArray<Diagnostic> Diagnostics => Result.Diagnostics;

    public ImmutableArray<GeneratedSourceResult> Sources => Result.GeneratedSources;

    public IEnumerable<string> HintNames => Sources.Select(s => s.HintName).Order(StringComparer.Ordinal);

    public string Source(string hintName) => Sources.Single(s => s.HintName == hintName).SourceText.ToString();

    /// <summary>Errors anywhere, and warnings in generated files (XML doc warnings included, except missing docs).</summary>
    public IEnumerable<string> CompilationProblems()
    {
        var generated = Sources.Select(s => s.SyntaxTree).ToHashSet();
        return Output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error
                || (d.Severity == DiagnosticSeverity.Warning && d.Id != "CS1591" && d.Location.SourceTree is { } tree && generated.Contains(tree)))
            .Select(d => d.ToString());
    }
}

/// <summary>An additional file held in memory.</summary>
internal sealed class InMemoryText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

/// <summary>Global analyzer options: the build property the generator reads, when given.</summary>
internal sealed class OptionsProvider(string? modelsNamespace) : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(
        modelsNamespace is null
            ? ImmutableDictionary<string, string>.Empty
            : ImmutableDictionary<string, string>.Empty.Add("build_property." + CrdModelGenerator.NamespaceProperty, modelsNamespace));

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

    private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public static readonly Options Empty = new(ImmutableDictionary<string, string>.Empty);

        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }
}
