using MeshDns.Generators.Crd.Model;

namespace MeshDns.Generators.Crd;

/// <summary>System.Text.Json models of the <c>*.crd.yaml</c> AdditionalFiles: Parser (YAML → equatable models or diagnostics)
/// → Emitter (text); the mapping is described in this folder's README.</summary>
[Generator]
public sealed partial class CrdModelGenerator : IIncrementalGenerator
{
    public const string ParseStep = "CrdParse";
    public const string FileSuffix = ".crd.yaml";
    public const string NamespaceProperty = "MeshDnsModelsNamespace";
    public const string DefaultNamespace = "MeshDns.Models";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValueProvider<string> ns = context.AnalyzerConfigOptionsProvider.Select(static (options, _) =>
            options.GlobalOptions.TryGetValue("build_property." + NamespaceProperty, out string? value) && !string.IsNullOrWhiteSpace(value)
                ? value.Trim()
                : DefaultNamespace);

        IncrementalValuesProvider<CrdFileResult> files = context.AdditionalTextsProvider
            .Where(static text => text.Path.EndsWith(FileSuffix, StringComparison.OrdinalIgnoreCase))
            .Select(static (text, ct) => Parser.Parse(text.Path, text.GetText(ct)?.ToString(), ct))
            .WithTrackingName(ParseStep);

        context.RegisterSourceOutput(files.Collect().Combine(ns), static (spc, input) => Output(spc, input.Left, input.Right));
    }

    private static void Output(SourceProductionContext spc, ImmutableArray<CrdFileResult> files, string ns)
    {
        var ordered = files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        foreach (DiagnosticInfo diagnostic in ordered.SelectMany(f => f.Diagnostics))
        {
            spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        }

        if (!ordered.Any(f => f.Crds.Count > 0))
        {
            return;
        }

        if (!ns.Split('.').All(part => Parser.IsIdentifier(part) && SyntaxFacts.GetKeywordKind(part) == SyntaxKind.None))
        {
            spc.ReportDiagnostic(Diagnostic.Create(CrdDiagnostics.InvalidNamespace, Location.None, ns));
            return;
        }

        // A CRD whose type names an earlier file (in path order) already generates is skipped.
        var owners = new Dictionary<string, CrdModel>(StringComparer.Ordinal);
        foreach (CrdModel crd in ordered.SelectMany(f => f.Crds))
        {
            spc.CancellationToken.ThrowIfCancellationRequested();
            List<string> names = crd.Classes.Select(c => c.Name).Concat(crd.Enums.Select(e => e.Name)).Append(CrdModel.ConstantsClassOf(crd.Kind)).ToList();
            if (names.FirstOrDefault(owners.ContainsKey) is { } taken)
            {
                CrdModel other = owners[taken];
                spc.ReportDiagnostic(Diagnostic.Create(
                    CrdDiagnostics.NameConflict,
                    Location.Create(crd.KindLocation.Path, default, crd.KindLocation.LineSpan),
                    crd.Name,
                    $"type '{taken}' is already generated for '{other.Name}' ({other.FileName}); no models are generated for this CustomResourceDefinition"));
                continue;
            }

            names.ForEach(name => owners[name] = crd);
            spc.AddSource($"{ns}.{crd.Kind}.g.cs", Emitter.Emit(crd, ns));
        }

        if (owners.Count > 0)
        {
            spc.AddSource($"{ns}.KubernetesMeta.g.cs", Emitter.EmitStandardTypes(ns));
        }
    }
}
