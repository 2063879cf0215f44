using MeshDns.Generators.WireFormat.Model;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MeshDns.Generators.WireFormat;

public sealed partial class WireFormatGenerator
{
    /// <summary>Turns one [DnsWireFormat] struct into a symbol-free model, or into diagnostics.</summary>
    internal static class Parser
    {
        private const string FieldAttribute = "MeshDns.Wire.DnsFieldAttribute";
        private const string BitsAttribute = "MeshDns.Wire.DnsBitsAttribute";
        private const string DnsNameType = "MeshDns.Wire.DnsName";
        private const string SpanOfBytes = "System.ReadOnlySpan<byte>";

        public static WirePartResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var syntax = (TypeDeclarationSyntax)context.TargetNode;
            Location at = syntax.Identifier.GetLocation();
            DiagnosticInfo? shape = !syntax.Modifiers.Any(SyntaxKind.PartialKeyword) ? DiagnosticInfo.Create(WireFormatDiagnostics.NotPartial, at, type.Name)
                : ShapeProblem(type) is { } problem ? DiagnosticInfo.Create(WireFormatDiagnostics.UnsupportedShape, at, type.Name, problem)
                : null;
            if (shape is not null)
            {
                return new WirePartResult(null, new(new[] { shape }));
            }

            var diagnostics = new List<DiagnosticInfo>();
            var fieldTypes = new Dictionary<string, string>();
            var fields = new List<WireFieldModel>();
            foreach (IFieldSymbol field in type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Attribute(field, FieldAttribute) is { } attribute
                    && ParseField(type, field, attribute, field.Locations.FirstOrDefault() ?? at, diagnostics) is { } model)
                {
                    fields.Add(model);
                    fieldTypes[field.Name] = field.Type.ToDisplayString();
                }
            }

            foreach (WireFieldModel field in fields.Take(fields.Count - 1).Where(f => f.Kind is WireFieldKind.Rest or WireFieldKind.CharacterStrings))
            {
                Location? location = type.GetMembers(field.Name).OfType<IFieldSymbol>().First().Locations.FirstOrDefault();
                diagnostics.Add(DiagnosticInfo.Create(WireFormatDiagnostics.RestNotLast, location, field.Name, field.Kind.ToString()));
            }

