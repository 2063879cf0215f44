using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using MeshDns.Models.Validation;
using MeshDns.Table;

namespace MeshDns.Models.Json;

/// <summary>ServiceEntry JSON (as the Kubernetes API serves it) to <see cref="ServiceEntryInput"/>: the shape of every field, then
/// <see cref="ServiceEntryCheck"/> as for YAML files; an error is one line of <see cref="Problem.Format"/>.</summary>
public static class ServiceEntryJson
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>Checks and maps one ServiceEntry object (a List item, a watch event's object).</summary>
    /// <param name="id"><c>namespace/name</c> as far as the metadata tells, even when the rest is invalid.</param>
    /// <param name="error">Null when valid, else one line naming the JSON path and what is wrong.</param>
    public static bool TryDecode(
        JsonElement obj,
        [NotNullWhen(true)] out ServiceEntryInput? entry,
        out string id,
        [NotNullWhen(false)] out string? error)
    {
        entry = null;
        id = ServiceEntryCheck.IdOf(new ObjectMeta { Namespace = Text(obj, "namespace"), Name = Text(obj, "name") });
        if (obj.ValueKind != JsonValueKind.Object)
        {
            error = $"expected an object, found {JsonShape.Describe(obj)}";
            return false;
        }

        var problems = new List<Problem>();
        JsonShape.Check(obj, ServiceEntryJsonContext.Default.ServiceEntry, string.Empty, problems, nullAllowed: false);
        ServiceEntry? se = null;
        if (problems.Count == 0)
        {
            try
            {
                se = obj.Deserialize(ServiceEntryJsonContext.Default.ServiceEntry);
            }
            catch (JsonException e)
            {
                problems.Add(new Problem(e.Path?.TrimStart('$', '.') ?? "", null, "cannot be read: " + Reason(e.Message)));
            }
        }

        if (se is null)
        {
            ServiceEntryCheck.CheckHeader(new ServiceEntry { ApiVersion = StringProperty(obj, "apiVersion"), Kind = StringProperty(obj, "kind"), Metadata = new() { Name = Text(obj, "name") } }, problems);
        }
        else
        {
            if (Text(obj, "creationTimestamp") is { } stamp && !ServiceEntryCheck.TryParseTime(stamp, out _))
            {
                problems.Add(new Problem("metadata.creationTimestamp", stamp, $"'{stamp}' is not an RFC 3339 time"));
            }

            ServiceEntryCheck.Check(se, problems);
        }

        if (problems.Count > 0 || se is null)
        {
            error = Problem.Format(problems.Count > 0 ? problems : [new Problem("", null, "cannot be read")]);
            return false;
        }

        entry = ServiceEntryCheck.ToInput(se);
        error = null;
        return true;
    }

    /// <summary>Parses one JSON value (UTF-8) and checks and maps it as the overload above does.</summary>
    /// <param name="utf8Json">Exactly one JSON value (no comments, no trailing commas).</param>
    /// <param name="id"><c>namespace/name</c> as far as known; <c>default/(no name)</c> when the JSON cannot be parsed.</param>
    /// <param name="error">Null when valid, else one line (for bad JSON: <c>invalid JSON at line L, byte B: reason</c>).</param>
    public static bool TryDecode(
        ReadOnlySpan<byte> utf8Json,
        [NotNullWhen(true)] out ServiceEntryInput? entry,
        out string id,
        [NotNullWhen(false)] out string? error)
    {
        JsonElement root;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
            root = JsonElement.ParseValue(ref reader);
            if (reader.Read())
            {
                throw new JsonException("unexpected content after the JSON value"); // Read throws first, in practice
            }
        }
        catch (JsonException e)
        {
            entry = null;
            id = ServiceEntryCheck.IdOf(null);
            string where = e.LineNumber is long line && e.BytePositionInLine is long position ? $" at line {line + 1}, byte {position + 1}" : "";
            error = $"invalid JSON{where}: {Reason(e.Message)}";
            return false;
        }

        return TryDecode(root, out entry, out id, out error);
    }

    /// <summary>A string field of <c>metadata</c>, whatever else is wrong.</summary>
    private static string? Text(JsonElement obj, string name) => StringProperty(Metadata(obj), name);

    internal static JsonElement Metadata(JsonElement obj) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("metadata", out JsonElement m) ? m : default;

    internal static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>An exception message made short: no position (given separately), no final period.</summary>
    private static string Reason(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal) is int p and >= 0 ? p : message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        string text = (cut < 0 ? message : message[..cut]).Trim().TrimEnd('.');
        return text.Length == 0 ? "invalid JSON" : text;
    }
}
