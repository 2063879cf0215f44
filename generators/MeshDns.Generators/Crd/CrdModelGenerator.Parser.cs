using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using MeshDns.Generators.Common;
using MeshDns.Generators.Crd.Model;
using MeshDns.Generators.Crd.Yaml;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace MeshDns.Generators.Crd;

public sealed partial class CrdModelGenerator
{
    /// <summary>
    /// Reads one <c>*.crd.yaml</c> file into models of its storage-version schemas, or into diagnostics.
    /// </summary>
    /// <remarks>
    /// Schema paths in messages name properties by their JSON names joined with '.', array items as <c>[]</c>
    /// and map (additionalProperties) values as <c>{}</c>, then the offending keyword: <c>spec.ports[].oneOf</c>.
    /// <c>oneOf</c>, <c>anyOf</c>, <c>allOf</c> and <c>not</c> are ignored when they only constrain which
    /// properties are present (every branch made of <c>required</c> lists and such combinators, as Istio's
    /// older CRDs wrote "one of endpoints or workloadSelector"), and so is <c>anyOf: [{type: integer},
    /// {type: string}]</c> next to <c>x-kubernetes-int-or-string: true</c>; any other use is an error.
    /// </remarks>
    internal static class Parser
    {
        public const string StandardObjectMeta = "ObjectMeta";
        public const string StandardListMeta = "ListMeta";

        private const string JsonElement = "global::System.Text.Json.JsonElement";
        private const string DateTimeOffset = "global::System.DateTimeOffset";
        private const string ListOf = "global::System.Collections.Generic.List";
        private const string DictionaryOf = "global::System.Collections.Generic.Dictionary";

        private static readonly string[] Combinators = { "oneOf", "anyOf", "allOf", "not" };

        public static CrdFileResult Parse(string path, string? text, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var crds = new List<CrdModel>();
            if (text is null)
            {
                diagnostics.Add(new DiagnosticInfo(CrdDiagnostics.InvalidYaml, path, default, default, Args("the file cannot be read")));
                return Result(path, crds, diagnostics);
            }

            IReadOnlyList<YamlDocument> documents;
            try
            {
                documents = YamlReader.Read(text);
            }
            catch (YamlSyntaxException e)
            {
                diagnostics.Add(At(CrdDiagnostics.InvalidYaml, path, e.Offset, e.Line, e.Column, 1, e.Reason));
                return Result(path, crds, diagnostics);
            }

            foreach (YamlDocument document in documents)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (document.Root is null)
                {
                    continue; // an empty document, e.g. after a final '---'
                }

                var reader = new CrdReader(path, document, diagnostics, cancellationToken);
                CrdModel? model = reader.Read();
                if (model is not null)
                {
                    crds.Add(model);
                }
            }

            return Result(path, crds, diagnostics);
        }

        /// <summary>A property name made PascalCase: first letter and letters after '-', '_', '.' or ' ' upper-cased, separators dropped.</summary>
        internal static string PascalCase(string name)
        {
            var text = new StringBuilder(name.Length);
            bool upper = true;
            foreach (char c in name)
            {
                if (c is '-' or '_' or '.' or ' ')
                {
                    upper = true;
                    continue;
                }

                text.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }

            return text.ToString();
        }

        /// <summary>
        /// A constant name for an enum value: words split at anything but letters and digits; an all-capitals
        /// word is title-cased (DNS_ROUND_ROBIN → DnsRoundRobin), others keep their case after the first letter.
        /// </summary>
        internal static string EnumConstantName(string value)
        {
            var text = new StringBuilder(value.Length);
            int i = 0;
            while (i < value.Length)
            {
                if (!char.IsLetterOrDigit(value[i]))
                {
                    i++;
                    continue;
                }

                int start = i;
                while (i < value.Length && char.IsLetterOrDigit(value[i]))
                {
                    i++;
                }

                string word = value.Substring(start, i - start);
                bool shouting = !word.Any(char.IsLower);
                text.Append(char.ToUpperInvariant(word[0]));
                text.Append(shouting ? word.Substring(1).ToLowerInvariant() : word.Substring(1));
            }

            return text.ToString();
        }

