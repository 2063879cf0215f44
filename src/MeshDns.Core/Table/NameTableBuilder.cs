using System.Net;

namespace MeshDns.Table;

/// <summary>What the table skipped in one ServiceEntry (the rest is served); logged once per entry, each value as
/// <c>spec.addresses[1] "10.1.1.300": not an IP address or CIDR</c>.</summary>
public sealed record TableWarning(string ServiceEntry, IReadOnlyList<Problem> Problems)
{
    public string Message => string.Join("; ", Problems.Select(p => $"{p.Path} \"{p.Value}\": {p.Reason}"));
}

/// <summary>A table, the warnings of the entries worked on for it, and the hosts whose records changed since the last.</summary>
public sealed record TableBuildResult(NameTable Table, IReadOnlyList<TableWarning> Warnings, IReadOnlyList<HostChange> Changes);

/// <summary>Istio's rules for what a ServiceEntry serves: resolution NONE (or absent) is skipped; IPs and /32 or /128 CIDRs
/// of spec.addresses are served, else status.addresses, else the default address; the same host in several entries merges
/// their addresses, oldest entry first (<see cref="TableModel"/> does the merging).</summary>
public static class NameTableBuilder
{
    /// <summary>A table from scratch: a <see cref="TableModel"/> given one snapshot.</summary>
    public static TableBuildResult Build(IEnumerable<ServiceEntryInput> serviceEntries, TableOptions options, uint previousSerial)
    {
        var model = new TableModel(options, previousSerial);
        model.Replace(string.Empty, serviceEntries);
        return model.Build();
    }

    /// <summary>Istio defaults an absent resolution to NONE, and the original plugin skipped NONE.</summary>
    internal static bool IsServed(string? resolution) =>
        !string.IsNullOrEmpty(resolution) && !resolution.Equals("NONE", StringComparison.OrdinalIgnoreCase);

    /// <summary>The per-entry work (does not depend on other entries): served hosts with their addresses, and the ports.</summary>
    internal static PreparedEntry Prepare(ServiceEntryInput entry, TableOptions options)
    {
        var problems = new List<Problem>();
        var validHosts = new List<string>();
        IReadOnlyList<string> hostTexts = entry.Hosts ?? [];
        for (int i = 0; i < hostTexts.Count; i++)
        {
            string? normalized = HostNames.Normalize(hostTexts[i]);
            if (normalized is null)
            {
                problems.Add(new Problem($"spec.hosts[{i}]", hostTexts[i], "invalid host"));
            }
            else if (!validHosts.Contains(normalized))
            {
                validHosts.Add(normalized);
            }
        }

        IPAddress[] spec = [.. Parse(entry.Addresses ?? [], a => (a, null), i => $"spec.addresses[{i}]", problems).Select(a => a.Address)];
        (IPAddress Address, string? Host)[] status = Parse(
            entry.StatusAddresses ?? [], s => (s.Value, s.Host), i => $"status.addresses[{i}].value", problems);
        var hosts = new List<(string, IPAddress[])>(validHosts.Count);
        foreach (string host in validHosts)
        {
            IPAddress[] addresses = spec.Length > 0 ? spec : StatusOrDefault(status, host, options);
            if (addresses.Length > 0)
            {
                hosts.Add((host, addresses));
            }
        }

        SrvPort[] ports = ServedPorts.Parse(entry.Ports ?? [], problems);
        TableWarning? warning = problems.Count > 0 ? new TableWarning(entry.Id, problems) : null;
        return new PreparedEntry([.. hosts], ports, warning);
    }

    /// <summary>Addresses parsed once per entry, each with its host normalised (null: every host).</summary>
    private static (IPAddress Address, string? Host)[] Parse<T>(
        IReadOnlyList<T> items, Func<T, (string? Value, string? Host)> read, Func<int, string> path, List<Problem> problems)
    {
        var found = new List<(IPAddress, string?)>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            (string? value, string? host) = read(items[i]);
            if (ServedAddresses.TryParse(value, out IPAddress? ip, out string? reason))
            {
                found.Add((ip, string.IsNullOrEmpty(host) ? null : HostNames.Normalize(host) ?? string.Empty));
            }
            else
            {
                problems.Add(new Problem(path(i), value, reason));
            }
        }

        return [.. found];
    }

    private static IPAddress[] StatusOrDefault((IPAddress Address, string? Host)[] status, string host, TableOptions options)
    {
        IPAddress[] found = [.. status.Where(s => s.Host is null || s.Host == host).Select(s => s.Address)];
        return found.Length == 0 && options.DefaultAddress is not null ? [options.DefaultAddress] : found;
    }
}

internal sealed record PreparedEntry((string Host, IPAddress[] Addresses)[] Hosts, SrvPort[] Ports, TableWarning? Warning);
