using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MeshDns.Generators.Common;
using MeshDns.Generators.WireFormat.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

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
            var diagnostics = new List<DiagnosticInfo>();

            if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(WireFormatDiagnostics.NotPartial, syntax.Identifier.GetLocation(), type.Name));
                return Result(null, diagnostics);
            }

            if (type.ContainingType is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(WireFormatDiagnostics.UnsupportedShape, syntax.Identifier.GetLocation(), type.Name, "nested types are not supported"));
                return Result(null, diagnostics);
            }

            string? shapeProblem =
                type.IsGenericType ? "generic types are not supported"
                : type.IsRecord ? "record structs are not supported"
                : type.IsReadOnly ? "readonly structs cannot be read into; remove 'readonly'"
                : type.IsFileLocal ? "file-local types are not supported"
                : type.DeclaringSyntaxReferences.Length > 1 && FieldsSpanDeclarations(type) ? "[DnsField] fields must all be in one partial declaration, so their order is defined"
                : null;
            if (shapeProblem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(WireFormatDiagnostics.UnsupportedShape, syntax.Identifier.GetLocation(), type.Name, shapeProblem));
                return Result(null, diagnostics);
            }

            var fields = new List<WireFieldModel>();
            var fieldTypes = new Dictionary<string, string>();
            foreach (IFieldSymbol field in type.GetMembers().OfType<IFieldSymbol>())
            {
                cancellationToken.ThrowIfCancellationRequested();
                AttributeData? attribute = field.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == FieldAttribute);
                if (attribute is null || field.IsStatic)
                {
                    continue;
                }

                Location location = field.Locations.FirstOrDefault() ?? syntax.Identifier.GetLocation();
                object? rawKind = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value : null;
                if (rawKind is not int kindValue || !System.Enum.IsDefined(typeof(WireFieldKind), kindValue))
                {
                    diagnostics.Add(DiagnosticInfo.Create(WireFormatDiagnostics.UnknownKind, location, field.Name, rawKind?.ToString() ?? "null"));
                    continue;
                }

                if (field.IsReadOnly || field.IsConst)
                {
                    diagnostics.Add(DiagnosticInfo.Create(WireFormatDiagnostics.UnsupportedShape, location, type.Name, $"field '{field.Name}' is readonly and cannot be read into"));
                    continue;
                }

                var kind = (WireFieldKind)kindValue;
                string actual = field.Type.ToDisplayString();
                string expected = ExpectedType(kind);
                if (actual != expected)
                {
                    diagnostics.Add(DiagnosticInfo.Create(WireFormatDiagnostics.FieldTypeMismatch, location, field.Name, kind.ToString(), actual, expected));
                    continue;
                }

                if ((expected == SpanOfBytes || expected == DnsNameType) && !type.IsRefLikeType)
                {
                    diagnostics.Add(DiagnosticInfo.Create(WireFormatDiagnostics.NeedsRefStruct, location, field.Name, type.Name));
                    continue;
                }

                fields.Add(new WireFieldModel(field.Name, kind));
                fieldTypes[field.Name] = actual;
            }

            for (int i = 0; i < fields.Count - 1; i++)
            {
                if (fields[i].Kind is WireFieldKind.Rest or WireFieldKind.CharacterStrings)
                {
                    IFieldSymbol symbol = type.GetMembers(fields[i].Name).OfType<IFieldSymbol>().First();
                    diagnostics.Add(DiagnosticInfo.Create(WireFormatDiagnostics.RestNotLast, symbol.Locations.FirstOrDefault(), fields[i].Name, fields[i].Kind.ToString()));
                }
            }

            if (fields.Count == 0 && diagnostics.Count == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(WireFormatDiagnostics.NoFields, syntax.Identifier.GetLocation(), type.Name));
            }

            var bits = new List<WireBitsModel>();
            foreach (IPropertySymbol property in type.GetMembers().OfType<IPropertySymbol>())
            {
                cancellationToken.ThrowIfCancellationRequested();
                AttributeData? attribute = property.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == BitsAttribute);
                if (attribute is null)
                {
                    continue;
                }

                WireBitsModel? model = ParseBits(property, attribute, fieldTypes, diagnostics);
                if (model is not null)
                {
                    bits.Add(model);
                }
            }

            if (diagnostics.Count > 0)
            {
                return Result(null, diagnostics);
            }

            string? ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
            var part = new WirePartModel(ns, type.Name, type.IsRefLikeType, new EquatableArray<WireFieldModel>(fields), new EquatableArray<WireBitsModel>(bits));
            return Result(part, diagnostics);
        }

        private static WireBitsModel? ParseBits(IPropertySymbol property, AttributeData attribute, Dictionary<string, string> fieldTypes, List<DiagnosticInfo> diagnostics)
        {
            Location? location = property.Locations.FirstOrDefault();
            void Fail(string why) => diagnostics.Add(DiagnosticInfo.Create(WireFormatDiagnostics.BadBits, location, property.Name, why));

            if (attribute.ConstructorArguments.Length != 3
                || attribute.ConstructorArguments[0].Value is not string fieldName
                || attribute.ConstructorArguments[1].Value is not int shift
                || attribute.ConstructorArguments[2].Value is not int width)
            {
                Fail("expected [DnsBits(field, shift, width)]");
                return null;
            }

            if (!property.IsPartialDefinition)
            {
                Fail("the property must be a partial declaration with get and set accessors");
                return null;
            }

            if (property.GetMethod is null || property.SetMethod is null)
            {
                Fail("the property needs both get and set accessors");
                return null;
            }

            if (property.IsStatic || property.SetMethod.IsInitOnly || property.GetMethod.IsReadOnly
                || property.GetMethod.DeclaredAccessibility != property.DeclaredAccessibility
                || property.SetMethod.DeclaredAccessibility != property.DeclaredAccessibility)
            {
                Fail("declare it as an instance property with plain 'get; set;' accessors (no static, init, readonly or accessor modifiers)");
                return null;
            }

            if (!fieldTypes.TryGetValue(fieldName, out string? fieldType) || fieldType is not ("byte" or "ushort" or "uint"))
            {
                Fail($"'{fieldName}' is not a byte, ushort or uint [DnsField] of this type");
                return null;
            }

            int fieldBits = fieldType switch { "byte" => 8, "ushort" => 16, _ => 32 };
            if (width < 1 || shift < 0 || width > fieldBits || shift > fieldBits - width)
            {
                Fail($"{width} bit(s) at shift {shift} do not fit in the {fieldBits}-bit field '{fieldName}'");
                return null;
            }

            string propertyType = property.Type.ToDisplayString();
            int typeBits = propertyType switch { "bool" => 1, "byte" => 8, "ushort" => 16, "uint" => 32, _ => 0 };
            if (typeBits == 0 || (propertyType == "bool" && width != 1) || width > typeBits)
            {
                Fail($"type '{propertyType}' cannot hold {width} bit(s); use bool for one bit, or byte, ushort or uint");
                return null;
            }

            string accessibility = SyntaxFacts.GetText(property.DeclaredAccessibility);
            return new WireBitsModel(property.Name, propertyType, accessibility, fieldName, fieldType, shift, width);
        }

        private static bool FieldsSpanDeclarations(INamedTypeSymbol type)
        {
            SyntaxTree? tree = null;
            TextSpan? span = null;
            foreach (IFieldSymbol field in type.GetMembers().OfType<IFieldSymbol>())
            {
                if (!field.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == FieldAttribute))
                {
                    continue;
                }

                SyntaxReference? declaring = type.DeclaringSyntaxReferences.FirstOrDefault(r =>
                    field.Locations.Any(l => l.SourceTree == r.SyntaxTree && r.Span.Contains(l.SourceSpan)));
                if (declaring is null)
                {
                    continue;
                }

                if (tree is null)
                {
                    tree = declaring.SyntaxTree;
                    span = declaring.Span;
                }
                else if (declaring.SyntaxTree != tree || declaring.Span != span)
                {
                    return true;
                }
            }

            return false;
        }

        internal static string ExpectedType(WireFieldKind kind) => kind switch
        {
            WireFieldKind.U8 => "byte",
            WireFieldKind.U16 => "ushort",
            WireFieldKind.U32 => "uint",
            WireFieldKind.Name => DnsNameType,
            _ => SpanOfBytes,
        };

        private static WirePartResult Result(WirePartModel? model, List<DiagnosticInfo> diagnostics) =>
            new(model, new EquatableArray<DiagnosticInfo>(diagnostics));
    }
}
