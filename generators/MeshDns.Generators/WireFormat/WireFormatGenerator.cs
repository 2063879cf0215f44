using MeshDns.Generators.WireFormat.Model;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MeshDns.Generators.WireFormat;

/// <summary>Allocation-free readers and writers of <c>[DnsWireFormat]</c> structs (<c>[DnsField]</c> fields, <c>[DnsBits]</c>
/// properties): Parser (symbols → equatable model) → Emitter (text).</summary>
[Generator]
public sealed partial class WireFormatGenerator : IIncrementalGenerator
{
    public const string AttributeName = "MeshDns.Wire.DnsWireFormatAttribute";
    public const string ParseStep = "WireFormatParse";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<WirePartResult> parts = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeName,
                static (node, _) => node is StructDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.StructKeyword },
                static (ctx, ct) => Parser.Parse(ctx, ct))
            .WithTrackingName(ParseStep);

        context.RegisterSourceOutput(parts, static (spc, result) =>
        {
            foreach (DiagnosticInfo diagnostic in result.Diagnostics)
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            if (result.Model is { } model)
            {
                string hint = model.Namespace is null ? model.TypeName : $"{model.Namespace}.{model.TypeName}";
                spc.AddSource($"{hint}.WireFormat.g.cs", Emitter.Emit(model));
            }
        });
    }
}
