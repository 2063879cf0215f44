using MeshDns.Generators.Crd.Model;
using YamlDotNet.RepresentationModel;
using static MeshDns.Generators.Crd.CrdModelGenerator.Parser;

namespace MeshDns.Generators.Crd;

/// <summary>Enums, <c>required</c>, combinators: oneOf/anyOf/allOf/not are ignored when they only require properties (Istio's
/// older CRDs), as is anyOf [integer, string] beside x-kubernetes-int-or-string; any other use is an error.</summary>
internal sealed partial class CrdReader
{
    private static readonly string[] Combinators = { "oneOf", "anyOf", "allOf", "not" };

    /// <summary>The constants class of a string enum; its name, or null when it cannot be made.</summary>
    private string? Enum(YamlNode values, string path, string className)
    {
        if (values is not YamlSequenceNode list)
        {
            Unsupported(values, Join(path, "enum"), "'enum' must be a list");
            return null;
        }

        var constants = new List<CrdEnumValueModel>();
        foreach (YamlNode item in list.Children.Where(i => !i.IsNull())) // null is for 'nullable: true'; no constant
        {
            if (item is not YamlScalarNode { Value: { } value })
            {
                Unsupported(item, Join(path, "enum"), "enum values must be strings");
                return null;
            }

            string name = EnumConstantName(value);
            string? other = constants.FirstOrDefault(c => c.Name == name)?.Value;
            if (other == value)
            {
                continue;
            }

            if (!IsIdentifier(name))
            {
                Error(CrdDiagnostics.InvalidName, item, Join(path, "enum"), value, name);
                return null;
            }

            string? conflict = name == "All" || name == className
                ? $"enum value '{value}' of '{path}' would be named '{name}', which {(name == "All" ? "the list of all values" : "its class")} is named"
                : other is not null ? $"enum values '{other}' and '{value}' of '{path}' would both be named '{name}'" : null;
            if (conflict is not null)
            {
                Error(CrdDiagnostics.NameConflict, item, conflict);
                return null;
            }

            constants.Add(new CrdEnumValueModel(name, value));
        }

        if (!Claim(className, Join(path, "enum"), values))
        {
            return null;
        }

        _enums.Add(new CrdEnumModel(className, path, new(constants)));
        return className;
    }

    /// <summary>Rejects $ref and combinators that do more than validate. True when the schema may be read.</summary>
    private bool CheckKeywords(YamlMappingNode schema, string path, bool intOrString)
    {
        bool ok = true;
        if (schema.KeyNode("$ref") is { } reference)
        {
            Unsupported(reference, Join(path, "$ref"), "'$ref' is not supported; write the schema inline");
            ok = false;
        }

        foreach (string keyword in Combinators)
        {
            if (schema.Get(keyword) is { } value
                && !(keyword == "anyOf" && intOrString && IsIntOrStringAnyOf(value))
                && !IsValidationOnly(keyword, value))
            {
                Unsupported(schema.KeyNode(keyword)!, Join(path, keyword), $"'{keyword}' is not supported (only '{keyword}' made of 'required' lists, which just validates, is ignored)");
                ok = false;
            }
        }

        return ok;
    }

    private static bool IsValidationOnly(string keyword, YamlNode value) => keyword == "not"
        ? value is YamlMappingNode mapping && IsValidationOnlySchema(mapping)
        : value is YamlSequenceNode list && list.Children.All(i => i is YamlMappingNode m && IsValidationOnlySchema(m));

    private static bool IsValidationOnlySchema(YamlMappingNode schema) => schema.Children.All(entry =>
        entry.Key is YamlScalarNode { Value: { } key }
        && (key == "required"
            ? entry.Value is YamlSequenceNode names && names.Children.All(n => n is YamlScalarNode)
            : Combinators.Contains(key) && IsValidationOnly(key, entry.Value)));

    private static bool IsIntOrStringAnyOf(YamlNode value) =>
        value is YamlSequenceNode { Children.Count: 2 } list
        && list.Children.All(i => i is YamlMappingNode { Children.Count: 1 } m && m.Text("type") is not null)
        && new HashSet<string>(list.Children.Select(i => ((YamlMappingNode)i).Text("type")!)).SetEquals(new[] { "integer", "string" });

    private HashSet<string> RequiredOf(YamlMappingNode schema, string path)
    {
        var required = new HashSet<string>(StringComparer.Ordinal);
        YamlNode? node = schema.Get("required");
        IEnumerable<YamlNode> items = node is YamlSequenceNode list ? list.Children : node is null || node.IsNull() ? Enumerable.Empty<YamlNode>() : new[] { node };
        foreach (YamlNode item in items)
        {
            if (node is YamlSequenceNode && item is YamlScalarNode { Value: { } name } && !item.IsNull())
            {
                required.Add(name);
            }
            else
            {
                Unsupported(item, Join(path, "required"), "'required' must be a list of property names");
            }
        }

        return required;
    }
}
