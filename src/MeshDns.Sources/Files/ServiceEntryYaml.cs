using System.Text.Json;
using MeshDns.Models.Json;
using MeshDns.Table;
using YamlDotNet.Core;

namespace MeshDns.Sources.Files;

/// <summary>What one YAML file yielded.</summary>
/// <param name="Entries">The valid ServiceEntries, in file order (a repeated namespace/name keeps the last).</param>
/// <param name="Warnings">One line per skipped or repeated ServiceEntry: <c>file:line namespace/name: what is wrong</c>.</param>
/// <param name="Error">Non-null when the file is not valid YAML (<c>file:line: reason</c>); then nothing else is read.</param>
public sealed record FileParseResult(IReadOnlyList<ServiceEntryInput> Entries, IReadOnlyList<string> Warnings, string? Error)
{
    /// <summary>Documents or List items of other kinds or API groups (a ConfigMap, a Service…), skipped silently.</summary>
    public int OtherDocuments { get; init; }

    /// <summary>ServiceEntries skipped because something in them is wrong (each has one warning).</summary>
    public int InvalidEntries { get; init; }
}

/// <summary>
/// Reads Istio ServiceEntries (networking.istio.io v1alpha3, v1beta1, v1) from YAML as <c>kubectl apply -f</c>
/// would take them: several documents separated by <c>---</c>, and <c>kind: List</c> (or ServiceEntryList)
/// with <c>items</c>. Each document is turned into JSON (YAML 1.2 core schema: plain <c>80</c> is a number,
/// <c>"80"</c> a string) and each ServiceEntry checked and mapped by <see cref="ServiceEntryJson"/>, as the
/// Kubernetes source does, so an entry is taken or refused the same way from a file as from the API server.
/// Reflection-free, so it works trimmed and under NativeAOT.
/// </summary>
public static partial class ServiceEntryYaml
{
    /// <summary>The API group of ServiceEntry.</summary>
    public const string Group = "networking.istio.io";

    /// <summary>The versions of <see cref="Group"/> read, newest first.</summary>
    public static IReadOnlyList<string> Versions { get; } = ["v1", "v1beta1", "v1alpha3"];

    /// <summary>Namespace of an entry whose metadata.namespace is absent or empty, as with kubectl.</summary>
    public const string DefaultNamespace = "default";

