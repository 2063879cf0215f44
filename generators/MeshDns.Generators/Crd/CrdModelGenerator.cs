using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using MeshDns.Generators.Common;
using MeshDns.Generators.Crd.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MeshDns.Generators.Crd;

/// <summary>
/// Emits C# models (System.Text.Json ready) of the schemas of the CustomResourceDefinitions in the
/// project's <c>AdditionalFiles</c> whose names end in <c>.crd.yaml</c>.
/// Pipeline: AdditionalTexts → Parser (YAML → equatable models or diagnostics) → Emitter (text).
/// </summary>
/// <remarks>
/// <para>Types go into the namespace of the MSBuild property <c>MeshDnsModelsNamespace</c> (made visible
/// with <c>&lt;CompilerVisibleProperty Include="MeshDnsModelsNamespace" /&gt;</c>), by default
/// <c>MeshDns.Models</c>. Per CRD: the root class (spec.names.kind), the list class (listKind), one class per
/// object schema with properties (<c>{Parent}{Property}</c>, array items <c>{Parent}{Property}Item</c>, map
/// values <c>{Parent}{Property}Value</c>) and one <c>{Class}{Property}Values</c> class of constants per
/// string enum. <c>ObjectMeta</c> and <c>ListMeta</c> are emitted once for all CRDs.</para>
/// <para>A CRD that cannot be modelled exactly gets errors and no source; a CRD whose type names are
/// already taken by an earlier file (in path order) is skipped with an error.</para>
/// </remarks>
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

        if (!IsNamespace(ns))
        {
            spc.ReportDiagnostic(Diagnostic.Create(CrdDiagnostics.InvalidNamespace, Location.None, ns));
            return;
        }

        var owners = new Dictionary<string, CrdModel>(StringComparer.Ordinal);
        bool any = false;
        foreach (CrdModel crd in ordered.SelectMany(f => f.Crds))
        {
            spc.CancellationToken.ThrowIfCancellationRequested();
            List<string> names = crd.Classes.Select(c => c.Name).Concat(crd.Enums.Select(e => e.Name)).Append(CrdModel.ConstantsClassOf(crd.Kind)).ToList();
            string? taken = names.FirstOrDefault(owners.ContainsKey);
            if (taken is not null)
            {
                CrdModel other = owners[taken];
                var location = Location.Create(crd.KindLocation.Path, default, crd.KindLocation.LineSpan);
                spc.ReportDiagnostic(Diagnostic.Create(
                    CrdDiagnostics.NameConflict,
                    location,
                    crd.Name,
                    $"type '{taken}' is already generated for '{other.Name}' ({other.FileName}); no models are generated for this CustomResourceDefinition"));
                continue;
            }

            foreach (string name in names)
            {
                owners[name] = crd;
            }

            any = true;
            spc.AddSource($"{ns}.{crd.Kind}.g.cs", Emitter.Emit(crd, ns));
        }

        if (any)
        {
            spc.AddSource($"{ns}.KubernetesMeta.g.cs", Emitter.EmitStandardTypes(ns));
        }
    }

    private static bool IsNamespace(string ns) =>
        ns.Split('.').All(part => Parser.IsIdentifier(part) && SyntaxFacts.GetKeywordKind(part) == SyntaxKind.None);
}
