using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.RegularExpressions;
using MeshDns.Table;

namespace MeshDns.Models.Json;

/// <summary>
/// ServiceEntry objects in JSON (as the Kubernetes API serves them, or from files) to the table's
/// <see cref="ServiceEntryInput"/>, with the same checks and messages as the YAML file source, so that an entry
/// is taken or skipped the same way wherever it comes from.
/// </summary>
/// <remarks>
/// <para>Checked: the shape of every field of the model (an array where an array is expected, integers that fit,
/// RFC 3339 times…; unknown fields are ignored and null counts as absent), <c>apiVersion</c> and <c>kind</c> when
/// present (networking.istio.io v1, v1beta1 or v1alpha3; ServiceEntry), <c>metadata.name</c> present,
/// <c>spec</c> present with at least one non-empty host, <c>resolution</c> and
/// <c>location</c> among the CRD's values (exact case), and a value in each <c>status.addresses</c> item.</para>
/// <para>An error is one line: up to three problems in document order, each as <c>path: what is wrong</c>
/// (for example <c>spec.hosts: expected an array of strings, found a string</c>).</para>
/// </remarks>
public static partial class ServiceEntryJson
{
    internal const string Group = "networking.istio.io";
    internal const string DefaultNamespace = "default";
    internal const string NoName = "(no name)";
    private const int MaxProblemsShown = 3;

    internal static readonly string[] Versions = ["v1", "v1beta1", "v1alpha3"];

