using Microsoft.CodeAnalysis.Text;

namespace MeshDns.Generators.Crd.Model;

/// <summary>
/// The C# models of one CRD's storage-version schema: plain values only (no YAML nodes, no symbols), so the
/// incremental pipeline can compare and cache them. <see cref="FileName"/> has no directories (it goes into the
/// generated header); <see cref="Name"/> is metadata.name; Kind, ListKind, Group and Plural come from spec;
/// <see cref="Classes"/> are in emission order; <see cref="KindLocation"/> is where conflicts are reported.
/// </summary>
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

/// <summary>One generated class; its properties in schema order (fixed properties first on root and list classes).</summary>
public sealed record CrdClassModel(string Name, string? Summary, EquatableArray<CrdPropertyModel> Properties);

/// <summary>
/// One property: C# name, JSON name, C# type as source text (fully qualified, nullable), description, whether the
/// parent schema requires it, and the <c>...Values</c> class of a string enum.
/// </summary>
public sealed record CrdPropertyModel(string Name, string JsonName, string Type, string? Summary, bool Required, string? EnumClass);

/// <summary>A static class of string constants for the values of a string enum.</summary>
public sealed record CrdEnumModel(string Name, string SchemaPath, EquatableArray<CrdEnumValueModel> Values);

/// <summary>One constant: its C# name and its value.</summary>
public sealed record CrdEnumValueModel(string Name, string Value);

/// <summary>A position in a non-C# file as lines and columns only, so an edit that does not move the node leaves the model equal.</summary>
public sealed record FileLocation(string Path, LinePositionSpan LineSpan);

/// <summary>What the parser made of one CRD file: the models of its valid CRDs, and diagnostics.</summary>
public sealed record CrdFileResult(string Path, EquatableArray<CrdModel> Crds, EquatableArray<DiagnosticInfo> Diagnostics);
