using MeshDns.Resolver;
using MeshDns.Table;
using MeshDns.Tests.Support;
using MeshDns.Wire;

namespace MeshDns.Tests.Resolver;

/// <summary>
/// The SRV and PTR table: (zones, qname, qtype) → rcode, answers, authority, additional over <see cref="Fixtures.Services"/>.
/// Records render as in <see cref="BehaviourTableTests"/>: SRV as "SRV priority weight port target", PTR as "PTR target".
/// </summary>
public class ServiceAnswerTests
{
    private const string V6Reverse = "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
    private const string SoaReverse = "SOA ns.10.10.in-addr.arpa. hostmaster.10.10.in-addr.arpa.";

    public static TheoryData<string, string, ushort, string, string, string, string> Cases() => new()
    {
        // zones, qname, qtype, rcode, answers, authority, additional
        // Ports of one name and protocol merge over the entries of the host: one SRV per distinct port, equal weights.
        { "", "_http._tcp.web.global", DnsType.SRV, "NOERROR", "SRV 0 50 80 web.global.,SRV 0 50 8080 web.global.", "", "A 10.10.0.1,A 10.10.0.2,AAAA 2001:db8::10" },
        { "", "_HTTP._Tcp.WEB.global", DnsType.SRV, "NOERROR", "SRV 0 50 80 web.global.,SRV 0 50 8080 web.global.", "", "A 10.10.0.1,A 10.10.0.2,AAAA 2001:db8::10" },
        { "", "_grpc._tcp.web.global", DnsType.SRV, "NOERROR", "SRV 0 100 9090 web.global.", "", "A 10.10.0.1,A 10.10.0.2,AAAA 2001:db8::10" },
        { "", "_dns._udp.web.global", DnsType.SRV, "NOERROR", "SRV 0 100 53 web.global.", "", "A 10.10.0.1,A 10.10.0.2,AAAA 2001:db8::10" },
        { "", "_http._tcp.web.global", DnsType.ANY, "NOERROR", "SRV 0 50 80 web.global.,SRV 0 50 8080 web.global.", "", "A 10.10.0.1,A 10.10.0.2,AAAA 2001:db8::10" },
        { "", "_sql._tcp.db.apps.global", DnsType.SRV, "NOERROR", "SRV 0 100 5432 db.apps.global.", "", "A 10.11.0.2" },
        // The rest of the names as today: NODATA for the types a service name lacks and for `_proto.host`, NXDOMAIN else.
        { "", "_http._tcp.web.global", DnsType.A, "NOERROR", "", "", "" },
        { "", "_tcp.web.global", DnsType.SRV, "NOERROR", "", "", "" },
        { "", "_udp.web.global", DnsType.A, "NOERROR", "", "", "" },
        { "", "_dns._tcp.web.global", DnsType.SRV, "NXDOMAIN", "", "", "" },
        { "", "_grpc._udp.web.global", DnsType.SRV, "NXDOMAIN", "", "", "" },
        { "", "_udp.db.apps.global", DnsType.SRV, "NOERROR", "", "", "" }, // under *.apps.global: Istio's matching
        { "", "_udp.shared.global", DnsType.SRV, "NXDOMAIN", "", "", "" },
        { "", "_http._tcp.nothing.global", DnsType.SRV, "NXDOMAIN", "", "", "" },
        { "", "_http._tcp.b.shared.global", DnsType.SRV, "NXDOMAIN", "", "", "" },
        { "", "_bad.name._tcp.web.global", DnsType.SRV, "NXDOMAIN", "", "", "" },
        { "", "web.global", DnsType.SRV, "NOERROR", "", "", "" },
        // Wildcard hosts answer for the names they match; an exact host beats them.
        { "", "_https._tcp.x.apps.global", DnsType.SRV, "NOERROR", "SRV 0 100 443 x.apps.global.", "", "A 10.11.0.1" },
        { "", "_https._tcp.A.b.Apps.global", DnsType.SRV, "NOERROR", "SRV 0 100 443 a.b.apps.global.", "", "A 10.11.0.1" },
        { "", "_https._tcp.db.apps.global", DnsType.SRV, "NOERROR", "", "", "" },
        // PTR: every exact host serving the address, in name order, in the table's case; wildcard-only addresses have none.
        { "", "1.0.10.10.in-addr.arpa", DnsType.PTR, "NOERROR", "PTR web.global.", "", "" },
        { "", "1.0.10.10.IN-ADDR.ARPA", DnsType.PTR, "NOERROR", "PTR web.global.", "", "" },
        { "", "1.0.12.10.in-addr.arpa", DnsType.PTR, "NOERROR", "PTR a.shared.global.,PTR b.shared.global.", "", "" },
        { "", "2.0.11.10.in-addr.arpa", DnsType.PTR, "NOERROR", "PTR db.apps.global.", "", "" },
        { "", "1.0.11.10.in-addr.arpa", DnsType.PTR, "NXDOMAIN", "", "", "" },
        { "", V6Reverse, DnsType.PTR, "NOERROR", "PTR web.global.", "", "" },
        { "", "1.0.10.10.in-addr.arpa", DnsType.A, "NOERROR", "", "", "" },
        { "", "1.0.10.10.in-addr.arpa", DnsType.ANY, "NOERROR", "PTR web.global.", "", "" },
        { "", "0.10.10.in-addr.arpa", DnsType.PTR, "NOERROR", "", "", "" },
        { "", "in-addr.arpa", DnsType.PTR, "NOERROR", "", "", "" },
        { "", "9.9.9.9.in-addr.arpa", DnsType.PTR, "NXDOMAIN", "", "", "" },
        { "", "web.global", DnsType.PTR, "NOERROR", "", "", "" },
        // With zones: reverse names only inside a configured reverse zone.
        { "global", "1.0.10.10.in-addr.arpa", DnsType.PTR, "REFUSED", "", "", "" },
        { "global,10.10.in-addr.arpa", "1.0.10.10.in-addr.arpa", DnsType.PTR, "NOERROR", "PTR web.global.", "", "" },
        { "global,10.10.in-addr.arpa", "9.9.10.10.in-addr.arpa", DnsType.PTR, "NXDOMAIN", "", SoaReverse, "" },
        { "global,10.10.in-addr.arpa", "0.10.10.in-addr.arpa", DnsType.PTR, "NOERROR", "", SoaReverse, "" },
        { "global,10.10.in-addr.arpa", "1.0.12.10.in-addr.arpa", DnsType.PTR, "REFUSED", "", "", "" },
        { "global", "_http._tcp.web.global", DnsType.SRV, "NOERROR", "SRV 0 50 80 web.global.,SRV 0 50 8080 web.global.", "", "A 10.10.0.1,A 10.10.0.2,AAAA 2001:db8::10" },
        { "global", "_tcp.web.global", DnsType.SRV, "NOERROR", "", "SOA ns.global. hostmaster.global.", "" },
        { "global", "_dns._tcp.web.global", DnsType.SRV, "NXDOMAIN", "", "SOA ns.global. hostmaster.global.", "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Answers(string zones, string qname, ushort qtype, string rcode, string answers, string authority, string additional)
    {
        var options = new ResolverOptions { RoundRobin = false, Zones = zones.Split(',', StringSplitOptions.RemoveEmptyEntries) };
        DnsResolver resolver = Fixtures.Resolver(Fixtures.Table(Fixtures.Services), options);

        DecodedMessage response = Fixtures.Ask(resolver, Query.For(qname, qtype));

        Assert.Equal(rcode, BehaviourTableTests.RcodeName(response.Rcode));
        Assert.Equal(answers, BehaviourTableTests.Render(response.Answers));
        Assert.Equal(authority, BehaviourTableTests.Render(response.Authority));
        Assert.Equal(additional, BehaviourTableTests.Render(response.Additional));
        Assert.All(response.Answers, a => Assert.Equal((qname + ".", 30u), (a.Name, a.Ttl)));
        // The target's owner names point into the question, so they take its case (DNS names compare without it).
        Assert.All(response.Additional, a => Assert.Equal((answers.Split(' ').Last(), 30u), (a.Name.ToLowerInvariant(), a.Ttl)));
    }

    [Fact]
    public void Target_addresses_that_do_not_fit_are_left_out_without_TC()
    {
        DnsResolver resolver = Fixtures.Resolver(Fixtures.Table(Fixtures.Services));

        (ResolveResult result, byte[] bytes) = Fixtures.Run(resolver, Query.For("_http._tcp.many.global", DnsType.SRV).ToBytes());
        DecodedMessage response = MessageCodec.Decode(bytes);

        Assert.False(result.Truncated);
        Assert.False(response.Header.Truncated);
        Assert.Equal("SRV 0 100 80 many.global.", BehaviourTableTests.Render(response.Answers));
        Assert.InRange(response.Additional.Count, 10, 99); // some, not all 100, in 512 octets
        Assert.InRange(bytes.Length, 400, DnsResolver.MinimumBufferSize);
    }

    [Fact]
    public void The_SRV_target_is_not_compressed()
    {
        // RFC 2782: the target is written whole even though the question ends with it; the owner names point back.
        DnsResolver resolver = Fixtures.Resolver(Fixtures.Table(Fixtures.Services));
        (_, byte[] bytes) = Fixtures.Run(resolver, Query.For("_grpc._tcp.web.global", DnsType.SRV).ToBytes());

        byte[] rdata = [0, 0, 0, 100, 0x23, 0x82, .. Query.EncodeName("web.global")];
        Assert.True(bytes.AsSpan().IndexOf(rdata) > 0, Convert.ToHexString(bytes));
    }

    [Fact]
    public void An_address_of_many_hosts_has_the_first_PTRs_in_name_order()
    {
        DnsResolver resolver = Fixtures.Resolver(Fixtures.Table(Fixtures.Services));

        DecodedMessage response = Fixtures.Ask(resolver, Query.For("1.0.13.10.in-addr.arpa", DnsType.PTR), DnsTransport.Tcp);

        Assert.Equal(ReverseNames.MaxTargets, response.Answers.Count);
        Assert.Equal(Enumerable.Range(0, ReverseNames.MaxTargets).Select(i => $"c{i:D2}.crowd.global."), response.Answers.Select(a => a.Data));
    }

    [Theory]
    [InlineData("global", "")]
    [InlineData("global,10.10.in-addr.arpa", "1.0.10.10.in-addr.arpa")]
    [InlineData("global,in-addr.arpa", "1.0.10.10.in-addr.arpa,1.0.12.10.in-addr.arpa")]
    [InlineData("global,arpa", "1.0.10.10.in-addr.arpa,1.0.12.10.in-addr.arpa," + V6Reverse)]
    [InlineData("global,ip6.arpa", V6Reverse)]
    public void With_zones_the_table_keeps_only_the_reverse_names_it_can_answer(string zones, string kept)
    {
        // The reverse names outside every zone would only be REFUSED: not keeping them saves the memory.
        NameTable table = NameTableBuilder.Build(Fixtures.Services, new TableOptions { Zones = zones.Split(',') }, 0).Table;
        string[] reverse = ["1.0.10.10.in-addr.arpa", "1.0.12.10.in-addr.arpa", V6Reverse];

        Assert.Equal(kept.Split(',', StringSplitOptions.RemoveEmptyEntries), reverse.Where(r => table.Lookup(Query.EncodeName(r)).Kind == MatchKind.Host));
        Assert.Equal(kept.Length == 0 ? MatchKind.None : MatchKind.EmptyNonTerminal, table.Lookup(Query.EncodeName("arpa")).Kind);
    }

    [Fact]
    public void Ports_that_cannot_be_served_are_warned_about()
    {
        TableBuildResult built = NameTableBuilder.Build(Fixtures.Services, new TableOptions(), 0);

        TableWarning warning = Assert.Single(built.Warnings);
        Assert.Equal("istio-system/web-b", warning.ServiceEntry);
        Assert.Equal($"spec.ports[2].name \"bad.name\": {ServedPorts.NameReason}", warning.Message);
    }
}
