using MeshDns.Generators.Crd.Model;
using YamlDotNet.RepresentationModel;
using static MeshDns.Generators.Crd.CrdModelGenerator.Parser;

namespace MeshDns.Generators.Crd;

/// <summary>The storage schema → classes, property types and enum constants. Paths in messages read as
/// <c>spec.ports[].oneOf</c> (array items <c>[]</c>, map values <c>{}</c>).</summary>
internal sealed partial class CrdReader
{
    private const string JsonElement = "global::System.Text.Json.JsonElement";
    private const string ListOf = "global::System.Collections.Generic.List";
    private const string DictionaryOf = "global::System.Collections.Generic.Dictionary";

    /// <summary>A C# type as source text, and the constants class of a string enum.</summary>
    private sealed record TypeRef(string Name, string? EnumClass = null);

    private void ReadRoot(YamlNode schemaNode, Names names, string version)
    {
        if (schemaNode is not YamlMappingNode schema)
        {
            Unsupported(schemaNode, "(root)", "the schema must be a mapping");
            return;
        }

        if (!CheckKeywords(schema, string.Empty, intOrString: false))
        {
            return;
        }

        if (schema.Text("type") is var type && type != "object")
        {
            Unsupported(schema.KeyNode("type") ?? schema, "type", $"the root schema must have 'type: object' (found {(type is null ? "none" : $"'{type}'")})");
            return;
        }

        (string kind, string listKind, string apiVersion) = (names.Kind, names.ListKind, $"{names.Group}/{version}");
        var fixedProperties = new List<CrdPropertyModel>
        {
            new("ApiVersion", "apiVersion", "string?", $"The API group and version of this object, e.g. {apiVersion}.", false, null),
            new("Kind", "kind", "string?", $"The kind of this object: {kind}.", false, null),
            new("Metadata", "metadata", StandardObjectMeta + "?", "Standard object metadata.", false, null),
        };
        string summary = schema.Text("description") ?? $"A {kind} ({_crdName}), as stored in version {version} of {names.Group}.";
        BuildClass(schema, string.Empty, kind, summary, fixedProperties, skip: new[] { "apiVersion", "kind", "metadata" });
        _classes.Insert(1, new CrdClassModel(
            listKind,
            $"A list of {kind} objects, as the API server returns it.",
            new EquatableArray<CrdPropertyModel>(new CrdPropertyModel[]
            {
                new("ApiVersion", "apiVersion", "string?", $"The API group and version of this list, e.g. {apiVersion}.", false, null),
                new("Kind", "kind", "string?", $"The kind of this list: {listKind}.", false, null),
                new("Metadata", "metadata", StandardListMeta + "?", "Standard list metadata.", false, null),
                new("Items", "items", $"{ListOf}<{kind}>?", $"The {kind} objects.", false, null),
            })));
    }

    /// <summary>Adds the class for an object schema with properties (its nested classes follow it).</summary>
    private void BuildClass(YamlMappingNode schema, string path, string className, string? summary, List<CrdPropertyModel>? fixedProperties, string[]? skip)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int index = _classes.Count;
        _classes.Add(null); // reserved: the class goes before the classes of its properties
        var properties = new List<CrdPropertyModel>(fixedProperties ?? new List<CrdPropertyModel>());
        var jsonNames = properties.ToDictionary(p => p.Name, p => p.JsonName, StringComparer.Ordinal);
        HashSet<string> required = RequiredOf(schema, path);
        foreach (KeyValuePair<YamlNode, YamlNode> entry in (schema.Get("properties") as YamlMappingNode)?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            if (entry.Key is not YamlScalarNode { Value: { } jsonName })
            {
                Unsupported(entry.Key, Join(path, "properties"), "property names must be strings");
            }
            else if (skip?.Contains(jsonName) != true && Property(path, className, jsonName, entry, jsonNames) is { } type)
            {
                string? description = (entry.Value as YamlMappingNode)?.Text("description");
                properties.Add(new CrdPropertyModel(
                    PascalCase(jsonName), jsonName, type.Name + "?", description, required.Contains(jsonName), type.EnumClass));
            }
        }

