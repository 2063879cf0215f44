using MeshDns.Resolver;
using MeshDns.Table;
using MeshDns.Tests.Support;
using MeshDns.Wire;

namespace MeshDns.Tests.Resolver;

/// <summary>
/// The behaviour table: (table, zones, qname, qtype) → rcode, AA, answers, authority. Answers are
/// rendered as "TYPE data" in order (round robin off); SOA data shows mname and rname only.
/// </summary>
public class BehaviourTableTests
{
    private const ushort MX = 15;
    private const ushort TXT = DnsType.TXT;

    public static TheoryData<string, string, string, ushort, string, bool, string, string> Cases() => new()
    {
        // table, zones, qname, qtype, rcode, AA, answers, authority
        { "main", "", "service1.test.global", DnsType.A, "NOERROR", true, "A 127.255.0.2", "" },
        { "main", "", "service2.test.global", DnsType.A, "NOERROR", true, "A 127.255.0.2", "" },
        { "main", "", "a.b.test.global", DnsType.A, "NOERROR", true, "A 127.255.0.2", "" },
        { "main", "", "exact.test.global", DnsType.A, "NOERROR", true, "A 10.0.0.1", "" },
        { "main", "", "EXACT.Test.GLOBAL", DnsType.A, "NOERROR", true, "A 10.0.0.1", "" },
        { "main", "", "sub.exact.test.global", DnsType.A, "NOERROR", true, "A 127.255.0.2", "" },
        { "main", "", "test.global", DnsType.A, "NOERROR", true, "", "" },
        { "main", "", "global", DnsType.A, "NOERROR", true, "", "" },
        { "main", "", "foo.global", DnsType.A, "NOERROR", true, "", "" },
        { "main", "", "svc.foo.global", DnsType.A, "NOERROR", true, "A 10.0.0.3", "" },
        { "main", "", "x.svc.foo.global", DnsType.A, "NXDOMAIN", true, "", "" },
        { "main", "", "exact.test.global", DnsType.AAAA, "NOERROR", true, "", "" },
        { "main", "", "service1.test.global", DnsType.AAAA, "NOERROR", true, "", "" },
        { "main", "", "exact.test.global", MX, "NOERROR", true, "", "" },
        { "main", "", "exact.test.global", TXT, "NOERROR", true, "", "" },
        { "main", "", "dual.global", DnsType.A, "NOERROR", true, "A 10.0.0.2", "" },
        { "main", "", "dual.global", DnsType.AAAA, "NOERROR", true, "AAAA 2001:db8::2", "" },
        { "main", "", "dual.global", DnsType.ANY, "NOERROR", true, "A 10.0.0.2,AAAA 2001:db8::2", "" },
        { "main", "", "v6only.global", DnsType.A, "NOERROR", true, "", "" },
        { "main", "", "v6only.global", DnsType.AAAA, "NOERROR", true, "AAAA 2001:db8::6", "" },
        { "main", "", "multi.global", DnsType.A, "NOERROR", true, "A 10.1.0.1,A 10.1.0.2,A 10.1.0.3", "" },
        { "main", "", "cidr.global", DnsType.A, "NOERROR", true, "A 10.2.0.1", "" },
        { "main", "", "cidr.global", DnsType.AAAA, "NOERROR", true, "AAAA 2001:db8::7", "" },
        { "main", "", "status.global", DnsType.A, "NOERROR", true, "A 240.240.0.5", "" },
        { "main", "", "statushost.global", DnsType.A, "NOERROR", true, "A 240.240.0.6", "" },
        { "main", "", "other.global", DnsType.A, "NXDOMAIN", true, "", "" },
        { "main", "", "none.global", DnsType.A, "NXDOMAIN", true, "", "" },
        { "main", "", "nores.global", DnsType.A, "NXDOMAIN", true, "", "" },
        { "main", "", "mixed.global", DnsType.A, "NOERROR", true, "A 10.5.0.1", "" },
        { "main", "", "MIXED.GLOBAL", DnsType.A, "NOERROR", true, "A 10.5.0.1", "" },
        { "main", "", "nodefault.global", DnsType.A, "NXDOMAIN", true, "", "" },
        { "main", "", "good.global", DnsType.A, "NOERROR", true, "A 10.6.0.1", "" },
        { "main", "", "unknown.global", DnsType.A, "NXDOMAIN", true, "", "" },
        { "main", "", "svc.example.com", DnsType.A, "NOERROR", true, "A 10.7.0.1", "" },
        { "main", "", "www.example.org", DnsType.A, "NXDOMAIN", true, "", "" },
        { "main", "", "global", DnsType.SOA, "NOERROR", true, "", "" },

        // With a zone: authority, SOA on negative answers, REFUSED outside.
        { "main", "global", "service1.test.global", DnsType.A, "NOERROR", true, "A 127.255.0.2", "" },
        { "main", "global", "exact.test.global", DnsType.AAAA, "NOERROR", true, "", "SOA ns.global. hostmaster.global." },
        { "main", "global", "test.global", DnsType.A, "NOERROR", true, "", "SOA ns.global. hostmaster.global." },
        { "main", "global", "unknown.global", DnsType.A, "NXDOMAIN", true, "", "SOA ns.global. hostmaster.global." },
        { "main", "global", "global", DnsType.SOA, "NOERROR", true, "SOA ns.global. hostmaster.global.", "" },
        { "main", "global", "global", DnsType.NS, "NOERROR", true, "NS ns.global.", "" },
        // Names written after the question point into it, so they take the question's case.
        { "main", "global", "GLOBAL", DnsType.NS, "NOERROR", true, "NS ns.GLOBAL.", "" },
        { "main", "global", "global", DnsType.A, "NOERROR", true, "", "SOA ns.global. hostmaster.global." },
        { "main", "global", "global", DnsType.ANY, "NOERROR", true, "SOA ns.global. hostmaster.global.,NS ns.global.", "" },
        { "main", "global", "svc.example.com", DnsType.A, "REFUSED", false, "", "" },
        { "main", "global", "www.example.org", DnsType.A, "REFUSED", false, "", "" },
        { "main", "global", "test.global", DnsType.SOA, "NOERROR", true, "", "SOA ns.global. hostmaster.global." },
        { "main", "foo.global,global", "x.foo.global", DnsType.A, "NXDOMAIN", true, "", "SOA ns.foo.global. hostmaster.foo.global." },
        { "main", "test.global,global", "x.test.global", DnsType.A, "NOERROR", true, "A 127.255.0.2", "" },
        { "main", "global,example.com", "nothing.example.com", DnsType.A, "NXDOMAIN", true, "", "SOA ns.example.com. hostmaster.example.com." },

        // `*.global`: the original's walk stopped before it.
        { "global-wildcard", "", "x.global", DnsType.A, "NOERROR", true, "A 10.9.9.9", "" },
        { "global-wildcard", "", "a.b.global", DnsType.A, "NOERROR", true, "A 10.9.0.1", "" },
        { "global-wildcard", "", "c.a.b.global", DnsType.A, "NOERROR", true, "A 10.9.9.9", "" },
        { "global-wildcard", "", "b.global", DnsType.A, "NOERROR", true, "A 10.9.9.9", "" },
        { "global-wildcard", "", "global", DnsType.A, "NOERROR", true, "", "" },
        { "global-wildcard", "global", "global", DnsType.A, "NOERROR", true, "", "SOA ns.global. hostmaster.global." },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Answers(string table, string zones, string qname, ushort qtype, string rcode, bool authoritative, string answers, string authority)
    {
        NameTable names = Fixtures.Table(table == "main" ? Fixtures.Main : Fixtures.GlobalWildcard);
        var options = new ResolverOptions { RoundRobin = false, Zones = zones.Split(',', StringSplitOptions.RemoveEmptyEntries) };
        DnsResolver resolver = Fixtures.Resolver(names, options);

        DecodedMessage response = Fixtures.Ask(resolver, Query.For(qname, qtype));

        Assert.Equal(rcode, RcodeName(response.Rcode));
        Assert.Equal(authoritative, response.Header.Authoritative);
        Assert.Equal(answers, Render(response.Answers));
        Assert.Equal(authority, Render(response.Authority));
        if (rcode != "FORMERR")
        {
            Assert.Single(response.Questions);
            Assert.Equal(qname + ".", response.Questions[0].Name);
            Assert.All(response.Answers.Where(a => a.Type is DnsType.A or DnsType.AAAA), a => Assert.Equal(qname + ".", a.Name));
        }
    }

    internal static string Render(IReadOnlyList<DecodedRecord> records) =>
        string.Join(",", records.Select(r => r.Type switch
        {
            DnsType.A => $"A {r.Data}",
            DnsType.AAAA => $"AAAA {r.Data}",
            DnsType.NS => $"NS {r.Data}",
            DnsType.PTR => $"PTR {r.Data}",
            DnsType.SRV => $"SRV {r.Data}",
            DnsType.SOA => "SOA " + string.Join(' ', r.Data.Split(' ').Take(2)),
            _ => $"{r.Type} {r.Data}",
        }));

    internal static string RcodeName(int rcode) => rcode switch
    {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        16 => "BADVERS",
        _ => rcode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
