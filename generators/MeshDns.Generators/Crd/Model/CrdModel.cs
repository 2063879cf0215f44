using MeshDns.Generators.Common;
using Microsoft.CodeAnalysis.Text;

namespace MeshDns.Generators.Crd.Model;

/// <summary>
/// The C# models of one CustomResourceDefinition's storage-version schema: plain values only (no YAML nodes,
/// no symbols), so the incremental pipeline can compare and cache them.
/// </summary>
/// <param name="FileName">The CRD file's name (without directories), for the generated header.</param>
/// <param name="Name">metadata.name, e.g. <c>serviceentries.networking.istio.io</c>.</param>
/// <param name="Kind">spec.names.kind: the root class.</param>
/// <param name="ListKind">spec.names.listKind: the list class.</param>
/// <param name="Group">spec.group.</param>
/// <param name="Plural">spec.names.plural: the resource in API paths.</param>
/// <param name="StorageVersion">The version whose schema the models follow.</param>
/// <param name="ServedVersions">The served versions, in the CRD's order.</param>
/// <param name="Classes">Root, list and nested classes, in emission order.</param>
/// <param name="Enums">The <c>...Values</c> classes of string enums.</param>
/// <param name="KindLocation">Where spec.names.kind is, to report conflicts with other CRDs.</param>
public sealed record CrdModel(
    string FileName,
    string Name,
    string Kind,
    string ListKind,
    string Group,
    string Plural,
    string StorageVersion,
    EquatableArray<string> ServedVersions,
    EquatableArray<CrdClassModel> Classes,
    EquatableArray<CrdEnumModel> Enums,
    FileLocation KindLocation)
{
    /// <summary>The class of the CRD's own constants (group, kind, plural, versions): <c>{Kind}Crd</c>.</summary>
    public static string ConstantsClassOf(string kind) => kind + "Crd";
}

/// <summary>One generated class.</summary>
/// <param name="Name">The class name.</param>
/// <param name="Summary">Its XML summary text (unescaped), or null.</param>
/// <param name="Properties">In schema order (fixed properties first on root and list classes).</param>
public sealed record CrdClassModel(string Name, string? Summary, EquatableArray<CrdPropertyModel> Properties);

/// <summary>One property of a generated class.</summary>
/// <param name="Name">The C# (PascalCase) name.</param>
/// <param name="JsonName">The name in JSON, as the schema spells it.</param>
/// <param name="Type">The C# type as source text (fully qualified, nullable annotated).</param>
/// <param name="Summary">The schema description (unescaped), or null.</param>
/// <param name="Required">Listed in the parent schema's <c>required</c>.</param>
/// <param name="EnumClass">The <c>...Values</c> class of a string enum, or null.</param>
public sealed record CrdPropertyModel(string Name, string JsonName, string Type, string? Summary, bool Required, string? EnumClass);

/// <summary>A static class of string constants for the values of a string enum.</summary>
public sealed record CrdEnumModel(string Name, string SchemaPath, EquatableArray<CrdEnumValueModel> Values);

/// <summary>One constant: its C# name and its value.</summary>
public sealed record CrdEnumValueModel(string Name, string Value);

/// <summary>
/// A position in an additional (non-C#) file, as plain values: lines and columns only, so that an edit that does not
/// move the node (a longer comment above it, say) leaves the model equal.
/// </summary>
public sealed record FileLocation(string Path, LinePositionSpan LineSpan);

/// <summary>What the parser made of one CRD file: the models of its valid CRDs, and diagnostics.</summary>
public sealed record CrdFileResult(string Path, EquatableArray<CrdModel> Crds, EquatableArray<DiagnosticInfo> Diagnostics);
