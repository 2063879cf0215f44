using System.Net;
using MeshDns.Table;
using MeshDns.Tests.Support;
using MeshDns.Wire;

namespace MeshDns.Tests.Table;

public class NameTableTests
{
    private static MatchKind Kind(NameTable table, string name) => table.Lookup(Query.EncodeName(name.ToLowerInvariant())).Kind;

    [Theory]
    [InlineData("x.test.global", MatchKind.Wildcard)]
    [InlineData("a.b.c.test.global", MatchKind.Wildcard)]
    [InlineData("test.global", MatchKind.EmptyNonTerminal)]
    [InlineData("exact.test.global", MatchKind.Host)]
    [InlineData("sub.exact.test.global", MatchKind.Wildcard)]
    [InlineData("global", MatchKind.EmptyNonTerminal)]
    [InlineData("foo.global", MatchKind.EmptyNonTerminal)]
    [InlineData("nothing.global", MatchKind.None)]
    [InlineData("com", MatchKind.EmptyNonTerminal)]
    [InlineData("org", MatchKind.None)]
    public void Lookup_follows_istio_host_matching(string name, MatchKind expected)
    {
        Assert.Equal(expected, Kind(Fixtures.Table(Fixtures.Main), name));
    }

    [Fact]
    public void Longest_wildcard_wins()
    {
        NameTable table = Fixtures.Table(
        [
            Fixtures.Se("short", ["*.global"], ["10.0.0.1"]),
            Fixtures.Se("long", ["*.b.global"], ["10.0.0.2"]),
            Fixtures.Se("longer", ["*.a.b.global"], ["10.0.0.3"]),
        ]);
        Assert.Equal("10.0.0.3", Address(table, "x.a.b.global"));
        Assert.Equal("10.0.0.3", Address(table, "y.x.a.b.global"));
        Assert.Equal("10.0.0.2", Address(table, "a.b.global")); // the suffix itself is not matched by *.a.b.global
        Assert.Equal("10.0.0.1", Address(table, "b.global"));
        Assert.Equal(MatchKind.EmptyNonTerminal, Kind(table, "global"));
    }

    [Fact]
    public void Duplicate_hosts_merge_oldest_first_then_by_namespace_and_name()
    {
        NameTable table = Fixtures.Table(
        [
            Fixtures.Se("z", ["dup.global"], ["10.0.0.3", "10.0.0.1"], ageRank: 5),
            Fixtures.Se("b", ["dup.global"], ["10.0.0.2"], ageRank: 1, ns: "ns2"),
            Fixtures.Se("a", ["dup.global"], ["10.0.0.1", "2001:db8::1"], ageRank: 1, ns: "ns2"),
            Fixtures.Se("a", ["DUP.global."], ["10.0.0.4"], ageRank: 1, ns: "ns1"),
        ]);
        HostRecord host = Assert.Single(table.Hosts);
        Assert.Equal("dup.global", host.Host);
        Assert.Equal(["10.0.0.4", "10.0.0.1", "2001:db8::1", "10.0.0.2", "10.0.0.3"], host.Addresses.Select(a => a.ToString()));
        Assert.Equal(["ns1/a", "ns2/a", "ns2/b", "istio-system/z"], host.Sources);
        Assert.Equal(4, table.ServiceEntryCount);
    }

    [Fact]
    public void Bad_hosts_and_addresses_are_skipped_with_one_warning_per_entry()
    {
        TableBuildResult result = NameTableBuilder.Build(Fixtures.Main, new TableOptions(), 0);
        Assert.Equal(2, result.Warnings.Count);
        TableWarning cidr = result.Warnings.Single(w => w.ServiceEntry == "istio-system/cidr");
        Assert.Contains("\"10.3.0.0/16\"", cidr.Message, StringComparison.Ordinal);
        Assert.Contains("\"bogus\"", cidr.Message, StringComparison.Ordinal);
        TableWarning hosts = result.Warnings.Single(w => w.ServiceEntry == "istio-system/bad-hosts");
        foreach (string bad in new[] { "\"\"", "\"*\"", "\"bad..global\"", "\"-bad.global\"", "\"a.*.global\"" })
        {
            Assert.Contains(bad, hosts.Message, StringComparison.Ordinal);
        }

        Assert.Contains(result.Table.Hosts, h => h.Host == "good.global");
    }