        internal static bool IsIdentifier(string name) =>
            name.Length > 0 && name[0] != '@' && SyntaxFacts.IsValidIdentifier(name);

        private static CrdFileResult Result(string path, List<CrdModel> crds, List<DiagnosticInfo> diagnostics) =>
            new(path, new EquatableArray<CrdModel>(crds), new EquatableArray<DiagnosticInfo>(diagnostics));

        private static EquatableArray<string> Args(params string[] arguments) => new(arguments);

        private static DiagnosticInfo At(DiagnosticDescriptor descriptor, string path, int offset, int line, int column, int length, params string[] arguments)
        {
            var span = new TextSpan(offset, Math.Max(0, length));
            var lines = new LinePositionSpan(new LinePosition(line, column), new LinePosition(line, column + Math.Max(0, length)));
            return new DiagnosticInfo(descriptor, path, span, lines, Args(arguments));
        }

        private static FileLocation LocationOf(string path, YamlNode node)
        {
            int length = node is YamlScalar s ? Math.Max(1, s.Length) : 1;
            return new FileLocation(
                path,
                new LinePositionSpan(new LinePosition(node.Line, node.Column), new LinePosition(node.Line, node.Column + length)));
        }

        /// <summary>A C# type as source text, and whether it is a value type (its nullable form is then <c>T?</c> too).</summary>
        private readonly struct TypeRef
        {
            public TypeRef(string name, string? enumClass = null)
            {
                Name = name;
                EnumClass = enumClass;
            }

            public string Name { get; }

            public string? EnumClass { get; }

            public string Nullable => Name + "?";
        }

        /// <summary>The state of reading one CRD document.</summary>
        private sealed class CrdReader
        {
            private readonly string _path;
            private readonly YamlDocument _document;
            private readonly List<DiagnosticInfo> _diagnostics;
            private readonly CancellationToken _cancellationToken;
            private readonly List<CrdClassModel?> _classes = new();
            private readonly List<CrdEnumModel> _enums = new();
            private readonly Dictionary<string, string> _claimed = new(StringComparer.Ordinal);
            private string _crdName = "(unnamed)";
            private int _errors;

