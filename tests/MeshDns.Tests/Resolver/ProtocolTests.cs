using MeshDns.Resolver;
using MeshDns.Table;
using MeshDns.Tests.Support;
using MeshDns.Wire;

namespace MeshDns.Tests.Resolver;

/// <summary>Header, EDNS, size and rotation rules, on constructed queries.</summary>
public class ProtocolTests
{
    private readonly DnsResolver _resolver = Fixtures.Resolver(Fixtures.Table(Fixtures.Main));

    [Fact]
    public void Echoes_id_opcode_rd_and_question_bytes_and_clears_ra()
    {
        var query = new Query { Id = 0xBEEF, Name = "SeRvIcE1.TeSt.GlObAl", RecursionDesired = true, CheckingDisabled = true };
        byte[] bytes = query.ToBytes();
        (ResolveResult result, byte[] response) = Fixtures.Run(_resolver, bytes);

        DecodedMessage m = MessageCodec.Decode(response);
        Assert.Equal(0xBEEF, m.Header.Id);
        Assert.True(m.Header.IsResponse);
        Assert.True(m.Header.RecursionDesired);
        Assert.True(m.Header.CheckingDisabled);
        Assert.False(m.Header.RecursionAvailable);
        Assert.True(m.Header.Authoritative);
        Assert.Equal(0, m.Header.Opcode);
        int questionLength = bytes.Length - 12;
        Assert.Equal(bytes.AsSpan(12, questionLength).ToArray(), response.AsSpan(12, questionLength).ToArray());
        // The answer's owner is a pointer to the question name: the client's case comes back as asked.
        Assert.Equal(0xC0, response[12 + questionLength]);
        Assert.Equal(0x0C, response[12 + questionLength + 1]);
        Assert.Equal("SeRvIcE1.TeSt.GlObAl.", m.Answers[0].Name);
        Assert.Equal(30u, m.Answers[0].Ttl);
        Assert.Equal(DnsRcode.NoError, result.Rcode);
    }

    [Fact]
    public void Rd_clear_is_copied()
    {
        DecodedMessage m = Fixtures.Ask(_resolver, new Query { Name = "exact.test.global", RecursionDesired = false });
        Assert.False(m.Header.RecursionDesired);
    }

    [Fact]
    public void Ttl_is_configurable()
    {
        DnsResolver resolver = Fixtures.Resolver(Fixtures.Table(Fixtures.Main), new ResolverOptions { Ttl = 3600 });
        Assert.Equal(3600u, Fixtures.Ask(resolver, Query.For("exact.test.global")).Answers[0].Ttl);
    }