    [Fact]
    public void A_bad_status_address_is_skipped_alone_with_its_path_and_value()
    {
        TableBuildResult result = NameTableBuilder.Build(
            [new ServiceEntryInput("ns", "auto", null, ["auto.global"], [], "DNS", [new StatusAddress("240.240.0.300", null), new StatusAddress("240.240.0.1", null)])],
            new TableOptions(),
            0);

        Assert.Equal(["240.240.0.1"], Assert.Single(result.Table.Hosts).Addresses.Select(a => a.ToString()));
        TableWarning warning = Assert.Single(result.Warnings);
        Assert.Equal("ns/auto", warning.ServiceEntry);
        Assert.Equal("status.addresses[0].value \"240.240.0.300\": not an IP address or CIDR", warning.Message);
    }

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("10.0.0.1/32", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("2001:db8::1/128", true)]
    [InlineData(" 10.0.0.1 ", true)]
    [InlineData("10.0.0.0/24", false)]
    [InlineData("2001:db8::/64", false)]
    [InlineData("10.0.0.1/", false)]
    [InlineData("10.0.0.1/x", false)]
    [InlineData("10", false)]
    [InlineData("10.1.1.300", false)]
    [InlineData("[2001:db8::1]", false)]
    [InlineData("::ffff:10.1.1.3", true)]
    [InlineData("::ffff:10.1", false)]
    [InlineData("0x7f.1", false)]
    [InlineData("1.2.3", false)]
    [InlineData("256.1.1.1", false)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("", false)]
    [InlineData("host.example", false)]
    public void Served_addresses(string text, bool served)
    {
        Assert.Equal(served, ServedAddresses.TryParse(text, out _, out _));
    }

    [Theory]
    [InlineData("a.global", "a.global")]
    [InlineData("A.Global.", "a.global")]
    [InlineData("*.global", "*.global")]
    [InlineData("_svc._tcp.global", "_svc._tcp.global")]
    [InlineData("*", null)]
    [InlineData("*.", null)]
    [InlineData("", null)]
    [InlineData("a..b", null)]
    [InlineData("a.*.b", null)]
    [InlineData("*a.b", null)]
    [InlineData("-a.b", null)]
    [InlineData("a-.b", null)]
    [InlineData("a b.c", null)]
    [InlineData("a.b/c", null)]
    public void Host_validation(string host, string? normalized)
    {
        Assert.Equal(normalized, HostNames.Normalize(host));
    }

    [Fact]
    public void Overlong_hosts_are_rejected()
    {
        string label = new('a', 63);
        Assert.NotNull(HostNames.Normalize($"{label}.{label}.{label}.{new string('a', 61)}")); // 253 characters
        Assert.Null(HostNames.Normalize($"{label}.{label}.{label}.{new string('a', 62)}"));
        Assert.Null(HostNames.Normalize(new string('a', 64) + ".global"));
    }

    [Fact]
    public void Builds_100k_service_entries_and_finds_each_host()
    {
        List<ServiceEntryInput> entries = Generate(100_000);
        NameTable table = NameTableBuilder.Build(entries, new TableOptions(), 0).Table;
        Assert.Equal(100_000, table.ServiceEntryCount);
        Assert.Equal(100_000, table.Hosts.Count);
        for (int i = 0; i < 100_000; i += 997)
        {
            string name = i % 10 == 0 ? $"x.wild{i}.ns{i % 50}.global" : $"svc{i}.ns{i % 50}.global";
            Assert.Equal(i % 10 == 0 ? MatchKind.Wildcard : MatchKind.Host, Kind(table, name));
        }

        Assert.Equal(MatchKind.EmptyNonTerminal, Kind(table, "ns7.global"));
        Assert.Equal(MatchKind.None, Kind(table, "svc1.ns2.global"));
    }

    [Fact]
    public void A_big_build_keeps_age_order_in_merged_hosts_and_in_warnings()
    {
        // 10 000 entries, so the per-entry work is spread over the cores; entry i is younger than i + 1, and
        // entries 2p and 2p + 1 share host pair<p>. Every 1000th entry has a bad address (a warning, no host).
        const int Count = 10_000;
        static string AddressOf(int i) => i % 1000 == 3 ? "10.0.0.300" : new IPAddress(0x0A000000u + (uint)i).ToString();
        List<ServiceEntryInput> entries = [.. Enumerable.Range(0, Count).Select(i => Fixtures.Se($"se{i}", [$"pair{i / 2}.global"], [AddressOf(i)], ageRank: Count - i))];

        TableBuildResult result = NameTableBuilder.Build(entries, new TableOptions(), 0);

        int[] bad = [.. Enumerable.Range(0, Count).Where(i => i % 1000 == 3).Reverse()];
        Assert.Equal([.. bad.Select(i => $"istio-system/se{i}")], result.Warnings.Select(w => w.ServiceEntry));
        var byHost = result.Table.Hosts.ToDictionary(h => h.Host);
        for (int p = 0; p < Count / 2; p++)
        {
            string[] expected = [.. new[] { (2 * p) + 1, 2 * p }.Where(i => !bad.Contains(i)).Select(AddressOf)];
            Assert.Equal(expected, byHost[$"pair{p}.global"].Addresses.Select(a => a.ToString()));
        }
    }

    public static List<ServiceEntryInput> Generate(int count) =>
        Enumerable.Range(0, count)
            .Select(i => Fixtures.Se(
                $"se{i}",
                [i % 10 == 0 ? $"*.wild{i}.ns{i % 50}.global" : $"svc{i}.ns{i % 50}.global"],
                [new IPAddress(0x0A000000u + (uint)i).ToString()],
                ageRank: i,
                ns: $"ns{i % 50}"))
            .ToList();

    private static string Address(NameTable table, string name)
    {
        NameMatch match = table.Lookup(Query.EncodeName(name));
        return new IPAddress(table.IPv4(match)[..4]).ToString();
    }
}