            public CrdReader(string path, YamlDocument document, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
            {
                _path = path;
                _document = document;
                _diagnostics = diagnostics;
                _cancellationToken = cancellationToken;
            }

            public CrdModel? Read()
            {
                YamlNode root = _document.Root!;
                if (root is not YamlMapping crd)
                {
                    NotACrd(root, "it is not a mapping");
                    return null;
                }

                string? apiVersion = Text(crd, "apiVersion");
                string? kind = Text(crd, "kind");
                if (kind != "CustomResourceDefinition" || apiVersion != "apiextensions.k8s.io/v1")
                {
                    NotACrd(crd.KeyNode("kind") ?? (YamlNode)crd, $"found kind '{kind ?? "(none)"}' with apiVersion '{apiVersion ?? "(none)"}'");
                    return null;
                }

                YamlMapping? metadata = crd.Get("metadata") as YamlMapping;
                YamlMapping? spec = crd.Get("spec") as YamlMapping;
                YamlMapping? names = spec?.Get("names") as YamlMapping;
                string? group = spec is null ? null : Text(spec, "group");
                string? plural = names is null ? null : Text(names, "plural");
                _crdName = (metadata is null ? null : Text(metadata, "name"))
                    ?? (plural is not null && group is not null ? $"{plural}.{group}" : "(unnamed)");

                if (spec is null || names is null || group is null)
                {
                    Invalid(spec ?? (YamlNode)crd, spec is null ? "'spec' is missing" : names is null ? "'spec.names' is missing" : "'spec.group' is missing");
                    return null;
                }

                string? kindName = Text(names, "kind");
                YamlNode kindNode = names.Get("kind") ?? names;
                if (kindName is null)
                {
                    Invalid(names, "'spec.names.kind' is missing");
                    return null;
                }

                string listKind = Text(names, "listKind") ?? kindName + "List"; // the API server's default
                YamlNode listKindNode = names.Get("listKind") ?? kindNode;
                if (!IsIdentifier(kindName))
                {
                    Error(CrdDiagnostics.InvalidName, kindNode, "spec.names.kind", kindName, kindName);
                }

                if (IsIdentifier(kindName) && !IsIdentifier(listKind))
                {
                    Error(CrdDiagnostics.InvalidName, listKindNode, "spec.names.listKind", listKind, listKind);
                }

                if (_errors > 0)
                {
                    return null;
                }

                if (!TryStorageSchema(spec, out string storageVersion, out YamlNode? schema))
                {
                    return null;
                }

                Claim(StandardObjectMeta, "(standard type)", kindNode);
                Claim(StandardListMeta, "(standard type)", kindNode);
                Claim(kindName, "(root)", kindNode);
                Claim(listKind, "(list)", listKindNode);
                ReadRoot(schema!, kindName, listKind, group, storageVersion);
                if (_errors > 0)
                {
                    return null;
                }

                string fileName = System.IO.Path.GetFileName(_path);
                return new CrdModel(
                    fileName,
                    _crdName,
                    kindName,
                    listKind,
                    group,
                    storageVersion,
                    new EquatableArray<CrdClassModel>(_classes.Select(c => c!)),
                    new EquatableArray<CrdEnumModel>(_enums),
                    LocationOf(_path, kindNode));
            }

            /// <summary>The storage version and its schema; warns when served versions' schemas differ from it.</summary>
            private bool TryStorageSchema(YamlMapping spec, out string storageVersion, out YamlNode? schema)
            {
                storageVersion = string.Empty;
                schema = null;
                if (spec.Get("versions") is not YamlSequence versions || versions.Items.Count == 0)
                {
                    Invalid(spec.KeyNode("versions") ?? (YamlNode)spec, "'spec.versions' must be a non-empty list");
                    return false;
                }

                var all = new List<(string Name, YamlNode NameNode, bool Served, bool Storage, YamlNode? Schema)>();
                foreach (YamlNode item in versions.Items)
                {
                    if (item is not YamlMapping version || Text(version, "name") is not string name)
                    {
                        Invalid(item, "each item of 'spec.versions' needs a 'name'");
                        return false;
                    }

                    YamlNode? openApi = (version.Get("schema") as YamlMapping)?.Get("openAPIV3Schema");
                    all.Add((name, version.Get("name")!, Flag(version, "served"), Flag(version, "storage"), openApi));
                }

                var storage = all.Where(v => v.Storage).ToList();
                if (storage.Count != 1)
                {
                    Invalid(versions, storage.Count == 0
                        ? "no version has 'storage: true'"
                        : $"versions {string.Join(", ", storage.Select(v => $"'{v.Name}'"))} all have 'storage: true'; exactly one may");
                    return false;
                }

                storageVersion = storage[0].Name;
                schema = storage[0].Schema;
                if (schema is null)
                {
                    Invalid(storage[0].NameNode, $"the storage version '{storageVersion}' has no 'schema.openAPIV3Schema'");
                    return false;
                }

                YamlNode storageSchema = schema;
                var differing = all
                    .Where(v => v.Served && !v.Storage && (v.Schema is null || !v.Schema.SameContent(storageSchema)))
                    .ToList();
                if (differing.Count > 0)
                {
                    _diagnostics.Add(At(
                        CrdDiagnostics.VersionSchemasDiffer,
                        differing[0].NameNode,
                        _crdName,
                        string.Join(", ", differing.Select(v => $"'{v.Name}'")),
                        storageVersion));
                }

                return true;
            }

            private void ReadRoot(YamlNode schemaNode, string kind, string listKind, string group, string version)
            {
                if (schemaNode is not YamlMapping schema)
                {
                    Unsupported(schemaNode, "(root)", "the schema must be a mapping");
                    return;
                }

                if (!CheckKeywords(schema, string.Empty, intOrString: false))
                {
                    return;
                }

                string? type = Text(schema, "type");
                if (type != "object")
                {
                    Unsupported(schema.KeyNode("type") ?? (YamlNode)schema, "type", $"the root schema must have 'type: object' (found {(type is null ? "none" : $"'{type}'")})");
                    return;
                }

                var fixedProperties = new List<CrdPropertyModel>
                {
                    new("ApiVersion", "apiVersion", "string?", $"The API group and version of this object, e.g. {group}/{version}.", false, null),
                    new("Kind", "kind", "string?", $"The kind of this object: {kind}.", false, null),
                    new("Metadata", "metadata", StandardObjectMeta + "?", "Standard object metadata.", false, null),
                };
                string summary = Text(schema, "description")
                    ?? $"A {kind} ({_crdName}), as stored in version {version} of {group}.";
                BuildClass(schema, string.Empty, kind, summary, fixedProperties, skip: new[] { "apiVersion", "kind", "metadata" });

                _classes.Insert(1, new CrdClassModel(
                    listKind,
                    $"A list of {kind} objects, as the API server returns it.",
                    new EquatableArray<CrdPropertyModel>(new CrdPropertyModel[]
                    {
                        new("ApiVersion", "apiVersion", "string?", $"The API group and version of this list, e.g. {group}/{version}.", false, null),
                        new("Kind", "kind", "string?", $"The kind of this list: {listKind}.", false, null),
                        new("Metadata", "metadata", StandardListMeta + "?", "Standard list metadata.", false, null),
                        new("Items", "items", $"{ListOf}<{kind}>?", $"The {kind} objects.", false, null),
                    })));
            }

            /// <summary>Adds the class for an object schema with properties (its nested classes follow it).</summary>
            private void BuildClass(YamlMapping schema, string path, string className, string? summary, List<CrdPropertyModel>? fixedProperties, string[]? skip)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                int index = _classes.Count;
                _classes.Add(null); // reserved: the class goes before the classes of its properties

                var properties = new List<CrdPropertyModel>(fixedProperties ?? new List<CrdPropertyModel>());
                var propertyPaths = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (CrdPropertyModel fixedProperty in properties)
                {
                    propertyPaths[fixedProperty.Name] = fixedProperty.JsonName;
                }

                HashSet<string> required = RequiredOf(schema, path);
                if (schema.Get("properties") is YamlMapping declared)
                {
                    foreach (KeyValuePair<YamlScalar, YamlNode> entry in declared.Entries)
                    {
                        string jsonName = entry.Key.Value;
                        if (skip is not null && skip.Contains(jsonName))
                        {
                            continue;
                        }

                        string childPath = path.Length == 0 ? jsonName : path + "." + jsonName;
                        string propertyName = PascalCase(jsonName);
                        if (!IsIdentifier(propertyName))
                        {
                            Error(CrdDiagnostics.InvalidName, entry.Key, childPath, jsonName, propertyName);
                            continue;
                        }

                        if (propertyName == className)
                        {
                            Error(CrdDiagnostics.NameConflict, entry.Key, $"property '{childPath}' would be named '{propertyName}' like its class; C# does not allow that");
                            continue;
                        }

                        if (propertyPaths.TryGetValue(propertyName, out string? earlier))
                        {
                            Error(CrdDiagnostics.NameConflict, entry.Key, $"properties '{earlier}' and '{jsonName}' of '{(path.Length == 0 ? "(root)" : path)}' would both be named '{propertyName}'");
                            continue;
                        }

                        propertyPaths[propertyName] = jsonName;
                        TypeRef? type = TypeOf(entry.Value, entry.Key, childPath, className + propertyName);
                        if (type is null)
                        {
                            continue;
                        }

                        string? description = entry.Value is YamlMapping child ? Text(child, "description") : null;
                        properties.Add(new CrdPropertyModel(
                            propertyName, jsonName, type.Value.Nullable, description, required.Contains(jsonName), type.Value.EnumClass));
                    }
                }

                _classes[index] = new CrdClassModel(className, summary, new EquatableArray<CrdPropertyModel>(properties));
            }

