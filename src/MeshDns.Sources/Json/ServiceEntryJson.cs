using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using MeshDns.Models.Validation;
using MeshDns.Table;

namespace MeshDns.Models.Json;

/// <summary>
/// ServiceEntry objects in JSON (as the Kubernetes API serves them) to the table's <see cref="ServiceEntryInput"/>:
/// the shape of every field (<see cref="JsonShape"/>), then <see cref="ServiceEntryCheck"/>, as for YAML files,
/// so an entry is taken or skipped the same way wherever it comes from. An error is one line of
/// <see cref="Problem.Format"/>, for example <c>spec.hosts: expected an array of strings, found a string</c>.
/// </summary>
public static class ServiceEntryJson
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>Checks and maps one ServiceEntry object (a List item, a watch event's object).</summary>
    /// <param name="obj">The object.</param>
    /// <param name="entry">The entry when the object is valid, else null.</param>
    /// <param name="id"><c>namespace/name</c> as far as the metadata tells, even when the rest is invalid.</param>
    /// <param name="error">Null when valid, else one line naming the JSON path and what is wrong.</param>
    public static bool TryDecode(
        JsonElement obj,
        [NotNullWhen(true)] out ServiceEntryInput? entry,
        out string id,
        [NotNullWhen(false)] out string? error)
    {
        try
        {
            return Decode(obj, out entry, out id, out error);
        }
        catch (InvalidOperationException e) when (e.InnerException is DecoderFallbackException)
        {
            // JsonDocument checks the UTF-8 of a string only when it is read.
            entry = null;
            id = ServiceEntryCheck.IdOf(null);
            error = "cannot be read: a string is not valid UTF-8";
            return false;
        }
    }

    private static bool Decode(JsonElement obj, [NotNullWhen(true)] out ServiceEntryInput? entry, out string id, [NotNullWhen(false)] out string? error)
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
            ServiceEntryCheck.CheckHeader(new ServiceEntry { ApiVersion = Top(obj, "apiVersion"), Kind = Top(obj, "kind"), Metadata = new() { Name = Text(obj, "name") } }, problems);
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
    /// <param name="entry">The entry when valid, else null.</param>
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
    private static string? Text(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object
        && obj.TryGetProperty("metadata", out JsonElement metadata)
        && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty(name, out JsonElement value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string? Top(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>An exception message made short: no position (given separately), no final period.</summary>
    private static string Reason(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal) is int p and >= 0 ? p : message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        string text = (cut < 0 ? message : message[..cut]).Trim().TrimEnd('.');
        return text.Length == 0 ? "invalid JSON" : text.ReplaceLineEndings("\\n"); // it may quote the input
    }
}
