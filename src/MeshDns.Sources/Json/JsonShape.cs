using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MeshDns.Table;

namespace MeshDns.Models.Json;

/// <summary>Checks JSON against a model's source-generated <see cref="JsonTypeInfo"/> before deserializing, so a wrong field
/// is reported by its path ("spec.hosts: expected an array of strings, found a string"), not in .NET types.</summary>
internal static class JsonShape
{
    /// <summary>Adds to <paramref name="problems"/> what in <paramref name="value"/> does not fit <paramref name="info"/>.</summary>
    /// <param name="nullAllowed">Whether null is fine here (object properties: yes, meaning absent; array and map items: no).</param>
    public static void Check(JsonElement value, JsonTypeInfo info, string path, List<Problem> problems, bool nullAllowed = true)
    {
        Type type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (type == typeof(JsonElement))
        {
            return; // raw JSON: anything goes
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            if (!nullAllowed)
            {
                Mismatch(value, info, path, problems);
            }

            return;
        }

        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when value.ValueKind != JsonValueKind.Object:
                Mismatch(value, info, path, problems);
                return;
            case JsonTypeInfoKind.Object:
                CheckProperties(value, info, path, problems);
                return;
            case JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary:
                bool array = info.Kind == JsonTypeInfoKind.Enumerable;
                if (value.ValueKind != (array ? JsonValueKind.Array : JsonValueKind.Object) || info.ElementType is null)
                {
                    Mismatch(value, info, path, problems);
                    return;
                }

                JsonTypeInfo item = info.Options.GetTypeInfo(info.ElementType);
                IEnumerable<(string, JsonElement)> items = array
                    ? value.EnumerateArray().Select((element, index) => ($"{path}[{index}]", element))
                    : value.EnumerateObject().Select(property => (Join(path, property.Name), property.Value));
                foreach ((string itemPath, JsonElement element) in items)
                {
                    Check(element, item, itemPath, problems, nullAllowed: false);
                }

                return;
            default:
                if (!Fits(value, type))
                {
                    Mismatch(value, info, path, problems);
                }

                return;
        }
    }

    private static void CheckProperties(JsonElement value, JsonTypeInfo info, string path, List<Problem> problems)
    {
        foreach (JsonProperty property in value.EnumerateObject())
        {
            JsonPropertyInfo? known = info.Properties.FirstOrDefault(p => p.Name == property.Name);
            if (known is not null)
            {
                Check(property.Value, info.Options.GetTypeInfo(known.PropertyType), Join(path, property.Name), problems);
            }
        }
    }

    /// <summary>What a JSON value is, for messages: "an object", "an array", "a string", "null", or the number or literal.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Null => "null",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => Shorten(value.GetRawText()),
        _ => "nothing", // a default JsonElement
    };

    private static bool Fits(JsonElement value, Type type) => type switch
    {
        _ when type == typeof(string) => value.ValueKind == JsonValueKind.String,
        _ when type == typeof(int) => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
        _ when type == typeof(long) => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        _ when type == typeof(double) => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out _),
        _ when type == typeof(bool) => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        _ when type == typeof(DateTimeOffset) => value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out _),
        _ => true, // a type the models do not use: left to the deserializer
    };

    private static void Mismatch(JsonElement value, JsonTypeInfo info, string path, List<Problem> problems)
    {
        Type type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        string found = value.ValueKind == JsonValueKind.String && type == typeof(DateTimeOffset)
            ? $"'{Shorten(value.GetString()!)}'"
            : Describe(value);
        problems.Add(new Problem(path, null, $"expected {Expected(info)}, found {found}"));
    }

    /// <summary>What a type expects, for messages: "a string", "an array of strings", "a map of 32-bit integers".</summary>
    private static string Expected(JsonTypeInfo info, bool plural = false) => info.Kind switch
    {
        JsonTypeInfoKind.Object => plural ? "objects" : "an object",
        JsonTypeInfoKind.Enumerable => plural ? "arrays" : $"an array of {Expected(info.Options.GetTypeInfo(info.ElementType!), plural: true)}",
        JsonTypeInfoKind.Dictionary => plural ? "maps" : $"a map of {Expected(info.Options.GetTypeInfo(info.ElementType!), plural: true)}",
        _ => Scalar(Nullable.GetUnderlyingType(info.Type) ?? info.Type, plural),
    };

    /// <summary>How messages name a scalar type: "a 32-bit integer", or plural "32-bit integers".</summary>
    internal static string Scalar(Type type, bool plural)
    {
        (string one, string many) =
            type == typeof(string) ? ("a string", "strings")
            : type == typeof(int) ? ("a 32-bit integer", "32-bit integers")
            : type == typeof(long) ? ("an integer", "integers")
            : type == typeof(double) ? ("a number", "numbers")
            : type == typeof(bool) ? ("true or false", "booleans")
            : type == typeof(DateTimeOffset) ? ("an RFC 3339 date-time", "RFC 3339 date-times")
            : ("a JSON value", "JSON values");
        return plural ? many : one;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Shorten(string text) =>
        text.Length <= 40 ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..37]}...");
}