            /// <summary>
            /// The C# type of a property, item or map-value schema. <paramref name="baseName"/> is the class the
            /// schema becomes if it is an object with properties; items add "Item", map values "Value", and a
            /// string enum's constants go into "{baseName}Values".
            /// </summary>
            private TypeRef? TypeOf(YamlNode node, YamlNode keyNode, string path, string baseName)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                if (node is not YamlMapping schema)
                {
                    Unsupported(node, path, "a schema must be a mapping");
                    return null;
                }

                bool intOrString = Flag(schema, "x-kubernetes-int-or-string");
                bool preserve = Flag(schema, "x-kubernetes-preserve-unknown-fields");
                if (!CheckKeywords(schema, path, intOrString))
                {
                    return null;
                }

                if (intOrString)
                {
                    return new TypeRef(JsonElement);
                }

                YamlNode? typeNode = schema.Get("type");
                if (typeNode is not null && typeNode is not YamlScalar { IsNull: false })
                {
                    Unsupported(typeNode, Join(path, "type"), "'type' must be a single type name");
                    return null;
                }

                string? type = (typeNode as YamlScalar)?.Value;
                string? format = Text(schema, "format");
                switch (type)
                {
                    case null:
                        if (preserve)
                        {
                            return new TypeRef(JsonElement);
                        }

                        Unsupported(keyNode, path, "'type' is missing (only x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields schemas may leave it out)");
                        return null;
                    case "string":
                        if (format == "date-time")
                        {
                            return new TypeRef(DateTimeOffset);
                        }

                        return new TypeRef("string", schema.Get("enum") is { } values ? Enum(values, path, baseName + "Values") : null);
                    case "integer":
                        return new TypeRef(format == "int32" ? "int" : "long");
                    case "number":
                        return new TypeRef("double");
                    case "boolean":
                        return new TypeRef("bool");
                    case "array":
                        return ArrayOf(schema, keyNode, path, baseName);
                    case "object":
                        return ObjectOf(schema, keyNode, path, baseName);
                    default:
                        Unsupported(typeNode!, Join(path, "type"), $"type '{type}' is not supported");
                        return null;
                }
            }

