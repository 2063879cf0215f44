using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using MeshDns.Table;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

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
/// with <c>items</c>. Reflection-free, so it works trimmed and under NativeAOT.
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

    private static readonly string[] Resolutions = ["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN"];
    private static readonly string[] Locations = ["MESH_EXTERNAL", "MESH_INTERNAL"];

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

        YamlTree tree;
        try
        {
            tree = YamlTree.Load(yaml);
        }
        catch (YamlException e)
        {
            return new FileParseResult([], [], $"{fileName}:{e.Start.Line}: {Reason(e.Message)}");
        }

        var reader = new Reader(tree, fileName);
        foreach (int root in tree.DocumentRoots)
        {
            reader.Object(root, inheritedApiVersion: null, inheritedKind: null, depth: 0);
        }

        return new FileParseResult(reader.Entries, reader.Warnings, null)
        {
            OtherDocuments = reader.OtherDocuments,
            InvalidEntries = reader.InvalidEntries,
        };
    }

    /// <summary>A YamlDotNet message made short: no position (the caller gives the line), no final period.</summary>
    private static string Reason(string message)
    {
        string text = PositionPattern().Replace(message, "").Trim().TrimEnd('.');
        return text.Length == 0 ? "invalid YAML" : char.ToLowerInvariant(text[0]) + text[1..];
    }

    [GeneratedRegex(@"\s*\(?Line: \d+, Col: \d+, Idx: \d+\)?( - \(?Line: \d+, Col: \d+, Idx: \d+\)?)?:?")]
    private static partial Regex PositionPattern();

    /// <summary>RFC 3339 date-time; the fraction may be longer than .NET keeps (Go writes nanoseconds).</summary>
    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339Pattern();

    internal static bool TryParseTimestamp(string text, out DateTimeOffset value)
    {
        value = default;
        Match match = Rfc3339Pattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        string fraction = match.Groups[2].Value;
        if (fraction.Length > 8)
        {
            fraction = fraction[..8]; // '.' and 7 digits: 100 ns, the resolution of DateTimeOffset
        }

        string zone = match.Groups[3].Value is "Z" or "z" ? "+00:00" : match.Groups[3].Value;
        string normal = match.Groups[1].Value.ToUpperInvariant() + fraction + zone;
        return DateTimeOffset.TryParse(normal, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    /// <summary>An IP address or a CIDR (host bits may be set, as Istio accepts).</summary>
    internal static bool IsAddressOrCidr(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return IPAddress.TryParse(text, out _);
        }

        if (!IPAddress.TryParse(text.AsSpan(0, slash), out IPAddress? ip))
        {
            return false;
        }

        int max = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        ReadOnlySpan<char> prefix = text.AsSpan(slash + 1);
        return prefix.Length is > 0 and <= 3
            && int.TryParse(prefix, NumberStyles.None, CultureInfo.InvariantCulture, out int bits)
            && bits <= max;
    }

    /// <summary>The state of reading one file.</summary>
    private sealed class Reader(YamlTree tree, string fileName)
    {
        private readonly IDeserializer _deserializer = new StaticDeserializerBuilder(new ServiceEntryYamlContext())
            .WithNamingConvention(CamelCaseNamingConvention.Instance)
            .IgnoreUnmatchedProperties()
            .Build();

        private readonly Dictionary<string, (int Index, int Line)> _seen = new(StringComparer.Ordinal);

        public List<ServiceEntryInput> Entries { get; } = [];

        public List<string> Warnings { get; } = [];

        public int OtherDocuments { get; private set; }

        public int InvalidEntries { get; private set; }

        /// <summary>Reads a document or a List item.</summary>
        public void Object(int node, string? inheritedApiVersion, string? inheritedKind, int depth)
        {
            node = tree.Resolve(node);
            if (node < 0 || tree.IsNull(node))
            {
                return; // an empty document, e.g. after a final "---"
            }

            if (!tree.IsMapping(node))
            {
                OtherDocuments++;
                return;
            }

            string? apiVersion = tree.GetText(node, "apiVersion") ?? inheritedApiVersion;
            string? kind = tree.GetText(node, "kind") ?? inheritedKind;
            string? group = apiVersion is null ? null : GroupOf(apiVersion);
            if (kind == "List" || (kind == "ServiceEntryList" && group == Group))
            {
                if (depth >= MaxListDepth)
                {
                    OtherDocuments++;
                    return;
                }

                List(node, kind == "List" ? null : apiVersion, kind == "List" ? null : "ServiceEntry", depth);
            }
            else if (kind == "ServiceEntry" && (apiVersion is null || group == Group))
            {
                Entry(node, apiVersion);
            }
            else
            {
                OtherDocuments++;
            }
        }

        private void List(int node, string? itemApiVersion, string? itemKind, int depth)
        {
            int items = tree.Get(node, "items");
            int resolved = items < 0 ? -1 : tree.Resolve(items);
            if (resolved < 0 || tree.IsNull(resolved))
            {
                return;
            }

            if (!tree.IsSequence(resolved))
            {
                string kind = tree.GetText(node, "kind") ?? "List";
                Warnings.Add($"{fileName}:{tree.Line(items)} {kind}: items: expected a list, found {tree.Describe(resolved)}");
                return;
            }

            foreach (int item in tree.Items(resolved))
            {
                Object(item, itemApiVersion, itemKind, depth + 1);
            }
        }

        private void Entry(int node, string? apiVersion)
        {
            int line = tree.Line(node);
            int metadata = tree.GetMapping(node, "metadata");
            string? name = metadata < 0 ? null : tree.GetText(metadata, "name");
            string? ns = metadata < 0 ? null : tree.GetText(metadata, "namespace");
            ns = string.IsNullOrEmpty(ns) ? DefaultNamespace : ns;
            string id = $"{ns}/{(string.IsNullOrEmpty(name) ? "(no name)" : name)}";

            var problems = new ShapeCheck();
            CheckApiVersion(node, apiVersion, problems);
            ServiceEntryShape.Document.CheckValue(tree, node, "", problems);

            ServiceEntryDocument? document = null;
            if (problems.Count == 0)
            {
                document = Deserialize(node, problems);
            }

            if (document is not null)
            {
                CheckValues(node, document, problems);
            }

            if (string.IsNullOrEmpty(name) && !problems.Exists(p => p.Path == "metadata.name"))
            {
                problems.Add(new Problem(LineOf(node, "metadata", "name"), "metadata.name", "missing"));
            }

            if (problems.Count > 0 || document is null)
            {
                if (problems.Count == 0)
                {
                    problems.Add(new Problem(line, "", "cannot be read"));
                }

                InvalidEntries++;
                string text = Describe(problems, out int first);
                Warnings.Add($"{fileName}:{first} {id}: {text}");
                return;
            }

            var entry = new ServiceEntryInput(
                ns,
                name!,
                document.Metadata?.CreationTimestamp is { } stamp && TryParseTimestamp(stamp, out DateTimeOffset created) ? created : null,
                document.Spec?.Hosts ?? [],
                document.Spec?.Addresses ?? [],
                document.Spec?.Resolution,
                document.Status?.Addresses?.Select(a => new StatusAddress(a.Value!, string.IsNullOrEmpty(a.Host) ? null : a.Host)).ToArray() ?? []);

            if (_seen.TryGetValue(entry.Id, out (int Index, int Line) earlier))
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

        private void CheckApiVersion(int node, string? apiVersion, ShapeCheck problems)
        {
            int at = tree.Get(node, "apiVersion");
            int line = at < 0 ? tree.Line(node) : tree.Line(at);
            string expected = string.Join(", ", Versions.Select(v => $"{Group}/{v}"));
            if (apiVersion is null)
            {
                problems.Add(new Problem(line, "apiVersion", $"missing (expected {expected})"));
            }
            else if (!Versions.Contains(apiVersion[(apiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..], StringComparer.Ordinal))
            {
                problems.Add(new Problem(line, "apiVersion", $"unsupported version '{apiVersion}' (expected {expected})"));
            }
        }

        private ServiceEntryDocument? Deserialize(int node, ShapeCheck problems)
        {
            try
            {
                return _deserializer.Deserialize<ServiceEntryDocument>(tree.Replay(node, maxEvents: 1_000_000));
            }
            catch (YamlException e)
            {
                problems.Add(new Problem((int)e.Start.Line, "", Reason(e.InnerException?.Message ?? e.Message)));
            }
            catch (Exception e) when (e is InvalidOperationException or InvalidCastException or FormatException or OverflowException or ArgumentException)
            {
                problems.Add(new Problem(tree.Line(node), "", Reason(e.Message)));
            }

            return null;
        }

        /// <summary>Checks of values the shape allows but Istio would reject.</summary>
        private void CheckValues(int node, ServiceEntryDocument document, ShapeCheck problems)
        {
            if (document.Metadata?.CreationTimestamp is { } stamp && !TryParseTimestamp(stamp, out _))
            {
                problems.Add(new Problem(LineOf(node, "metadata", "creationTimestamp"), "metadata.creationTimestamp", $"'{stamp}' is not an RFC 3339 time"));
            }

            List<string>? hosts = document.Spec?.Hosts;
            if (hosts is null || hosts.Count == 0)
            {
                problems.Add(new Problem(LineOf(node, "spec", "hosts"), "spec.hosts", "at least one host is required"));
            }
            else
            {
                for (int i = 0; i < hosts.Count; i++)
                {
                    if (string.IsNullOrWhiteSpace(hosts[i]))
                    {
                        problems.Add(new Problem(LineOf(node, "spec", "hosts", i), $"spec.hosts[{i}]", "empty host"));
                    }
                }
            }

            List<string> addresses = document.Spec?.Addresses ?? [];
            for (int i = 0; i < addresses.Count; i++)
            {
                if (!IsAddressOrCidr(addresses[i]))
                {
                    problems.Add(new Problem(LineOf(node, "spec", "addresses", i), $"spec.addresses[{i}]", $"'{addresses[i]}' is not an IP address or CIDR"));
                }
            }

            CheckEnum(node, "resolution", document.Spec?.Resolution, Resolutions, problems);
            CheckEnum(node, "location", document.Spec?.Location, Locations, problems);

            List<ServiceEntryAddress> status = document.Status?.Addresses ?? [];
            for (int i = 0; i < status.Count; i++)
            {
                if (string.IsNullOrEmpty(status[i].Value))
                {
                    problems.Add(new Problem(LineOf(node, "status", "addresses", i), $"status.addresses[{i}].value", "missing"));
                }
            }
        }

        private void CheckEnum(int node, string field, string? value, string[] allowed, ShapeCheck problems)
        {
            if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
            {
                string expected = string.Join(", ", allowed[..^1]) + " or " + allowed[^1];
                problems.Add(new Problem(LineOf(node, "spec", field), $"spec.{field}", $"unknown value '{value}' (expected {expected})"));
            }
        }

        /// <summary>
        /// The line of <c>node.first.second[index]</c>, or of the deepest part of that path that exists
        /// (an absent field is reported at its parent).
        /// </summary>
        private int LineOf(int node, string first, string second, int index = -1)
        {
            int line = tree.Line(node);
            int a = tree.GetMapping(node, first);
            if (a < 0)
            {
                return line;
            }

            line = tree.Line(a);
            int b = tree.Get(a, second);
            if (b < 0)
            {
                return line;
            }

            line = tree.Line(b);
            int list = tree.Resolve(b);
            if (index >= 0 && list >= 0 && tree.IsSequence(list))
            {
                int item = tree.Items(list).Skip(index).DefaultIfEmpty(-1).First();
                line = item < 0 ? line : tree.Line(item);
            }

            return line;
        }

        /// <summary>The problems as one text, first line first; <paramref name="line"/> is the first line.</summary>
        private static string Describe(ShapeCheck problems, out int line)
        {
            List<Problem> ordered = [.. problems.OrderBy(p => p.Line)];
            line = ordered[0].Line;
            int firstLine = line;
            IEnumerable<string> shown = ordered.Take(MaxProblemsShown)
                .Select(p => p.Line == firstLine ? p.ToString() : $"{p} (line {p.Line})");
            string text = string.Join("; ", shown);
            return ordered.Count > MaxProblemsShown ? $"{text}; and {ordered.Count - MaxProblemsShown} more" : text;
        }

        private static string GroupOf(string apiVersion)
        {
            int slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? "" : apiVersion[..slash];
        }
    }
}