    private static readonly string[] TopLevelOrder = ["apiVersion", "kind", "metadata", "spec", "status"];

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
    };

    /// <summary>Checks and maps one ServiceEntry object (a document, a List item, a watch event's object).</summary>
    /// <param name="obj">The object.</param>
    /// <param name="entry">The entry when the object is valid, else null.</param>
    /// <param name="id"><c>namespace/name</c> as far as the metadata tells, even when the rest is invalid
    /// (namespace <c>default</c> when absent, name <c>(no name)</c> when absent).</param>
    /// <param name="error">Null when valid, else one line naming the JSON path and what is wrong.</param>
    /// <returns>True when the object is a valid ServiceEntry.</returns>
    public static bool TryDecode(
        JsonElement obj,
        [NotNullWhen(true)] out ServiceEntryInput? entry,
        out string id,
        [NotNullWhen(false)] out string? error)
    {
        entry = null;
        id = IdOf(obj);
        if (obj.ValueKind != JsonValueKind.Object)
        {
            error = $"expected an object, found {JsonShape.Describe(obj)}";
            return false;
        }

        var problems = new List<JsonProblem>();
        JsonShape.Check(obj, ServiceEntryJsonContext.Default.ServiceEntry, string.Empty, problems, nullAllowed: false);
        CheckHeader(obj, problems);

        ServiceEntry? serviceEntry = null;
        if (problems.Count == 0)
        {
            try
            {
                serviceEntry = obj.Deserialize(ServiceEntryJsonContext.Default.ServiceEntry);
            }
            catch (JsonException e)
            {
                problems.Add(new JsonProblem(PathOf(e.Path), "cannot be read: " + Reason(e.Message)));
            }
        }

        if (serviceEntry is not null)
        {
            CheckValues(obj, serviceEntry, problems);
        }

        if (!problems.Exists(p => p.Path is "metadata" or "metadata.name") && string.IsNullOrEmpty(NameOf(obj)))
        {
            problems.Add(new JsonProblem("metadata.name", "missing"));
        }

        if (problems.Count > 0 || serviceEntry is null)
        {
            error = Describe(problems.Count > 0 ? problems : [new JsonProblem(string.Empty, "cannot be read")]);
            return false;
        }

        entry = ToInput(serviceEntry);
        error = null;
        return true;
    }

    /// <summary>Parses one JSON value (UTF-8) and checks and maps it as <see cref="TryDecode(JsonElement, out ServiceEntryInput?, out string, out string?)"/> does.</summary>
    /// <param name="utf8Json">Exactly one JSON value (whitespace around it is allowed; comments and trailing commas are not).</param>
    /// <param name="entry">The entry when valid, else null.</param>
    /// <param name="id"><c>namespace/name</c> as far as known; <c>default/(no name)</c> when the JSON cannot be parsed.</param>
    /// <param name="error">Null when valid, else one line (for bad JSON: <c>invalid JSON at line L, byte B: reason</c>).</param>
    /// <returns>True when the text is a valid ServiceEntry.</returns>
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
            id = $"{DefaultNamespace}/{NoName}";
            string where = e.LineNumber is long line && e.BytePositionInLine is long position
                ? $" at line {line + 1}, byte {position + 1}"
                : string.Empty;
            error = $"invalid JSON{where}: {Reason(e.Message)}";
            return false;
        }

        return TryDecode(root, out entry, out id, out error);
    }

    /// <summary>
    /// Maps a ServiceEntry to the table's input without checking it (see <see cref="TryDecode(JsonElement, out ServiceEntryInput?, out string, out string?)"/>
    /// for that): an absent or empty namespace is <c>default</c>, an absent name empty, absent lists empty; null list
    /// items and status addresses without a value are left out; an empty status host is null (all hosts).
    /// </summary>
    public static ServiceEntryInput ToInput(ServiceEntry se)
    {
        ArgumentNullException.ThrowIfNull(se);
        string? ns = se.Metadata?.Namespace;
        return new ServiceEntryInput(
            string.IsNullOrEmpty(ns) ? DefaultNamespace : ns,
            se.Metadata?.Name ?? string.Empty,
            se.Metadata?.CreationTimestamp,
            Strings(se.Spec?.Hosts),
            Strings(se.Spec?.Addresses),
            se.Spec?.Resolution,
            se.Status?.Addresses is { } addresses
                ? [.. addresses
                    .Where(a => a is not null && !string.IsNullOrEmpty(a.Value))
                    .Select(a => new StatusAddress(a.Value!, string.IsNullOrEmpty(a.Host) ? null : a.Host))]
                : []);
    }

    private static string[] Strings(List<string>? values) =>
        values is null ? [] : [.. values.Where(v => v is not null)];

    /// <summary><c>namespace/name</c> from the raw metadata, whatever else is wrong.</summary>
    private static string IdOf(JsonElement obj)
    {
        string? ns = null;
        if (obj.ValueKind == JsonValueKind.Object
            && obj.TryGetProperty("metadata", out JsonElement metadata)
            && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("namespace", out JsonElement value)
            && value.ValueKind == JsonValueKind.String)
        {
            ns = value.GetString();
        }

        string? name = NameOf(obj);
        return $"{(string.IsNullOrEmpty(ns) ? DefaultNamespace : ns)}/{(string.IsNullOrEmpty(name) ? NoName : name)}";
    }

    private static string? NameOf(JsonElement obj) =>
        obj.ValueKind == JsonValueKind.Object
        && obj.TryGetProperty("metadata", out JsonElement metadata)
        && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty("name", out JsonElement name)
        && name.ValueKind == JsonValueKind.String
            ? name.GetString()
            : null;

    /// <summary>apiVersion and kind, when present and strings (their type is checked with the shape).</summary>
    private static void CheckHeader(JsonElement obj, List<JsonProblem> problems)
    {
        if (obj.TryGetProperty("apiVersion", out JsonElement apiVersion) && apiVersion.ValueKind == JsonValueKind.String)
        {
            string text = apiVersion.GetString()!;
            int slash = text.IndexOf('/', StringComparison.Ordinal);
            bool known = slash > 0
                && text.AsSpan(0, slash).SequenceEqual(Group)
                && Versions.Contains(text[(slash + 1)..], StringComparer.Ordinal);
            if (!known)
            {
                string expected = string.Join(", ", Versions.Select(v => $"{Group}/{v}"));
                problems.Add(new JsonProblem("apiVersion", $"unsupported version '{text}' (expected {expected})"));
            }
        }

        if (obj.TryGetProperty("kind", out JsonElement kind) && kind.ValueKind == JsonValueKind.String && kind.GetString() != "ServiceEntry")
        {
            problems.Add(new JsonProblem("kind", $"expected ServiceEntry, found '{kind.GetString()}'"));
        }
    }

    /// <summary>Checks of values the shape allows but Istio would reject (as the YAML file source does).</summary>
    private static void CheckValues(JsonElement obj, ServiceEntry se, List<JsonProblem> problems)
    {
        if (obj.TryGetProperty("metadata", out JsonElement metadata)
            && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("creationTimestamp", out JsonElement stamp)
            && stamp.ValueKind == JsonValueKind.String
            && !Rfc3339Pattern().IsMatch(stamp.GetString()!))
        {
            problems.Add(new JsonProblem("metadata.creationTimestamp", $"'{stamp.GetString()}' is not an RFC 3339 time"));
        }

        if (se.Spec is not { } spec)
        {
            problems.Add(new JsonProblem("spec", "missing"));
            return;
        }

        if (spec.Hosts is not { Count: > 0 } hosts)
        {
            problems.Add(new JsonProblem("spec.hosts", "at least one host is required"));
        }
        else
        {
            for (int i = 0; i < hosts.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(hosts[i]))
                {
                    problems.Add(new JsonProblem($"spec.hosts[{i}]", "empty host"));
                }
            }
        }

        // spec.addresses are not checked here: the CRD lets any string through, and the table skips an
        // address it cannot serve by itself, with a warning, keeping the entry (ServedAddresses).
        CheckEnum("spec.resolution", spec.Resolution, ServiceEntrySpecResolutionValues.All, problems);
        CheckEnum("spec.location", spec.Location, ServiceEntrySpecLocationValues.All, problems);

        List<ServiceEntryStatusAddressesItem> status = se.Status?.Addresses ?? [];
        for (int i = 0; i < status.Count; i++)
        {
            if (string.IsNullOrEmpty(status[i].Value))
            {
                problems.Add(new JsonProblem($"status.addresses[{i}].value", "missing"));
            }
        }
    }

    private static void CheckEnum(string path, string? value, IReadOnlyList<string> allowed, List<JsonProblem> problems)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            string expected = string.Join(", ", allowed.Take(allowed.Count - 1)) + " or " + allowed[^1];
            problems.Add(new JsonProblem(path, $"unknown value '{value}' (expected {expected})"));
        }
    }

    /// <summary>RFC 3339 date-time, as the file source accepts it (any fraction length, Z or an offset).</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339Pattern();

    /// <summary>The problems as one line, in document order (top-level fields in their usual order).</summary>
    private static string Describe(List<JsonProblem> problems)
    {
        List<JsonProblem> ordered = [.. problems.Select((p, i) => (p, i)).OrderBy(x => Rank(x.p.Path)).ThenBy(x => x.i).Select(x => x.p)];
        string text = string.Join("; ", ordered.Take(MaxProblemsShown));
        return ordered.Count > MaxProblemsShown ? $"{text}; and {ordered.Count - MaxProblemsShown} more" : text;
    }

    private static int Rank(string path)
    {
        int end = path.IndexOfAny(['.', '[']);
        string top = end < 0 ? path : path[..end];
        int rank = Array.IndexOf(TopLevelOrder, top);
        return rank < 0 ? TopLevelOrder.Length : rank;
    }

    /// <summary>A JSON path of System.Text.Json (<c>$.spec.hosts[0]</c>) as this class writes paths (<c>spec.hosts[0]</c>).</summary>
    private static string PathOf(string? path) =>
        path is null or "$" ? string.Empty : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>An exception message made short: no position (given separately), no final period.</summary>
    private static string Reason(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        int cutLine = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0 || (cutLine >= 0 && cutLine < cut))
        {
            cut = cutLine;
        }

        string text = (cut < 0 ? message : message[..cut]).Trim().TrimEnd('.');
        return text.Length == 0 ? "invalid JSON" : text;
    }
}

/// <summary>One thing wrong with an object: where (a JSON path without <c>$.</c>), and what.</summary>
internal readonly record struct JsonProblem(string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}