            private TypeRef? ArrayOf(YamlMapping schema, YamlNode keyNode, string path, string baseName)
            {
                YamlNode? items = schema.Get("items");
                if (items is null || (items is YamlScalar { IsNull: true }))
                {
                    Unsupported(keyNode, path, "an array needs 'items'");
                    return null;
                }

                if (items is YamlSequence)
                {
                    Unsupported(schema.KeyNode("items")!, Join(path, "items"), "'items' as a list (a tuple) is not supported");
                    return null;
                }

                TypeRef? item = TypeOf(items, schema.KeyNode("items")!, path + "[]", baseName + "Item");
                return item is null ? null : new TypeRef($"{ListOf}<{item.Value.Name}>");
            }

            private TypeRef? ObjectOf(YamlMapping schema, YamlNode keyNode, string path, string baseName)
            {
                YamlNode? properties = schema.Get("properties");
                YamlNode? additional = schema.Get("additionalProperties");
                if (properties is not null && properties is not YamlMapping && !(properties is YamlScalar { IsNull: true }))
                {
                    Unsupported(properties, Join(path, "properties"), "'properties' must be a mapping");
                    return null;
                }

                bool? additionalFlag = (additional as YamlScalar)?.AsBoolean;
                bool hasAdditional = additional is YamlMapping || additionalFlag == true;
                if (additional is not null && additional is not YamlMapping && additionalFlag is null)
                {
                    Unsupported(additional, Join(path, "additionalProperties"), "'additionalProperties' must be a schema, true or false");
                    return null;
                }

                if (properties is YamlMapping { Entries.Count: > 0 })
                {
                    if (hasAdditional)
                    {
                        Unsupported(schema.KeyNode("additionalProperties")!, Join(path, "additionalProperties"), "'properties' and 'additionalProperties' together are not supported");
                        return null;
                    }

                    if (!Claim(baseName, path, keyNode))
                    {
                        return null;
                    }

                    BuildClass(schema, path, baseName, Text(schema, "description") ?? DefaultSummary(path), null, null);
                    return new TypeRef(baseName);
                }

                if (additional is YamlMapping)
                {
                    TypeRef? value = TypeOf(additional, schema.KeyNode("additionalProperties")!, path + "{}", baseName + "Value");
                    return value is null ? null : new TypeRef($"{DictionaryOf}<string, {value.Value.Name}>");
                }

                if (additionalFlag == true)
                {
                    return new TypeRef($"{DictionaryOf}<string, {JsonElement}>");
                }

                // No declared fields: whatever is there (kept with x-kubernetes-preserve-unknown-fields, else
                // pruned to {} by the API server) is kept as raw JSON.
                return new TypeRef(JsonElement);
            }

