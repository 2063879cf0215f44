using System.Net;
using MeshDns.Table;
using MeshDns.Tests.Support;
using Xunit.Abstractions;

namespace MeshDns.Tests.Table;

/// <summary>Model-based: random add/update/delete sequences applied one change at a time give the same table as one built
/// from scratch (addresses, named ports, and the PTRs of every served address), and the changes reported are exactly the
/// difference between consecutive tables.</summary>
public sealed class TableModelTests(ITestOutputHelper output)
{
    private const int Seed = 20261130;
    private static readonly string[] Labels = ["a", "b", "svc", "db"];
    private static readonly string[] Zones = ["global", "x.global", "mesh.local"];
    private static readonly string[] Sources = ["files", "kubernetes"];
    private static readonly string?[] PortNames = ["http", "grpc", "HTTP", null, "bad.name"];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)] // with zones: reverse names only inside the reverse zones
    public void Random_changes_give_the_table_built_from_scratch(int round)
    {
        TableOptions options = round == 3 ? WithZones : new TableOptions(IPAddress.Parse("240.240.0.1"));
        var random = new Random(Seed + round);
        output.WriteLine($"seed {Seed + round}");
        var model = new TableModel(options);
        model.Replace("padding", Padding); // many shards, so a change that misses one shows
        var current = Sources.ToDictionary(s => s, _ => new Dictionary<string, ServiceEntryInput>());
        IReadOnlyList<HostRecord> before = [];
        for (int step = 0; step < 400; step++)
        {
            string source = Sources[random.Next(Sources.Length)];
            Dictionary<string, ServiceEntryInput> entries = current[source];
            if (random.Next(10) == 0)
            {
                // A whole snapshot: some kept (same instances), some changed, some dropped, some new.
                foreach (string id in entries.Keys.Where(_ => random.Next(3) == 0).ToList())
                {
                    entries.Remove(id);
                }

                for (int n = random.Next(4); n > 0; n--)
                {
                    ServiceEntryInput entry = RandomEntry(random, source);
                    entries[entry.Id] = entry;
                }

                model.Replace(source, entries.Values.ToList());
            }
            else
            {
                ServiceEntryInput entry = RandomEntry(random, source);
                bool delete = entries.ContainsKey(entry.Id) && random.Next(3) == 0;
                if (delete)
                {
                    entries.Remove(entry.Id);
                }
                else
                {
                    entries[entry.Id] = entry;
                }

                model.Apply(source, [new(entry.Id, delete ? null : entry)]);
            }

            TableBuildResult incremental = model.Build();
            TableBuildResult scratch = NameTableBuilder.Build(current.Values.SelectMany(e => e.Values), options, 0);
            AssertSame(scratch.Table, incremental.Table, $"step {step}", padding: Padding.Count, zones: options.Zones);
            IReadOnlyList<HostRecord> after = [.. incremental.Table.Hosts.Where(h => !h.Host.EndsWith(".pad", StringComparison.Ordinal))];
            AssertChanges(before, after, step == 0 ? [.. incremental.Changes.Where(c => !c.Host.EndsWith(".pad", StringComparison.Ordinal))] : incremental.Changes);
            before = after;
        }
    }

    [Fact]
    public void Shards_follow_the_table_as_it_grows_and_shrinks()
    {
        // 20 000 hosts make many shards; removing most of them goes back to few. Every step still answers right.
        var model = new TableModel(new TableOptions());
        List<ServiceEntryInput> entries = NameTableTests.Generate(20_000);
        model.Replace("files", entries);
        NameTable big = model.Build().Table;
        AssertSame(NameTableBuilder.Build(entries, new TableOptions(), 0).Table, big, "grown", byRules: false);
        model.Replace("files", entries.Take(300).ToList());
        TableBuildResult small = model.Build();
        Assert.Equal(19_700, small.Changes.Count(c => c.After is null));
        AssertSame(NameTableBuilder.Build(entries.Take(300), new TableOptions(), 0).Table, small.Table, "shrunk");
    }

    /// <summary>Hosts, their addresses and sources, the counts, and the answer to every name the test could ask.</summary>
    /// <summary><paramref name="padding"/>: entries under .pad in <paramref name="actual"/> only, one host each.</summary>
    private static void AssertSame(NameTable expected, NameTable actual, string when, bool byRules = true, int padding = 0, IReadOnlyList<string>? zones = null)
    {
        IEnumerable<HostRecord> hosts = actual.Hosts.Where(h => padding == 0 || !h.Host.EndsWith(".pad", StringComparison.Ordinal));
        Assert.True(expected.Hosts.Select(Describe).SequenceEqual(hosts.Select(Describe)), $"{when}: hosts differ");
        Assert.Equal(expected.HostCount, actual.HostCount - padding);
        Assert.Equal(expected.ServiceEntryCount, actual.ServiceEntryCount - padding);
        foreach (string name in Names(expected.Hosts))
        {
            byte[] wire = Query.EncodeName(name);
            NameMatch e = expected.Lookup(wire), a = actual.Lookup(wire);
            Assert.True(e.Kind == a.Kind, $"{when}: {name} is {a.Kind}, expected {e.Kind}");
            Assert.True(!byRules || Expected(expected.Hosts, name) == a.Kind, $"{when}: {name} is {a.Kind} by the hosts' rules");
            Assert.True(expected.IPv4(e).SequenceEqual(actual.IPv4(a)) && expected.IPv6(e).SequenceEqual(actual.IPv6(a)), $"{when}: {name} addresses");
            Assert.True(Ports(expected, e).SequenceEqual(Ports(actual, a)), $"{when}: {name} ports");
            Assert.True(!byRules || a.Kind is not (MatchKind.Host or MatchKind.Wildcard) || Ports(actual, a).SequenceEqual(PortsByRules(expected.Hosts, name)), $"{when}: {name} ports by the hosts' rules");
        }

        foreach ((string reverse, string[] targets) in Reverse(expected.Hosts, zones))
        {
            byte[] wire = Query.EncodeName(reverse);
            NameMatch e = expected.Lookup(wire), a = actual.Lookup(wire);
            Assert.True(e.Kind == a.Kind, $"{when}: {reverse} is {a.Kind}, expected {e.Kind}");
            Assert.Equal(targets, Ptrs(actual, a));
            Assert.Equal(targets, Ptrs(expected, e));
        }
    }

    /// <summary>Every address of a served host with the exact hosts serving it (PTR targets by the rules: name order, at
    /// most <see cref="ReverseNames.MaxTargets"/>, none outside the zones), and an address no exact host serves.</summary>
    private static IEnumerable<(string Reverse, string[] Targets)> Reverse(IReadOnlyList<HostRecord> hosts, IReadOnlyList<string>? zones)
    {
        ILookup<IPAddress, string> exact = hosts.Where(h => !h.Host.StartsWith('*'))
            .SelectMany(h => h.Addresses.Select(ip => (ip, h.Host))).ToLookup(x => x.ip, x => x.Host + ".");
        return hosts.SelectMany(h => h.Addresses).Append(IPAddress.Parse("10.255.0.1")).Distinct().Select(ip => (Reverse: ReverseNames.Of(ip), ip))
            .Select(r => (r.Reverse, ReverseNames.IsInside(r.Reverse, zones) ? exact[r.ip].Order(StringComparer.Ordinal).Take(ReverseNames.MaxTargets).ToArray() : []));
    }

    private static string[] Ptrs(NameTable table, NameMatch match) =>
        [.. Enumerable.Range(0, table.PtrCount(match)).Select(i => MessageName(table.Ptr(match, i)))];

    private static string MessageName(ReadOnlySpan<byte> wire)
    {
        Assert.True(MeshDns.Wire.DnsName.TryCreate(wire, out MeshDns.Wire.DnsName name));
        return name.ToString();
    }

    /// <summary>TCP then UDP port numbers of a match (any port name).</summary>
    private static ushort[] Ports(NameTable table, NameMatch match)
    {
        Span<ushort> numbers = stackalloc ushort[256];
        int tcp = table.FindPorts(match, default, udp: false, numbers);
        int udp = table.FindPorts(match, default, udp: true, numbers[tcp..]);
        return numbers[..(tcp + udp)].ToArray();
    }

    /// <summary>The ports of the host record that serves a name (exact, else the longest wildcard), read off the hosts.</summary>
    private static ushort[] PortsByRules(IReadOnlyList<HostRecord> hosts, string name)
    {
        HostRecord? host = hosts.FirstOrDefault(h => h.Host == name)
            ?? hosts.Where(h => h.Host.StartsWith("*.", StringComparison.Ordinal) && name.EndsWith(h.Host[1..], StringComparison.Ordinal)).MaxBy(h => h.Host.Length);
        return [.. (host?.Ports ?? []).Where(p => !p.Udp).Concat((host?.Ports ?? []).Where(p => p.Udp)).Select(p => p.Number)];
    }

    /// <summary>Each host, each of its ancestors, and a name under each (for wildcards and NXDOMAIN).</summary>
    private static IEnumerable<string> Names(IReadOnlyList<HostRecord> hosts)
    {
        var names = new HashSet<string>(Zones.Select(z => "nothing." + z));
        foreach (HostRecord host in hosts)
        {
            for (string name = host.Host.TrimStart('*', '.'); name.Length > 0; name = name.Contains('.') ? name[(name.IndexOf('.') + 1)..] : "")
            {
                names.Add(name);
                names.Add("q." + name);
            }
        }

        return names;
    }

    /// <summary>The matching rules, read off the hosts alone (no shards, no counters).</summary>
    private static MatchKind Expected(IReadOnlyList<HostRecord> hosts, string name)
    {
        if (hosts.Any(h => h.Host == name))
        {
            return MatchKind.Host;
        }

        if (hosts.Any(h => h.Host.StartsWith("*.", StringComparison.Ordinal) && name.EndsWith(h.Host[1..], StringComparison.Ordinal)))
        {
            return MatchKind.Wildcard;
        }

        bool below = hosts.Any(h => h.Host.StartsWith("*.", StringComparison.Ordinal)
            ? h.Host[2..] == name || h.Host.EndsWith("." + name, StringComparison.Ordinal)
            : h.Host.EndsWith("." + name, StringComparison.Ordinal));
        return below ? MatchKind.EmptyNonTerminal : MatchKind.None;
    }

    private static void AssertChanges(IReadOnlyList<HostRecord> before, IReadOnlyList<HostRecord> after, IReadOnlyList<HostChange> changes)
    {
        var old = before.ToDictionary(h => h.Host);
        var now = after.ToDictionary(h => h.Host);
        string[] expected = [.. old.Keys.Union(now.Keys).Order(StringComparer.Ordinal)
            .Where(h => !old.TryGetValue(h, out HostRecord? b) || !now.TryGetValue(h, out HostRecord? a) || !b.Addresses.SequenceEqual(a.Addresses) || !b.Ports.SequenceEqual(a.Ports))];
        Assert.Equal(expected, changes.Select(c => c.Host));
        Assert.All(changes, c => Assert.True(c.Before == old.GetValueOrDefault(c.Host) && c.After == now.GetValueOrDefault(c.Host), c.Host));
    }

    /// <summary>The zones the resolver would have: PTRs only for 10.0.0.x and IPv6 addresses, none for the rest.</summary>
    private static readonly TableOptions WithZones = new(IPAddress.Parse("240.240.0.1")) { Zones = ["global", "x.global", "mesh.local", "0.0.10.in-addr.arpa", "ip6.arpa"] };

    private static readonly List<ServiceEntryInput> Padding =
        [.. Enumerable.Range(0, 4000).Select(i => Fixtures.Se($"p{i}", [$"p{i}.pad"], [new IPAddress(0x0B000000u + (uint)i).ToString()], ns: "padding"))];

    private static string Describe(HostRecord h) => $"{h.Host} [{string.Join(' ', h.Addresses)}] ({string.Join(' ', h.Ports)}) <{string.Join(' ', h.Sources)}>";

    /// <summary>A small universe (few names, namespaces and addresses) so hosts collide, merge, nest and come back.</summary>
    private static ServiceEntryInput RandomEntry(Random random, string source)
    {
        string Host()
        {
            string zone = Zones[random.Next(Zones.Length)];
            string name = random.Next(3) == 0 ? $"{Labels[random.Next(Labels.Length)]}.{Labels[random.Next(Labels.Length)]}.{zone}" : $"{Labels[random.Next(Labels.Length)]}.{zone}";
            return random.Next(5) == 0 ? "*." + name : random.Next(8) == 0 ? name.ToUpperInvariant() : name;
        }

        string Address() => random.Next(10) switch
        {
            0 => "2001:db8::" + random.Next(4).ToString("x"),
            1 => "not-an-address",
            2 => "10.9.0.0/16",
            _ => $"10.0.0.{random.Next(6)}",
        };

        string[] hosts = [.. Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Host())];
        string[] addresses = [.. Enumerable.Range(0, random.Next(4)).Select(_ => Address())];
        StatusAddress[] status = random.Next(4) == 0 ? [new StatusAddress($"240.240.1.{random.Next(3)}", random.Next(2) == 0 ? null : hosts[0])] : [];
        string? resolution = random.Next(8) switch { 0 => "NONE", 1 => null, 2 => "DNS", _ => "STATIC" };
        ServicePort[] ports = [.. Enumerable.Range(0, random.Next(3)).Select(_ => new ServicePort(
            PortNames[random.Next(PortNames.Length)], 80 + random.Next(3), random.Next(3) == 0 ? "UDP" : random.Next(2) == 0 ? "HTTP" : null))];
        return Fixtures.Se($"se{random.Next(12)}", hosts, addresses, resolution, ageRank: random.Next(4), ns: $"{source}-ns{random.Next(2)}", status: status, ports: ports);
    }
}