    [Theory]
    [InlineData(1, DnsRcode.NotImp)] // IQUERY
    [InlineData(2, DnsRcode.NotImp)] // STATUS
    [InlineData(4, DnsRcode.NotImp)] // NOTIFY
    [InlineData(5, DnsRcode.NotImp)] // UPDATE
    public void Opcodes_other_than_query_get_notimp(byte opcode, int rcode)
    {
        DecodedMessage m = Fixtures.Ask(_resolver, new Query { Name = "exact.test.global", Opcode = opcode });
        Assert.Equal(rcode, m.Rcode);
        Assert.Equal(opcode, m.Header.Opcode);
        Assert.False(m.Header.Authoritative);
        Assert.Empty(m.Answers);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Question_count_other_than_one_is_formerr(ushort count)
    {
        (ResolveResult result, byte[] response) = Fixtures.Run(_resolver, new Query { Name = "exact.test.global", QuestionCountOverride = count }.ToBytes());
        Assert.True(result.Malformed);
        DecodedMessage m = MessageCodec.Decode(response);
        Assert.Equal(DnsRcode.FormErr, m.Rcode);
        Assert.Empty(m.Questions);
    }

    [Theory]
    [InlineData(DnsClass.CH)]
    [InlineData(DnsClass.ANY)]
    [InlineData((ushort)4)]
    public void Class_other_than_in_is_refused(ushort qclass)
    {
        DecodedMessage m = Fixtures.Ask(_resolver, new Query { Name = "exact.test.global", Class = qclass });
        Assert.Equal(DnsRcode.Refused, m.Rcode);
        Assert.False(m.Header.Authoritative);
        Assert.Single(m.Questions);
    }

    [Theory]
    [InlineData((ushort)251)]
    [InlineData((ushort)252)]
    public void Zone_transfers_are_not_implemented(ushort qtype)
    {
        Assert.Equal(DnsRcode.NotImp, Fixtures.Ask(_resolver, Query.For("global", qtype)).Rcode);
    }

    [Fact]
    public void A_response_is_never_answered()
    {
        (ResolveResult result, _) = Fixtures.Run(_resolver, new Query { Name = "exact.test.global", IsResponse = true }.ToBytes());
        Assert.Equal(0, result.Length);
        Assert.False(result.Malformed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("1234010000010000000000")]
    public void Shorter_than_a_header_is_dropped(string hex)
    {
        (ResolveResult result, _) = Fixtures.Run(_resolver, Convert.FromHexString(hex));
        Assert.Equal(0, result.Length);
        Assert.True(result.Malformed);
    }

    [Theory]
    [InlineData("123401000001000000000000")]                   // question missing
    [InlineData("12340100000100000000000003666f6f")]           // name cut short
    [InlineData("12340100000100000000000003666f6f000001")]     // class missing
    [InlineData("123401000001000000000000c00c00010001")]       // pointer to itself
    [InlineData("123401000001000000000000c00200010001")]       // pointer into the header: the question cannot be compressed
    [InlineData("1234010000010000000000004041414100010001")]   // label type 01
    [InlineData("12340100000100000000000003666f6f0000010001000029")] // octets after the counted sections (answered: see below)
    public void Unparseable_with_a_readable_header_is_formerr_or_answered(string hex)
    {
        byte[] query = Convert.FromHexString(hex);
        (ResolveResult result, byte[] response) = Fixtures.Run(_resolver, query);
        Assert.True(result.Length >= 12);
        DecodedMessage m = MessageCodec.Decode(response);
        Assert.Equal(0x1234, m.Header.Id);
        if (hex.EndsWith("0029", StringComparison.Ordinal))
        {
            // Trailing octets beyond the counted sections are ignored.
            Assert.Equal(DnsRcode.NXDomain, m.Rcode);
        }
        else
        {
            Assert.Equal(DnsRcode.FormErr, m.Rcode);
            Assert.True(result.Malformed);
        }
    }

    [Fact]
    public void Additional_record_cut_short_is_formerr()
    {
        byte[] query = new Query { Name = "exact.test.global", EdnsSize = 1232 }.ToBytes();
        (ResolveResult result, byte[] response) = Fixtures.Run(_resolver, query[..^3]);
        Assert.True(result.Malformed);
        Assert.Equal(DnsRcode.FormErr, MessageCodec.Decode(response).Rcode);
    }

    [Fact]
    public void Before_the_first_sync_everything_gets_servfail()
    {
        DnsResolver resolver = Fixtures.Resolver(null);
        DecodedMessage m = Fixtures.Ask(resolver, Query.For("exact.test.global"));
        Assert.Equal(DnsRcode.ServFail, m.Rcode);
        Assert.False(m.Header.Authoritative);
        Assert.Single(m.Questions);
    }

    [Fact]
    public void Edns_query_gets_opt_with_our_size_version_zero_and_do_cleared()
    {
        DecodedMessage m = Fixtures.Ask(_resolver, new Query { Name = "exact.test.global", EdnsSize = 4096, DnssecOk = true });
        DecodedRecord opt = Assert.Single(m.Additional);
        Assert.Equal(DnsType.OPT, opt.Type);
        Assert.Equal(".", opt.Name);
        Assert.Equal(1232, opt.Class);
        Assert.Equal(0u, opt.Ttl); // extended rcode 0, version 0, DO clear
        Assert.Equal("A 10.0.0.1", BehaviourTableTests.Render(m.Answers));
    }

    [Fact]
    public void No_opt_in_the_query_means_none_in_the_response()
    {
        Assert.Empty(Fixtures.Ask(_resolver, Query.For("exact.test.global")).Additional);
    }

    [Fact]
    public void Edns_version_above_zero_gets_badvers()
    {
        DecodedMessage m = Fixtures.Ask(_resolver, new Query { Name = "exact.test.global", EdnsSize = 1232, EdnsVersion = 1 });
        Assert.Equal(DnsRcode.BadVers, m.Rcode);
        Assert.Equal(0, m.Header.Rcode);
        Assert.Equal(1u << 24, m.Opt!.Ttl); // extended rcode 1, version 0
        Assert.Empty(m.Answers);
    }

    [Fact]
    public void Two_opt_records_are_formerr()
    {
        var query = new Query { Name = "exact.test.global", EdnsSize = 1232 };
        query.ExtraAdditional.Add(Query.OptRecord());
        DecodedMessage m = Fixtures.Ask(_resolver, query);
        Assert.Equal(DnsRcode.FormErr, m.Rcode);
        Assert.Null(m.Opt);
    }

    [Fact]
    public void Unknown_additional_records_are_skipped()
    {
        var query = new Query { Name = "exact.test.global", EdnsSize = 1232 };
        // A TSIG-like record of an unknown type 250 owned by "k.", then a TXT record.
        query.ExtraAdditional.Add(Convert.FromHexString("016b0000fa00ff000000000003616263"));
        query.ExtraAdditional.Add(Convert.FromHexString("0000100001000000000004036162 63".Replace(" ", "", StringComparison.Ordinal)));
        DecodedMessage m = Fixtures.Ask(_resolver, query);
        Assert.Equal(DnsRcode.NoError, m.Rcode);
        Assert.Equal("A 10.0.0.1", BehaviourTableTests.Render(m.Answers));
    }

    [Fact]
    public void Opt_not_owned_by_root_is_formerr()
    {
        var query = new Query { Name = "exact.test.global" };
        query.ExtraAdditional.Add(Convert.FromHexString("016100002904d0000000000000"));
        Assert.Equal(DnsRcode.FormErr, Fixtures.Ask(_resolver, query).Rcode);
    }

    [Fact]
    public void Udp_without_edns_truncates_to_512_with_tc()
    {
        (ResolveResult result, byte[] response) = Fixtures.Run(_resolver, Query.For("many.global").ToBytes());
        DecodedMessage m = MessageCodec.Decode(response);
        Assert.True(result.Length <= 512);
        Assert.True(m.Header.Truncated);
        Assert.True(result.Truncated);
        Assert.Equal((512 - 12 - 16) / 16, m.Answers.Count); // 16-octet compressed A records after a 16-octet question
    }

    [Theory]
    [InlineData((ushort)4096, 1232)]
    [InlineData((ushort)1232, 1232)]
    [InlineData((ushort)800, 800)]
    [InlineData((ushort)100, 512)] // sizes under 512 are treated as 512 (RFC 6891 6.2.5)
    public void Udp_with_edns_uses_the_lesser_of_both_sizes(ushort clientSize, int limit)
    {
        var query = new Query { Name = "many.global", EdnsSize = clientSize };
        (ResolveResult result, byte[] response) = Fixtures.Run(_resolver, query.ToBytes());
        DecodedMessage m = MessageCodec.Decode(response);
        Assert.True(result.Length <= limit);
        Assert.True(result.Length > limit - 16 - 11);
        Assert.True(m.Header.Truncated);
        Assert.NotNull(m.Opt);
    }

    [Theory]
    [InlineData(DnsTransport.Tcp)]
    [InlineData(DnsTransport.Grpc)]
    public void Stream_transports_carry_every_record(DnsTransport transport)
    {
        DecodedMessage m = Fixtures.Ask(_resolver, Query.For("many.global"), transport);
        Assert.False(m.Header.Truncated);
        Assert.Equal(100, m.Answers.Count);
    }

    [Fact]
    public void Round_robin_rotates_between_queries_and_can_be_turned_off()
    {
        DnsResolver rotating = Fixtures.Resolver(Fixtures.Table(Fixtures.Main), new ResolverOptions { RoundRobin = true });
        var firsts = new HashSet<string>();
        for (int i = 0; i < 3; i++)
        {
            DecodedMessage m = Fixtures.Ask(rotating, Query.For("multi.global"));
            Assert.Equal(["10.1.0.1", "10.1.0.2", "10.1.0.3"], m.Answers.Select(a => a.Data).Order());
            firsts.Add(m.Answers[0].Data);
        }

        Assert.Equal(3, firsts.Count);

        DnsResolver fixedOrder = Fixtures.Resolver(Fixtures.Table(Fixtures.Main), new ResolverOptions { RoundRobin = false });
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("10.1.0.1", Fixtures.Ask(fixedOrder, Query.For("multi.global")).Answers[0].Data);
        }
    }

    [Fact]
    public void Soa_serial_grows_when_the_table_changes()
    {
        var holder = new TableHolder();
        var resolver = new DnsResolver(holder, new ResolverOptions { Zones = ["global"] });
        NameTable first = Fixtures.Table(Fixtures.Main);
        holder.Publish(first);
        uint serial1 = uint.Parse(Fixtures.Ask(resolver, Query.For("global", DnsType.SOA)).Answers[0].Data.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        holder.Publish(NameTableBuilder.Build(Fixtures.GlobalWildcard, new TableOptions(), first.Serial).Table);
        uint serial2 = uint.Parse(Fixtures.Ask(resolver, Query.For("global", DnsType.SOA)).Answers[0].Data.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(first.Serial, serial1);
        Assert.True(serial2 > serial1);
    }

    [Fact]
    public void Soa_names_and_negative_ttl_are_configurable()
    {
        DnsResolver resolver = Fixtures.Resolver(
            Fixtures.Table(Fixtures.Main),
            new ResolverOptions { Zones = ["global."], SoaMName = "dns.mesh.example", SoaRName = "ops.mesh.example", NegativeTtl = 5 });
        DecodedMessage m = Fixtures.Ask(resolver, Query.For("nothing.global"));
        DecodedRecord soa = Assert.Single(m.Authority);
        Assert.Equal(5u, soa.Ttl);
        string[] fields = soa.Data.Split(' ');
        Assert.Equal("dns.mesh.example.", fields[0]);
        Assert.Equal("ops.mesh.example.", fields[1]);
        Assert.Equal("5", fields[^1]);
        Assert.Equal("global.", soa.Name);
    }

    [Fact]
    public void Default_address_serves_address_less_hosts()
    {
        DnsResolver resolver = Fixtures.Resolver(Fixtures.Table(Fixtures.Main, defaultAddress: "10.99.0.1"));
        Assert.Equal("A 10.99.0.1", BehaviourTableTests.Render(Fixtures.Ask(resolver, Query.For("nodefault.global")).Answers));
        Assert.Equal("A 10.99.0.1", BehaviourTableTests.Render(Fixtures.Ask(resolver, Query.For("other.global")).Answers));
        // status.addresses still win over the default.
        Assert.Equal("A 240.240.0.5", BehaviourTableTests.Render(Fixtures.Ask(resolver, Query.For("status.global")).Answers));
    }
}