            /// <summary>The constants class of a string enum; its name is returned, or null when it cannot be made.</summary>
            private string? Enum(YamlNode values, string path, string className)
            {
                if (values is not YamlSequence list)
                {
                    Unsupported(values, Join(path, "enum"), "'enum' must be a list");
                    return null;
                }

                var constants = new List<CrdEnumValueModel>();
                var byName = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (YamlNode item in list.Items)
                {
                    if (item is not YamlScalar scalar)
                    {
                        Unsupported(item, Join(path, "enum"), "enum values must be strings");
                        return null;
                    }

                    if (scalar.IsNull)
                    {
                        continue; // null is allowed by 'nullable: true'; there is no constant for it
                    }

                    if (constants.Any(c => c.Value == scalar.Value))
                    {
                        continue;
                    }

                    string name = EnumConstantName(scalar.Value);
                    if (!IsIdentifier(name))
                    {
                        Error(CrdDiagnostics.InvalidName, scalar, Join(path, "enum"), scalar.Value, name);
                        return null;
                    }

                    if (name == "All" || name == className)
                    {
                        Error(CrdDiagnostics.NameConflict, scalar, $"enum value '{scalar.Value}' of '{path}' would be named '{name}', which {(name == "All" ? "the list of all values" : "its class")} is named");
                        return null;
                    }

                    if (byName.TryGetValue(name, out string? other))
                    {
                        Error(CrdDiagnostics.NameConflict, scalar, $"enum values '{other}' and '{scalar.Value}' of '{path}' would both be named '{name}'");
                        return null;
                    }

                    byName[name] = scalar.Value;
                    constants.Add(new CrdEnumValueModel(name, scalar.Value));
                }

                if (!Claim(className, Join(path, "enum"), values))
                {
                    return null;
                }

                _enums.Add(new CrdEnumModel(className, path, new EquatableArray<CrdEnumValueModel>(constants)));
                return className;
            }

            /// <summary>
            /// Rejects $ref and combinators, except combinators that only say which properties must be present
            /// and the int-or-string <c>anyOf</c>. True when the schema may be read.
            /// </summary>
            private bool CheckKeywords(YamlMapping schema, string path, bool intOrString)
            {
                bool ok = true;
                if (schema.KeyNode("$ref") is { } reference)
                {
                    Unsupported(reference, Join(path, "$ref"), "'$ref' is not supported; write the schema inline");
                    ok = false;
                }

                foreach (string keyword in Combinators)
                {
                    if (schema.Get(keyword) is not { } value)
                    {
                        continue;
                    }

                    if ((keyword == "anyOf" && intOrString && IsIntOrStringAnyOf(value)) || IsValidationOnly(keyword, value))
                    {
                        continue;
                    }

                    Unsupported(schema.KeyNode(keyword)!, Join(path, keyword), $"'{keyword}' is not supported (only '{keyword}' made of 'required' lists, which just validates, is ignored)");
                    ok = false;
                }

                return ok;
            }

            private static bool IsValidationOnly(string keyword, YamlNode value)
            {
                if (keyword == "not")
                {
                    return value is YamlMapping mapping && IsValidationOnlySchema(mapping);
                }

                return value is YamlSequence list && list.Items.All(i => i is YamlMapping m && IsValidationOnlySchema(m));
            }

