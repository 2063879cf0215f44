using Microsoft.CodeAnalysis.Text;

namespace MeshDns.Generators.Crd.Model;

/// <summary>One CRD's storage-version schema as plain (cacheable) values; FileName without directories, Classes in
/// emission order.</summary>
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

/// <summary>One property; Type is C# source text (fully qualified, nullable), EnumClass the constants of a string enum.</summary>
public sealed record CrdPropertyModel(string Name, string JsonName, string Type, string? Summary, bool Required, string? EnumClass);

public sealed record CrdEnumModel(string Name, string SchemaPath, EquatableArray<CrdEnumValueModel> Values);

public sealed record CrdEnumValueModel(string Name, string Value);

/// <summary>A position in a non-C# file as lines and columns only, so an edit that does not move the node leaves the model equal.</summary>
public sealed record FileLocation(string Path, LinePositionSpan LineSpan);

public sealed record CrdFileResult(string Path, EquatableArray<CrdModel> Crds, EquatableArray<DiagnosticInfo> Diagnostics);
