using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using MeshDns.Models.Validation;
using MeshDns.Table;

namespace MeshDns.Models.Json;

/// <summary>ServiceEntry JSON (as the Kubernetes API serves it) to <see cref="ServiceEntryInput"/>: the shape of every field, then
/// <see cref="ServiceEntryCheck"/> as for YAML files; an error is one line of <see cref="Problem.Format"/>.</summary>
public static class ServiceEntryJson
{
    /// <summary>Checks and maps one ServiceEntry object (a List item, a watch event's object).</summary>
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

    /// <summary>A string field of <c>metadata</c>, whatever else is wrong.</summary>
    private static string? Text(JsonElement obj, string name) => StringProperty(Metadata(obj), name);

    internal static JsonElement Metadata(JsonElement obj) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("metadata", out JsonElement m) ? m : default;

    internal static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>An exception message made short: no position, no final period.</summary>
    private static string Reason(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal) is int p and >= 0 ? p : message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        string text = (cut < 0 ? message : message[..cut]).Trim().TrimEnd('.');
        return text.Length == 0 ? "invalid JSON" : text.ReplaceLineEndings("\\n"); // it may quote the input
    }
}
