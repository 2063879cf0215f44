using System.Collections.Immutable;
using MeshDns.Generators.WireFormat;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MeshDns.Generators.Tests.Support;

/// <summary>Builds in-memory compilations against the running framework and MeshDns.Wire, and runs the generator on them.</summary>
internal static class GeneratorHarness
{
    /// <summary>C# 13 at least: partial properties and <c>allows ref struct</c>.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    public static SyntaxTree Parse(string source, string path) =>
        CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    /// <summary>A library compilation of the given sources, named by path (<c>Source0.cs</c>, ...) so diagnostics can be traced.</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "GeneratorTestAssembly",
            sources.Select((source, i) => Parse(source, $"Source{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            [new WireFormatGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator once on fresh state.</summary>
    public static GeneratorRunOutcome Run(params string[] sources)
    {
        CSharpCompilation input = CreateCompilation(sources);
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out _);
        return new GeneratorRunOutcome(driver.GetRunResult().Results.Single(), output);
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The framework's own assemblies (not the test's dependencies), plus MeshDns.Wire.
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        IEnumerable<string> framework = trusted
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => string.Equals(Path.GetDirectoryName(path), frameworkDirectory, StringComparison.Ordinal));

        return framework
            .Append(typeof(MeshDns.Wire.DnsReader).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }
}

/// <summary>The generator's result for one run, and the compilation with its sources added.</summary>
internal sealed record GeneratorRunOutcome(GeneratorRunResult Result, Compilation Output)
{
    public ImmutableArray<Diagnostic> GeneratorDiagnostics => Result.Diagnostics;

    public ImmutableArray<GeneratedSourceResult> Sources => Result.GeneratedSources;

    /// <summary>Errors anywhere, and warnings in generated files, after the generated sources were added.</summary>
    public IEnumerable<Diagnostic> CompilationProblems()
    {
        var generatedTrees = Sources.Select(s => s.SyntaxTree).ToHashSet();
        return Output.GetDiagnostics().Where(d =>
            d.Severity == DiagnosticSeverity.Error
            || (d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && generatedTrees.Contains(tree)));
    }
}
