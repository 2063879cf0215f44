using MeshDns.Wire;
using System.Net;
using System.Numerics;

namespace MeshDns.Table;

/// <summary>What the table skipped in one ServiceEntry (the rest is served); logged once per entry, each value as
/// <c>spec.addresses[1] "10.1.1.300": not an IP address or CIDR</c>.</summary>
public sealed record TableWarning(string ServiceEntry, IReadOnlyList<Problem> Problems)
{
    public string Message => string.Join("; ", Problems.Select(p => $"{p.Path} \"{p.Value}\": {p.Reason}"));
}

public sealed record TableBuildResult(NameTable Table, IReadOnlyList<TableWarning> Warnings);

/// <summary>Builds a <see cref="NameTable"/> from ServiceEntries following Istio's rules: resolution NONE (or
/// absent) is skipped; IPs and /32 or /128 CIDRs of spec.addresses are served, else status.addresses,
/// else the default address; the same host in several entries merges their addresses, oldest entry first.</summary>
public static class NameTableBuilder
{
    private const int ParallelFrom = 4096, MaxWorkers = 8; // entries; worker threads

    /// <summary>With a <paramref name="cache"/>, a rebuild after one changed entry redoes only that entry's work.</summary>
    public static TableBuildResult Build(IEnumerable<ServiceEntryInput> serviceEntries, TableOptions options, uint previousSerial,
        TableBuildCache? cache = null)
    {
        var warnings = new List<TableWarning>();
        var hosts = new Dictionary<string, HostAccumulator>(StringComparer.Ordinal);
        var contributing = new HashSet<string>(StringComparer.Ordinal);

        foreach (PreparedEntry? prepared in PrepareAll(Order(serviceEntries), options, cache))
        {
            if (prepared is null)
            {
                continue;
            }

            if (prepared.Warning is not null)
            {
                warnings.Add(prepared.Warning);
            }

            foreach ((string host, IPAddress[] addresses) in prepared.Hosts)
            {
                if (!hosts.TryGetValue(host, out HostAccumulator? accumulator))
                {
                    hosts.Add(host, accumulator = new HostAccumulator(host));
                }

                accumulator.Add(addresses, prepared.Id);
                contributing.Add(prepared.Id);
            }
        }

        uint now = (uint)Math.Clamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 1, uint.MaxValue);
        uint serial = Math.Max(previousSerial + 1, now);
        return new TableBuildResult(Assemble(hosts, serial, contributing.Count), warnings);
    }

    /// <summary>Each served entry's work (null: not served); entries are independent, so a big build (the first one, when
    /// nothing is cached) is spread over the cores.</summary>
    private static PreparedEntry?[] PrepareAll(ServiceEntryInput[] entries, TableOptions options, TableBuildCache? cache)
    {
        var prepared = new PreparedEntry?[entries.Length];
        int workers = entries.Length >= ParallelFrom ? Math.Min(Environment.ProcessorCount, MaxWorkers) : 1;
        void Work(int first)
        {
            for (int i = first; i < entries.Length; i += workers)
            {
                ServiceEntryInput entry = entries[i];
                prepared[i] = !IsServed(entry.Resolution) ? null : cache is null ? Prepare(entry, options) : cache.Get(entry, options, Prepare);
            }
        }

        Task[] others = [.. Enumerable.Range(1, workers - 1).Select(w => Task.Run(() => Work(w)))];
        Work(0);
        Task.WaitAll(others);
        return prepared;
    }

    /// <summary>Oldest creationTimestamp first (unknown last), then namespace/name.</summary>
    private static ServiceEntryInput[] Order(IEnumerable<ServiceEntryInput> entries)
    {
        ServiceEntryInput[] ordered = [.. entries];
        Array.Sort(ordered, static (a, b) =>
        {
            int c = (a.CreationTimestamp ?? DateTimeOffset.MaxValue).CompareTo(b.CreationTimestamp ?? DateTimeOffset.MaxValue);
            c = c != 0 ? c : string.CompareOrdinal(a.Namespace, b.Namespace);
            return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
        });
        return ordered;
    }

    /// <summary>Istio defaults an absent resolution to NONE, and the original plugin skipped NONE.</summary>
    private static bool IsServed(string? resolution) =>
        !string.IsNullOrEmpty(resolution) && !resolution.Equals("NONE", StringComparison.OrdinalIgnoreCase);

    /// <summary>The per-entry work (does not depend on other entries): served hosts with their addresses.</summary>
    private static PreparedEntry Prepare(ServiceEntryInput entry, TableOptions options)
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

        TableWarning? warning = problems.Count > 0 ? new TableWarning(entry.Id, problems) : null;
        return new PreparedEntry(entry.Id, [.. hosts], warning, options.DefaultAddress);
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

    private static NameTable Assemble(Dictionary<string, HostAccumulator> hosts, uint serial, int contributing)
    {
        var table = new Assembly();
        var records = new List<HostRecord>(hosts.Count);
        HostAccumulator[] sorted = [.. hosts.Values];
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Host, b.Host));
        foreach (HostAccumulator host in sorted)
        {
            table.AddHost(host.Host, host.Addresses);
            records.Add(new HostRecord(host.Host, host.Addresses, host.Sources));
        }

        // Ancestors of hosts, and wildcards' suffixes with theirs, exist in DNS: empty non-terminals unless hosts.
        foreach (HostAccumulator host in hosts.Values)
        {
            bool wildcard = host.Host.StartsWith("*.", StringComparison.Ordinal);
            string name = wildcard ? host.Host[2..] : Parent(host.Host);
            while (name.Length > 0 && table.TryAddEmptyNonTerminal(name))
            {
                name = Parent(name);
            }
        }

        return table.Build(serial, contributing, records);
    }

    private sealed class Assembly
    {
        private readonly List<byte> _names = [];
        private readonly List<TableEntry> _entries = [];
        private readonly List<byte> _v4 = [];
        private readonly List<byte> _v6 = [];
        private readonly Dictionary<string, int> _exact = new(StringComparer.Ordinal);
        private readonly List<int> _wildcards = [];

        public void AddHost(string host, IReadOnlyList<IPAddress> addresses)
        {
            bool wildcard = host.StartsWith("*.", StringComparison.Ordinal);
            string bare = wildcard ? host[2..] : host;
            int index = AddEntry(bare, wildcard ? MatchKind.Wildcard : MatchKind.Host);
            TableEntry e = _entries[index];
            Span<byte> octets = stackalloc byte[16];
            foreach (IPAddress ip in addresses)
            {
                ip.TryWriteBytes(octets, out int length);
                if (length == 4)
                {
                    _v4.AddRange(octets[..4]);
                    e.V4Count++;
                }
                else
                {
                    _v6.AddRange(octets[..16]);
                    e.V6Count++;
                }
            }

            _entries[index] = e;
            if (wildcard)
            {
                _wildcards.Add(index);
            }
            else
            {
                _exact[bare] = index;
            }
        }

        /// <summary>False when the name is already there (its ancestors are, or will be, added from it).</summary>
        public bool TryAddEmptyNonTerminal(string name) =>
            !_exact.ContainsKey(name) && _exact.TryAdd(name, AddEntry(name, MatchKind.EmptyNonTerminal));

        public NameTable Build(uint serial, int contributing, List<HostRecord> records)
        {
            TableEntry[] entries = [.. _entries];
            int[] exact = BuildIndex(entries, _exact.Values);
            int[] wildcards = BuildIndex(entries, _wildcards);
            return new NameTable([.. _names], entries, exact, wildcards, [.. _v4], [.. _v6], serial, contributing, records);
        }

        private int AddEntry(string name, MatchKind kind)
        {
            Span<byte> wire = stackalloc byte[DnsName.MaxLength];
            wire = wire[..DnsName.TryEncode(name, wire)];
            _entries.Add(new TableEntry
            {
                NameOffset = _names.Count,
                NameLength = wire.Length,
                Hash = NameTable.Hash(wire),
                Kind = kind,
                V4Start = _v4.Count / 4,
                V6Start = _v6.Count / 16,
            });
            _names.AddRange(wire);
            return _entries.Count - 1;
        }
    }

    private static string Parent(string name)
    {
        int dot = name.IndexOf('.');
        return dot < 0 ? string.Empty : name[(dot + 1)..];
    }

    /// <summary>Open addressing with linear probing at a load factor of at most one half.</summary>
    private static int[] BuildIndex(TableEntry[] entries, IEnumerable<int> members)
    {
        int[] items = members.ToArray();
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, items.Length * 2));
        var buckets = new int[size];
        int mask = size - 1;
        foreach (int index in items)
        {
            int slot = entries[index].Hash & mask;
            while (buckets[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            buckets[slot] = index + 1;
        }

        return buckets;
    }

    /// <summary>Addresses of one host across entries: first-seen order, duplicates dropped.</summary>
    private sealed class HostAccumulator(string host)
    {
        private HashSet<IPAddress>? _seen; // only needed once a second entry adds to the host

        public string Host { get; } = host;
        public List<IPAddress> Addresses { get; } = [];
        public List<string> Sources { get; } = [];

        public void Add(IPAddress[] addresses, string source)
        {
            if (Sources.Count == 0 && (addresses.Length == 1 || addresses.Distinct().Count() == addresses.Length))
            {
                Addresses.AddRange(addresses);
            }
            else
            {
                _seen ??= [.. Addresses];
                foreach (IPAddress ip in addresses)
                {
                    if (_seen.Add(ip))
                    {
                        Addresses.Add(ip);
                    }
                }
            }

            Sources.Add(source);
        }
    }
}

internal sealed record PreparedEntry(string Id, (string Host, IPAddress[] Addresses)[] Hosts, TableWarning? Warning, IPAddress? DefaultAddress);

/// <summary>Per-entry work of earlier builds, weakly keyed by <see cref="ServiceEntryInput"/> instance: sources keep
/// unchanged entries' instances, so a rebuild after one event redoes one entry. One builder at a time.</summary>
public sealed class TableBuildCache
{
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ServiceEntryInput, PreparedEntry> _entries = [];

    internal PreparedEntry Get(ServiceEntryInput entry, TableOptions options, Func<ServiceEntryInput, TableOptions, PreparedEntry> prepare)
    {
        if (!_entries.TryGetValue(entry, out PreparedEntry? prepared) || !Equals(prepared.DefaultAddress, options.DefaultAddress))
        {
            prepared = prepare(entry, options);
            _entries.AddOrUpdate(entry, prepared);
        }

        return prepared;
    }
}