        _classes[index] = new CrdClassModel(className, summary, new EquatableArray<CrdPropertyModel>(properties));
    }

    /// <summary>The type of one property, once its C# name is known to be valid and unique in its class.</summary>
    private TypeRef? Property(string path, string className, string jsonName, KeyValuePair<YamlNode, YamlNode> entry, Dictionary<string, string> jsonNames)
    {
        string childPath = Join(path, jsonName);
        string propertyName = PascalCase(jsonName);
        if (!IsIdentifier(propertyName))
        {
            Error(CrdDiagnostics.InvalidName, entry.Key, childPath, jsonName, propertyName);
            return null;
        }

        string? conflict = propertyName == className ? $"property '{childPath}' would be named '{propertyName}' like its class; C# does not allow that"
            : jsonNames.TryGetValue(propertyName, out string? earlier) ? $"properties '{earlier}' and '{jsonName}' of '{(path.Length == 0 ? "(root)" : path)}' would both be named '{propertyName}'"
            : null;
        if (conflict is not null)
        {
            Error(CrdDiagnostics.NameConflict, entry.Key, conflict);
            return null;
        }

        jsonNames[propertyName] = jsonName;
        return TypeOf(entry.Value, entry.Key, childPath, className + propertyName);
    }

    /// <summary>The C# type of a schema; an object becomes class baseName, items add "Item", map values "Value", enums "Values".</summary>
    private TypeRef? TypeOf(YamlNode node, YamlNode keyNode, string path, string baseName)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (node is not YamlMappingNode schema)
        {
            return Unsupported(node, path, "a schema must be a mapping");
        }

        bool intOrString = schema.Flag("x-kubernetes-int-or-string");
        if (!CheckKeywords(schema, path, intOrString))
        {
            return null;
        }

        YamlNode? typeNode = schema.Get("type");
        if (intOrString || (typeNode is null && schema.Flag("x-kubernetes-preserve-unknown-fields")))
        {
            return new TypeRef(JsonElement);
        }

        if (typeNode is null)
        {
            return Unsupported(keyNode, path, "'type' is missing (only x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields schemas may leave it out)");
        }

        string? format = schema.Text("format");
        return (typeNode.IsNull() ? null : (typeNode as YamlScalarNode)?.Value) switch
        {
            "string" when format == "date-time" => new TypeRef("global::System.DateTimeOffset"),
            "string" => new TypeRef("string", schema.Get("enum") is { } values ? Enum(values, path, baseName + "Values") : null),
            "integer" => new TypeRef(format == "int32" ? "int" : "long"),
            "number" => new TypeRef("double"),
            "boolean" => new TypeRef("bool"),
            "array" => ArrayOf(schema, keyNode, path, baseName),
            "object" => ObjectOf(schema, keyNode, path, baseName),
            { } other => Unsupported(typeNode, Join(path, "type"), $"type '{other}' is not supported"),
            null => Unsupported(typeNode, Join(path, "type"), "'type' must be a single type name"),
        };
    }

    private TypeRef? ArrayOf(YamlMappingNode schema, YamlNode keyNode, string path, string baseName)
    {
        YamlNode? items = schema.Get("items");
        if (items is null || items.IsNull())
        {
            return Unsupported(keyNode, path, "an array needs 'items'");
        }

        if (items is YamlSequenceNode)
        {
            return Unsupported(schema.KeyNode("items")!, Join(path, "items"), "'items' as a list (a tuple) is not supported");
        }

        return TypeOf(items, schema.KeyNode("items")!, path + "[]", baseName + "Item") is { } item ? new TypeRef($"{ListOf}<{item.Name}>") : null;
    }

    private TypeRef? ObjectOf(YamlMappingNode schema, YamlNode keyNode, string path, string baseName)
    {
        YamlNode? properties = schema.Get("properties");
        YamlNode? additional = schema.Get("additionalProperties");
        bool? additionalFlag = additional?.AsBoolean();
        if (properties is not null and not YamlMappingNode && !properties.IsNull())
        {
            return Unsupported(properties, Join(path, "properties"), "'properties' must be a mapping");
        }

        if (additional is not null and not YamlMappingNode && additionalFlag is null)
        {
            return Unsupported(additional, Join(path, "additionalProperties"), "'additionalProperties' must be a schema, true or false");
        }

        if (properties is YamlMappingNode { Children.Count: > 0 })
        {
            if (additional is YamlMappingNode || additionalFlag == true)
            {
                return Unsupported(schema.KeyNode("additionalProperties")!, Join(path, "additionalProperties"), "'properties' and 'additionalProperties' together are not supported");
            }

            if (!Claim(baseName, path, keyNode))
            {
                return null;
            }

            BuildClass(schema, path, baseName, schema.Text("description") ?? DefaultSummary(path), null, null);
            return new TypeRef(baseName);
        }

        if (additional is YamlMappingNode)
        {
            return TypeOf(additional, schema.KeyNode("additionalProperties")!, path + "{}", baseName + "Value") is { } value
                ? new TypeRef($"{DictionaryOf}<string, {value.Name}>")
                : null;
        }

        // Without declared fields, whatever is there (kept with x-kubernetes-preserve-unknown-fields, else pruned
        // to {} by the API server) stays raw JSON.
        return new TypeRef(additionalFlag == true ? $"{DictionaryOf}<string, {JsonElement}>" : JsonElement);
    }

    /// <summary>A summary for an object schema without a description: what it is in the schema.</summary>
    private static string DefaultSummary(string path) =>
        path.EndsWith("[]", StringComparison.Ordinal) ? $"An item of {path.Substring(0, path.Length - 2)}."
        : path.EndsWith("{}", StringComparison.Ordinal) ? $"A value of the map {path.Substring(0, path.Length - 2)}."
        : $"The object at {path}.";

    private static string Join(string path, string keyword) => path.Length == 0 ? keyword : path + "." + keyword;
}