            if (fields.Count == 0 && diagnostics.Count == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(WireFormatDiagnostics.NoFields, at, type.Name));
            }

            var bits = new List<WireBitsModel>();
            foreach (IPropertySymbol property in type.GetMembers().OfType<IPropertySymbol>())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Attribute(property, BitsAttribute) is { } attribute && ParseBits(property, attribute, fieldTypes, diagnostics) is { } model)
                {
                    bits.Add(model);
                }
            }

            string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
            WirePartModel? part = diagnostics.Count > 0 ? null : new WirePartModel(ns, type.Name, type.IsRefLikeType, new(fields), new(bits));
            return new WirePartResult(part, new(diagnostics));
        }

        private static string? ShapeProblem(INamedTypeSymbol type) =>
            type.ContainingType is not null ? "nested types are not supported"
            : type.IsGenericType ? "generic types are not supported"
            : type.IsRecord ? "record structs are not supported"
            : type.IsReadOnly ? "readonly structs cannot be read into; remove 'readonly'"
            : type.IsFileLocal ? "file-local types are not supported"
            : type.DeclaringSyntaxReferences.Length > 1 && FieldsSpanDeclarations(type) ? "[DnsField] fields must all be in one partial declaration, so their order is defined"
            : null;

        private static WireFieldModel? ParseField(INamedTypeSymbol type, IFieldSymbol field, AttributeData attribute, Location location, List<DiagnosticInfo> diagnostics)
        {
            object? rawKind = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value : null;
            var kind = rawKind is int value ? (WireFieldKind)value : default;
            string actual = field.Type.ToDisplayString();
            string expected = ExpectedType(kind);
            DiagnosticInfo? problem =
                rawKind is not int || !System.Enum.IsDefined(typeof(WireFieldKind), kind)
                    ? DiagnosticInfo.Create(WireFormatDiagnostics.UnknownKind, location, field.Name, rawKind?.ToString() ?? "null")
                : field.IsReadOnly || field.IsConst
                    ? DiagnosticInfo.Create(WireFormatDiagnostics.UnsupportedShape, location, type.Name, $"field '{field.Name}' is readonly and cannot be read into")
                : actual != expected
                    ? DiagnosticInfo.Create(WireFormatDiagnostics.FieldTypeMismatch, location, field.Name, kind.ToString(), actual, expected)
                : (expected == SpanOfBytes || expected == DnsNameType) && !type.IsRefLikeType
                    ? DiagnosticInfo.Create(WireFormatDiagnostics.NeedsRefStruct, location, field.Name, type.Name)
                : null;
            if (problem is not null)
            {
                diagnostics.Add(problem);
                return null;
            }

            return new WireFieldModel(field.Name, kind);
        }

        private static AttributeData? Attribute(ISymbol symbol, string name) =>
            symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == name);

        private static WireBitsModel? ParseBits(IPropertySymbol property, AttributeData attribute, Dictionary<string, string> fieldTypes, List<DiagnosticInfo> diagnostics)
        {
            ImmutableArray<TypedConstant> args = attribute.ConstructorArguments;
            if (args.Length != 3 || args[0].Value is not string fieldName || args[1].Value is not int shift || args[2].Value is not int width)
            {
                return Fail(property, "expected [DnsBits(field, shift, width)]", diagnostics);
            }

            IMethodSymbol? get = property.GetMethod, set = property.SetMethod;
            string? fieldType = fieldTypes.TryGetValue(fieldName, out string? t) && t is "byte" or "ushort" or "uint" ? t : null;
            int fieldBits = fieldType switch { "byte" => 8, "ushort" => 16, _ => 32 };
            string propertyType = property.Type.ToDisplayString();
            int typeBits = propertyType switch { "bool" => 1, "byte" => 8, "ushort" => 16, "uint" => 32, _ => 0 };
            string? why =
                !property.IsPartialDefinition ? "the property must be a partial declaration with get and set accessors"
                : get is null || set is null ? "the property needs both get and set accessors"
                : property.IsStatic || set.IsInitOnly || get.IsReadOnly || get.DeclaredAccessibility != property.DeclaredAccessibility || set.DeclaredAccessibility != property.DeclaredAccessibility
                    ? "declare it as an instance property with plain 'get; set;' accessors (no static, init, readonly or accessor modifiers)"
                : fieldType is null ? $"'{fieldName}' is not a byte, ushort or uint [DnsField] of this type"
                : width < 1 || shift < 0 || width > fieldBits || shift > fieldBits - width ? $"{width} bit(s) at shift {shift} do not fit in the {fieldBits}-bit field '{fieldName}'"
                : typeBits == 0 || (propertyType == "bool" && width != 1) || width > typeBits ? $"type '{propertyType}' cannot hold {width} bit(s); use bool for one bit, or byte, ushort or uint"
                : null;
            return why is not null
                ? Fail(property, why, diagnostics)
                : new WireBitsModel(property.Name, propertyType, SyntaxFacts.GetText(property.DeclaredAccessibility), fieldName, fieldType!, shift, width);
        }

        private static WireBitsModel? Fail(IPropertySymbol property, string why, List<DiagnosticInfo> diagnostics)
        {
            diagnostics.Add(DiagnosticInfo.Create(WireFormatDiagnostics.BadBits, property.Locations.FirstOrDefault(), property.Name, why));
            return null;
        }

        /// <summary>Whether the [DnsField] fields sit in more than one partial declaration (their order is then undefined).</summary>
        private static bool FieldsSpanDeclarations(INamedTypeSymbol type) => type.GetMembers().OfType<IFieldSymbol>()
            .Where(field => Attribute(field, FieldAttribute) is not null)
            .Select(field => type.DeclaringSyntaxReferences.FirstOrDefault(r => field.Locations.Any(l => l.SourceTree == r.SyntaxTree && r.Span.Contains(l.SourceSpan))))
            .Where(declaring => declaring is not null)
            .Select(declaring => (declaring!.SyntaxTree, declaring.Span))
            .Distinct()
            .Count() > 1;

        internal static string ExpectedType(WireFieldKind kind) => kind switch
        {
            WireFieldKind.U8 => "byte",
            WireFieldKind.U16 => "ushort",
            WireFieldKind.U32 => "uint",
            WireFieldKind.Name or WireFieldKind.UncompressedName => DnsNameType,
            _ => SpanOfBytes,
        };
    }
}