            private static bool IsValidationOnlySchema(YamlMapping schema)
            {
                foreach (KeyValuePair<YamlScalar, YamlNode> entry in schema.Entries)
                {
                    string key = entry.Key.Value;
                    if (key == "required")
                    {
                        if (entry.Value is not YamlSequence names || names.Items.Any(n => n is not YamlScalar))
                        {
                            return false;
                        }
                    }
                    else if (!Combinators.Contains(key) || !IsValidationOnly(key, entry.Value))
                    {
                        return false;
                    }
                }

                return true;
            }

            private static bool IsIntOrStringAnyOf(YamlNode value)
            {
                if (value is not YamlSequence list || list.Items.Count != 2)
                {
                    return false;
                }

                var types = new HashSet<string>(StringComparer.Ordinal);
                foreach (YamlNode item in list.Items)
                {
                    if (item is not YamlMapping { Entries.Count: 1 } m || Text(m, "type") is not string type)
                    {
                        return false;
                    }

                    types.Add(type);
                }

                return types.SetEquals(new[] { "integer", "string" });
            }

            private HashSet<string> RequiredOf(YamlMapping schema, string path)
            {
                var required = new HashSet<string>(StringComparer.Ordinal);
                YamlNode? node = schema.Get("required");
                if (node is YamlSequence list)
                {
                    foreach (YamlNode item in list.Items)
                    {
                        if (item is YamlScalar { IsNull: false } name)
                        {
                            required.Add(name.Value);
                        }
                        else
                        {
                            Unsupported(item, Join(path, "required"), "'required' must be a list of property names");
                        }
                    }
                }
                else if (node is not null && !(node is YamlScalar { IsNull: true }))
                {
                    Unsupported(node, Join(path, "required"), "'required' must be a list of property names");
                }

                return required;
            }

            /// <summary>Reserves a generated type name; a second use is a conflict.</summary>
            private bool Claim(string typeName, string path, YamlNode at)
            {
                if (_claimed.TryGetValue(typeName, out string? earlier))
                {
                    Error(CrdDiagnostics.NameConflict, at, $"type '{typeName}' would be generated for both '{earlier}' and '{path}'");
                    return false;
                }

                _claimed[typeName] = path;
                return true;
            }

            /// <summary>A summary for an object schema without a description: what it is in the schema.</summary>
            private static string DefaultSummary(string path) =>
                path.EndsWith("[]", StringComparison.Ordinal) ? $"An item of {path.Substring(0, path.Length - 2)}."
                : path.EndsWith("{}", StringComparison.Ordinal) ? $"A value of the map {path.Substring(0, path.Length - 2)}."
                : $"The object at {path}.";

            private static string Join(string path, string keyword) => path.Length == 0 ? keyword : path + "." + keyword;

            private static string? Text(YamlMapping mapping, string key) =>
                mapping.Get(key) is YamlScalar { IsNull: false } scalar ? scalar.Value : null;

            private static bool Flag(YamlMapping mapping, string key) =>
                mapping.Get(key) is YamlScalar scalar && scalar.AsBoolean == true;

            private void NotACrd(YamlNode at, string why)
            {
                _errors++;
                _diagnostics.Add(At(CrdDiagnostics.NotACrd, at, (_document.Line + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), why));
            }

            private void Invalid(YamlNode at, string why) => Error(CrdDiagnostics.InvalidCrd, at, why);

            private void Unsupported(YamlNode at, string path, string why) =>
                Error(CrdDiagnostics.UnsupportedSchema, at, path, why);

            private void Error(DiagnosticDescriptor descriptor, YamlNode at, params string[] arguments)
            {
                _errors++;
                _diagnostics.Add(At(descriptor, at, new[] { _crdName }.Concat(arguments).ToArray()));
            }

            private DiagnosticInfo At(DiagnosticDescriptor descriptor, YamlNode at, params string[] arguments)
            {
                int length = at is YamlScalar s ? Math.Max(1, s.Length) : 1;
                return Parser.At(descriptor, _path, at.Offset, at.Line, at.Column, length, arguments);
            }
        }
    }
}
