using System.Globalization;
using System.Text.RegularExpressions;
using MeshDns.Table;

namespace MeshDns.Models.Validation;

/// <summary>
/// The value checks a ServiceEntry passes wherever it comes from (a YAML file, the Kubernetes API), after its
/// shape was checked by the source's decoder, and the mapping to the table's <see cref="ServiceEntryInput"/>.
/// </summary>
public static partial class ServiceEntryCheck
{
    /// <summary>Namespace of an entry whose metadata.namespace is absent or empty, as with kubectl.</summary>
    public const string DefaultNamespace = "default";

    /// <summary>How an entry without a name is named in messages.</summary>
    public const string NoName = "(no name)";

    /// <summary>The accepted apiVersions, for messages.</summary>
    public static string ExpectedApiVersions { get; } = string.Join(", ", ServiceEntryCrd.Versions.Select(v => $"{ServiceEntryCrd.Group}/{v}"));

    /// <summary><c>namespace/name</c> as far as the metadata tells, whatever else is wrong.</summary>
    public static string IdOf(ObjectMeta? metadata) =>
        $"{(string.IsNullOrEmpty(metadata?.Namespace) ? DefaultNamespace : metadata.Namespace)}/{(string.IsNullOrEmpty(metadata?.Name) ? NoName : metadata.Name)}";

    /// <summary>The group of an apiVersion (<c>networking.istio.io/v1</c> → <c>networking.istio.io</c>; <c>v1</c> → empty).</summary>
    public static string GroupOf(string apiVersion)
    {
        int slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : apiVersion[..slash];
    }

    /// <summary>Adds to <paramref name="problems"/> what Istio would reject in a well-shaped entry.</summary>
    public static void Check(ServiceEntry se, List<Problem> problems)
    {
        CheckHeader(se, problems);
        if (se.Spec is not { } spec)
        {
            problems.Add(new("spec", null, "missing"));
            return;
        }

        if (spec.Hosts is not { Count: > 0 } hosts)
        {
            problems.Add(new("spec.hosts", null, "at least one host is required"));
        }
        else
        {
            for (int i = 0; i < hosts.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(hosts[i]))
                {
                    problems.Add(new($"spec.hosts[{i}]", hosts[i], "empty host"));
                }
            }
        }

