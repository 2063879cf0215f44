using System.Globalization;
using MeshDns.Generators.Crd.Model;
using YamlDotNet.RepresentationModel;
using static MeshDns.Generators.Crd.CrdModelGenerator.Parser;

namespace MeshDns.Generators.Crd;

/// <summary>Reads one CRD document: its names and versions here, its schema in <c>CrdReader.Schema.cs</c>.</summary>
internal sealed partial class CrdReader(string path, YamlNode root, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
{
    public const string StandardObjectMeta = "ObjectMeta";
    public const string StandardListMeta = "ListMeta";

    private readonly List<CrdClassModel?> _classes = new();
    private readonly List<CrdEnumModel> _enums = new();
    private readonly Dictionary<string, string> _claimed = new(StringComparer.Ordinal) { [StandardObjectMeta] = "(standard type)", [StandardListMeta] = "(standard type)" };
    private string _crdName = "(unnamed)";
    private int _errors;

    /// <summary>spec.group and spec.names, with the nodes diagnostics point at; the storage version and the served ones.</summary>
    private sealed record Names(string Group, string Plural, string Kind, string ListKind, YamlNode KindNode, YamlNode ListKindNode);
    private sealed record Versions(string Storage, YamlNode Schema, List<string> Served);

    public CrdModel? Read()
    {
        if (ReadNames() is not { } names || ReadVersions() is not { } versions)
        {
            return null;
        }

        Claim(names.Kind, "(root)", names.KindNode);
        Claim(names.ListKind, "(list)", names.ListKindNode);
        Claim(CrdModel.ConstantsClassOf(names.Kind), "(constants)", names.KindNode);
        ReadRoot(versions.Schema, names, versions.Storage);
        return _errors > 0 ? null : new CrdModel(
            System.IO.Path.GetFileName(path),
            _crdName,
            names.Kind,
            names.ListKind,
            names.Group,
            names.Plural,
            versions.Storage,
            new EquatableArray<string>(versions.Served),
            new EquatableArray<CrdClassModel>(_classes.Select(c => c!)),
            new EquatableArray<CrdEnumModel>(_enums),
            new FileLocation(path, CrdYaml.LineSpan(names.KindNode.Start, names.KindNode.End)));
    }

    private Names? ReadNames()
    {
        if (root is not YamlMappingNode crd)
        {
            return NotACrd(root, "it is not a mapping");
        }

        string? apiVersion = crd.Text("apiVersion");
        string? kind = crd.Text("kind");
        if (kind != "CustomResourceDefinition" || apiVersion != "apiextensions.k8s.io/v1")
        {
            return NotACrd(crd.KeyNode("kind") ?? crd, $"found kind '{kind ?? "(none)"}' with apiVersion '{apiVersion ?? "(none)"}'");
        }

        var spec = crd.Get("spec") as YamlMappingNode;
        var names = spec?.Get("names") as YamlMappingNode;
        string? group = spec?.Text("group");
        string? plural = names?.Text("plural");
        _crdName = (crd.Get("metadata") as YamlMappingNode)?.Text("name")
            ?? (plural is not null && group is not null ? $"{plural}.{group}" : "(unnamed)");
        string? missing = spec is null ? "spec" : names is null ? "spec.names" : group is null ? "spec.group"
            : names.Text("kind") is null ? "spec.names.kind" : plural is null ? "spec.names.plural" : null;
        if (missing is not null)
        {
            YamlNode at = missing.StartsWith("spec.names.", StringComparison.Ordinal) ? names! : (YamlNode?)spec ?? crd;
            Error(CrdDiagnostics.InvalidCrd, at, $"'{missing}' is missing");
            return null;
        }

        string kindName = names!.Text("kind")!;
        YamlNode kindNode = names!.Get("kind")!;
        string listKind = names!.Text("listKind") ?? kindName + "List"; // the API server's default
        YamlNode listKindNode = names!.Get("listKind") ?? kindNode;
        if (!IsIdentifier(kindName))
        {
            Error(CrdDiagnostics.InvalidName, kindNode, "spec.names.kind", kindName, kindName);
        }
        else if (!IsIdentifier(listKind))
        {
            Error(CrdDiagnostics.InvalidName, listKindNode, "spec.names.listKind", listKind, listKind);
        }

        return _errors > 0 ? null : new Names(group!, plural!, kindName, listKind, kindNode, listKindNode);
    }

    /// <summary>The storage version and its schema; warns when served versions' schemas differ from it.</summary>
    private Versions? ReadVersions()
    {
        var spec = (YamlMappingNode)((YamlMappingNode)root).Get("spec")!;
        if (spec.Get("versions") is not YamlSequenceNode { Children.Count: > 0 } versions)
        {
            return Invalid(spec.KeyNode("versions") ?? spec, "'spec.versions' must be a non-empty list");
        }

        var all = new List<(string Name, YamlNode NameNode, bool Served, bool Storage, YamlNode? Schema)>();
        foreach (YamlNode item in versions.Children)
        {
            if (item is not YamlMappingNode version || version.Text("name") is not string name)
            {
                return Invalid(item, "each item of 'spec.versions' needs a 'name'");
            }

            YamlNode? schema = (version.Get("schema") as YamlMappingNode)?.Get("openAPIV3Schema");
            all.Add((name, version.Get("name")!, version.Flag("served"), version.Flag("storage"), schema));
        }

        var storage = all.Where(v => v.Storage).ToList();
        if (storage.Count != 1)
        {
            return Invalid(versions, storage.Count == 0
                ? "no version has 'storage: true'"
                : $"versions {string.Join(", ", storage.Select(v => $"'{v.Name}'"))} all have 'storage: true'; exactly one may");
        }

        (string storageName, YamlNode storageNode, _, _, YamlNode? storageSchema) = storage[0];
        if (storageSchema is null)
        {
            return Invalid(storageNode, $"the storage version '{storageName}' has no 'schema.openAPIV3Schema'");
        }

        var differing = all.Where(v => v.Served && !v.Storage && (v.Schema is null || !v.Schema.SameAs(storageSchema))).ToList();
        if (differing.Count > 0)
        {
            diagnostics.Add(At(CrdDiagnostics.VersionSchemasDiffer, differing[0].NameNode, _crdName, string.Join(", ", differing.Select(v => $"'{v.Name}'")), storageName));
        }

        return new Versions(storageName, storageSchema, all.Where(v => v.Served).Select(v => v.Name).ToList());
    }

    /// <summary>Reserves a generated type name; a second use is a conflict.</summary>
    private bool Claim(string typeName, string schemaPath, YamlNode at)
    {
        if (_claimed.TryGetValue(typeName, out string? earlier))
        {
            Error(CrdDiagnostics.NameConflict, at, $"type '{typeName}' would be generated for both '{earlier}' and '{schemaPath}'");
            return false;
        }

        _claimed[typeName] = schemaPath;
        return true;
    }

    private Names? NotACrd(YamlNode at, string why)
    {
        _errors++;
        diagnostics.Add(At(CrdDiagnostics.NotACrd, at, root.Start.Line.ToString(CultureInfo.InvariantCulture), why));
        return null;
    }

    private Versions? Invalid(YamlNode at, string why)
    {
        Error(CrdDiagnostics.InvalidCrd, at, why);
        return null;
    }

    private TypeRef? Unsupported(YamlNode at, string schemaPath, string why)
    {
        Error(CrdDiagnostics.UnsupportedSchema, at, schemaPath, why);
        return null;
    }

    private void Error(DiagnosticDescriptor descriptor, YamlNode at, params string[] arguments)
    {
        _errors++;
        diagnostics.Add(At(descriptor, at, new[] { _crdName }.Concat(arguments).ToArray()));
    }

    private DiagnosticInfo At(DiagnosticDescriptor descriptor, YamlNode at, params string[] arguments) =>
        CrdYaml.At(descriptor, path, at.Start, at.End, arguments);
}
