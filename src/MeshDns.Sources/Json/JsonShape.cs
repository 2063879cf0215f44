using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MeshDns.Table;

namespace MeshDns.Models.Json;

/// <summary>Checks JSON against a model's source-generated <see cref="JsonTypeInfo"/> before deserializing, so a wrong field
/// is reported by its path ("spec.hosts: expected an array of strings, found a string"), not in .NET types.</summary>
internal static partial class JsonShape
{
    /// <summary>Adds to <paramref name="problems"/> what in <paramref name="value"/> does not fit <paramref name="info"/>.</summary>
    /// <param name="nullAllowed">Whether null is fine here (object properties: yes, meaning absent; array and map items: no).</param>
    public static void Check(JsonElement value, JsonTypeInfo info, string path, List<Problem> problems, bool nullAllowed = true) =>
        Check(value, Shape.Of(info), JsonPathStack.At(path), problems, nullAllowed);

    // The path is kept as a stack of steps and made into text only for a problem: a valid object costs no strings.
    private static void Check(JsonElement value, Shape shape, JsonPathStack path, List<Problem> problems, bool nullAllowed)
    {
        if (shape.IsRaw)
        {
            return; // raw JSON: anything goes
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            if (!nullAllowed)
            {
                Mismatch(value, shape.Info, path.Text(), problems);
            }

            return;
        }

        switch (shape.Info.Kind)
        {
            case JsonTypeInfoKind.Object when value.ValueKind != JsonValueKind.Object:
                Mismatch(value, shape.Info, path.Text(), problems);
                return;
            case JsonTypeInfoKind.Object:
                CheckProperties(value, shape, path, problems);
                return;
            case JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary:
                CheckItems(value, shape, path, problems);
                return;
            default:
                if (!Fits(value, shape.Type))
                {
                    Mismatch(value, shape.Info, path.Text(), problems);
                }

                return;
        }
    }

    private static void CheckProperties(JsonElement value, Shape shape, JsonPathStack path, List<Problem> problems)
    {
        foreach (JsonProperty property in value.EnumerateObject())
        {
            if (shape.TryGetProperty(property, out string? name, out Shape? known))
            {
                path.Push(name);
                Check(property.Value, known, path, problems, nullAllowed: true);
                path.Pop();
            }
            else
            {
                _ = property.Name; // an unknown name is still read, so one that is not UTF-8 throws as any bad string does
            }
        }
    }

    private static void CheckItems(JsonElement value, Shape shape, JsonPathStack path, List<Problem> problems)
    {
        bool array = shape.Info.Kind == JsonTypeInfoKind.Enumerable;
        if (value.ValueKind != (array ? JsonValueKind.Array : JsonValueKind.Object) || shape.Element is not { } item)
        {
            Mismatch(value, shape.Info, path.Text(), problems);
            return;
        }

        int index = 0;
        if (array)
        {
            foreach (JsonElement element in value.EnumerateArray())
            {
                path.Push(index++);
                Check(element, item, path, problems, nullAllowed: false);
                path.Pop();
            }

            return;
        }

        foreach (JsonProperty property in value.EnumerateObject())
        {
            path.PushKey(value, index++);
            Check(property.Value, item, path, problems, nullAllowed: false);
            path.Pop();
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

    private static string Shorten(string text) =>
        text.Length <= 40 ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..37]}...");
}