    private const int MaxListDepth = 4;
    private const int MaxProblemsShown = 3;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = YamlJson.MaxDepth + 2 };

    /// <summary>
    /// Parses one file's text. Never throws for bad input: a YAML syntax error makes <see cref="FileParseResult.Error"/>
    /// non-null (and no entries), a bad ServiceEntry is left out with one warning, other kinds are counted.
    /// </summary>
    /// <param name="yaml">The file's content.</param>
    /// <param name="fileName">How messages name the file.</param>
    public static FileParseResult Parse(string yaml, string fileName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(fileName);

        YamlJson json;
        try
        {
            json = YamlJson.Convert(yaml);
        }
        catch (YamlException e)
        {
            return new FileParseResult([], [], $"{fileName}:{YamlSyntaxError.Describe(yaml, e)}");
        }

        using (json)
        {
            using JsonDocument document = JsonDocument.Parse(json.Json, DocumentOptions);
            var reader = new Reader(json, fileName);
            int node = 0;
            foreach (JsonElement root in document.RootElement.EnumerateArray())
            {
                reader.Object(root, node, inheritedApiVersion: null, inheritedKind: null, depth: 0);
                node += json.Size(node);
            }

            return new FileParseResult(reader.Entries, reader.Warnings, null)
            {
                OtherDocuments = reader.OtherDocuments,
                InvalidEntries = reader.InvalidEntries,
            };
        }
    }

    /// <summary>The state of reading one file.</summary>
    private sealed class Reader(YamlJson json, string fileName)
    {
        private readonly Dictionary<string, (int Index, int Line)> _seen = new(StringComparer.Ordinal);
        private List<ConversionProblem>? _problems;

        public List<ServiceEntryInput> Entries { get; } = [];

        public List<string> Warnings { get; } = [];

        public int OtherDocuments { get; private set; }

        public int InvalidEntries { get; private set; }

        /// <summary>Reads a document or a List item (<paramref name="depth"/> Lists down).</summary>
        public void Object(JsonElement obj, int node, string? inheritedApiVersion, string? inheritedKind, int depth)
        {
            if (obj.ValueKind == JsonValueKind.Null)
            {
                return; // an empty document, e.g. after a final "---"
            }

            if (obj.ValueKind != JsonValueKind.Object)
            {
                OtherDocuments++;
                return;
            }

            string? apiVersion = Text(obj, "apiVersion") ?? inheritedApiVersion;
            string? kind = Text(obj, "kind") ?? inheritedKind;
            string? group = apiVersion is null ? null : GroupOf(apiVersion);
            if (kind == "List" || (kind == "ServiceEntryList" && group == Group))
            {
                if (depth >= MaxListDepth)
                {
                    OtherDocuments++;
                    return;
                }

                List(obj, node, kind, kind == "List" ? null : apiVersion, kind == "List" ? null : "ServiceEntry", depth);
            }
            else if (kind == "ServiceEntry" && (apiVersion is null || group == Group))
            {
                Entry(obj, node, inheritedApiVersion, depth);
            }
            else
            {
                OtherDocuments++;
            }
        }

        private void List(JsonElement list, int node, string kind, string? itemApiVersion, string? itemKind, int depth)
        {
            int itemsNode = json.ChildNode(list, node, "items", out JsonElement items);
            if (itemsNode < 0 || items.ValueKind == JsonValueKind.Null)
            {
                return;
            }

            if (items.ValueKind != JsonValueKind.Array)
            {
                Warnings.Add($"{fileName}:{json.Line(itemsNode)} {kind}: items: expected a list, found {Describe(items)}");
                return;
            }

            foreach ((JsonElement item, int itemNode) in json.Items(items, itemsNode))
            {
                Object(item, itemNode, itemApiVersion, itemKind, depth + 1);
            }
        }

        private void Entry(JsonElement obj, int node, string? inheritedApiVersion, int depth)
        {
            int line = json.Line(node);

            // What ServiceEntryJson cannot see: the file's own problems (keys repeated, aliases) and the
            // apiVersion when the entry has none of its own (absent, or given by its ServiceEntryList).
            List<(int Line, string Text)> problems = [];
            foreach (ConversionProblem problem in ProblemsIn(node, json.Size(node)))
            {
                problems.Add((problem.Line, problem.Describe(skip: 2 * depth)));
            }

            if (!obj.TryGetProperty("apiVersion", out JsonElement own) || own.ValueKind == JsonValueKind.Null)
            {
                string expected = string.Join(", ", Versions.Select(v => $"{Group}/{v}"));
                if (inheritedApiVersion is null)
                {
                    problems.Add((line, $"apiVersion: missing (expected {expected})"));
                }
                else if (!Versions.Contains(inheritedApiVersion[(inheritedApiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..], StringComparer.Ordinal))
                {
                    problems.Add((line, $"apiVersion: unsupported version '{inheritedApiVersion}' (expected {expected})"));
                }
            }

            bool valid = ServiceEntryJson.TryDecode(obj, out ServiceEntryInput? entry, out string id, out string? error);
            if (!valid || problems.Count > 0)
            {
                InvalidEntries++;
                List<(int Line, string Text)> ordered = [.. problems.OrderBy(p => p.Line)];
                string text = string.Join("; ", ordered.Take(MaxProblemsShown).Select(p => p.Text));
                if (ordered.Count > MaxProblemsShown)
                {
                    text += $"; and {ordered.Count - MaxProblemsShown} more";
                }

                if (error is not null)
                {
                    text = text.Length == 0 ? error : $"{text}; {error}";
                }

                int first = ordered.Count > 0 ? ordered[0].Line : json.LineOf(obj, node, FirstPath(error!));
                Warnings.Add($"{fileName}:{first} {id}: {text}");
                return;
            }

            if (_seen.TryGetValue(entry!.Id, out (int Index, int Line) earlier))
            {
                Warnings.Add($"{fileName}:{line} {entry.Id}: defined again (first at line {earlier.Line}); the later one is used");
                Entries[earlier.Index] = entry;
                _seen[entry.Id] = (earlier.Index, line);
            }
            else
            {
                _seen[entry.Id] = (Entries.Count, line);
                Entries.Add(entry);
            }
        }

        /// <summary>The conversion problems on the nodes <c>[node, node + size)</c>.</summary>
        private IEnumerable<ConversionProblem> ProblemsIn(int node, int size)
        {
            if (json.Problems.Count == 0)
            {
                return [];
            }

            _problems ??= [.. json.Problems.OrderBy(p => p.Node)];
            int lo = 0;
            int hi = _problems.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) / 2;
                if (_problems[mid].Node < node)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            var found = new List<ConversionProblem>();
            for (int i = lo; i < _problems.Count && _problems[i].Node < node + size; i++)
            {
                found.Add(_problems[i]);
            }

            return found;
        }

        /// <summary>The path of the first problem of a <see cref="ServiceEntryJson"/> error (<c>path: what</c>; …).</summary>
        private static string FirstPath(string error)
        {
            int colon = error.IndexOf(": ", StringComparison.Ordinal);
            int semicolon = error.IndexOf("; ", StringComparison.Ordinal);
            return colon < 0 || (semicolon >= 0 && semicolon < colon) ? "" : error[..colon];
        }

        /// <summary>A scalar property as text (a number or boolean as written), else null.</summary>
        private static string? Text(JsonElement obj, string name) =>
            obj.TryGetProperty(name, out JsonElement value)
                ? value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.Number => value.GetRawText(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => null,
                }
                : null;

        private static string Describe(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Object => "a map",
            JsonValueKind.Array => "a list",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "a string",
        };

        private static string GroupOf(string apiVersion)
        {
            int slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? "" : apiVersion[..slash];
        }
    }
}