        // spec.addresses are not checked: the CRD lets any string through, and the table skips an address it
        // cannot serve by itself, with a warning, keeping the entry (ServedAddresses).
        CheckEnum("spec.resolution", spec.Resolution, ServiceEntrySpecResolutionValues.All, problems);
        CheckEnum("spec.location", spec.Location, ServiceEntrySpecLocationValues.All, problems);
        List<ServiceEntryStatusAddressesItem> status = se.Status?.Addresses ?? [];
        for (int i = 0; i < status.Count; i++)
        {
            if (string.IsNullOrEmpty(status[i].Value))
            {
                problems.Add(new($"status.addresses[{i}].value", null, "missing"));
            }
        }
    }

    /// <summary>The checks that still make sense when the shape is wrong: apiVersion, kind, metadata.name.</summary>
    public static void CheckHeader(ServiceEntry se, List<Problem> problems)
    {
        ArgumentNullException.ThrowIfNull(se);
        ArgumentNullException.ThrowIfNull(problems);
        if (se.ApiVersion is { } apiVersion
            && (GroupOf(apiVersion) != ServiceEntryCrd.Group || !ServiceEntryCrd.Versions.Contains(apiVersion[(ServiceEntryCrd.Group.Length + 1)..], StringComparer.Ordinal)))
        {
            problems.Add(new("apiVersion", apiVersion, $"unsupported version '{apiVersion}' (expected {ExpectedApiVersions})"));
        }

        if (se.Kind is { } kind && kind != ServiceEntryCrd.Kind)
        {
            problems.Add(new("kind", kind, $"expected ServiceEntry, found '{kind}'"));
        }

        CheckName(se.Metadata?.Name, problems);
    }

    /// <summary>Adds "metadata.name: missing" when the name is absent and nothing else was said about it.</summary>
    public static void CheckName(string? name, List<Problem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (string.IsNullOrEmpty(name) && !problems.Exists(p => p.Path is "metadata" or "metadata.name"))
        {
            problems.Add(new("metadata.name", null, "missing"));
        }
    }

    /// <summary>Parses an RFC 3339 date-time (any fraction length, Z or an offset); false for anything else.</summary>
    public static bool TryParseTime(string text, out DateTimeOffset time)
    {
        time = default;
        if (!Rfc3339Pattern().IsMatch(text))
        {
            return false;
        }

        // .NET keeps 7 fraction digits and would round the rest; Kubernetes' decoder truncates.
        int dot = text.IndexOf('.', StringComparison.Ordinal), digits = 0;
        while (dot >= 0 && dot + 1 + digits < text.Length && char.IsAsciiDigit(text[dot + 1 + digits]))
        {
            digits++;
        }

        string cut = digits > 7 ? text.Remove(dot + 8, digits - 7) : text;
        return DateTimeOffset.TryParse(cut, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out time);
    }

    /// <summary>
    /// Maps a checked ServiceEntry to the table's input: an absent or empty namespace is <c>default</c>, absent
    /// lists empty; null list items and status addresses without a value are left out; an empty status host is null;
    /// ports keep name, number and protocol (the table serves the named ones as SRV records).
    /// </summary>
    public static ServiceEntryInput ToInput(ServiceEntry se)
    {
        ArgumentNullException.ThrowIfNull(se);
        string? ns = se.Metadata?.Namespace;
        return new ServiceEntryInput(
            string.IsNullOrEmpty(ns) ? DefaultNamespace : Namespaces.Shared(ns),
            se.Metadata?.Name ?? string.Empty,
            se.Metadata?.CreationTimestamp,
            Strings(se.Spec?.Hosts),
            Strings(se.Spec?.Addresses),
            Canonical(se.Spec?.Resolution, ServiceEntrySpecResolutionValues.All),
            se.Status?.Addresses is { } addresses
                ? [.. addresses
                    .Where(a => a is not null && !string.IsNullOrEmpty(a.Value))
                    .Select(a => new StatusAddress(a.Value!, string.IsNullOrEmpty(a.Host) ? null : a.Host))]
                : [])
        {
            Ports = Ports(se.Spec?.Ports),
        };
    }

    private static ServicePort[] Ports(List<ServiceEntrySpecPortsItem>? ports) =>
        ports is null || ports.Count == 0 ? [] : [.. ports.Where(p => p is not null).Select(p => new ServicePort(p.Name, p.Number ?? 0, p.Protocol))];

    private static string[] Strings(List<string>? values)
    {
        if (values is null || values.Count == 0)
        {
            return [];
        }

        int count = 0;
        foreach (string? v in values)
        {
            count += v is null ? 0 : 1;
        }

        var strings = new string[count];
        count = 0;
        foreach (string? v in values)
        {
            if (v is not null)
            {
                strings[count++] = v;
            }
        }

        return strings;
    }

    /// <summary>The allowed value's own instance: a table of 100k entries keeps one "STATIC", not 100k copies.</summary>
    private static string? Canonical(string? value, IReadOnlyList<string> allowed)
    {
        foreach (string known in allowed)
        {
            if (string.Equals(known, value, StringComparison.Ordinal))
            {
                return known;
            }
        }

        return value;
    }

    /// <summary>One instance per namespace name, for the entries that outlive their parse (bounded: past the bound,
    /// namespaces are kept as read).</summary>
    private static class Namespaces
    {
        private const int Bound = 4096;
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Seen = new(StringComparer.Ordinal);

        public static string Shared(string ns) =>
            Seen.TryGetValue(ns, out string? shared) ? shared : Seen.Count < Bound ? Seen.GetOrAdd(ns, ns) : ns;
    }

    private static void CheckEnum(string path, string? value, IReadOnlyList<string> allowed, List<Problem> problems)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            string expected = string.Join(", ", allowed.Take(allowed.Count - 1)) + " or " + allowed[^1];
            problems.Add(new(path, value, $"unknown value '{value}' (expected {expected})"));
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339Pattern();
}
