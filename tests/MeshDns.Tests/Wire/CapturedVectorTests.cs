using MeshDns.Resolver;
using MeshDns.Tests.Support;
using MeshDns.Wire;

namespace MeshDns.Tests.Wire;

/// <summary>The generated readers and writers on real messages from dig, kdig and Knot DNS.</summary>
public class CapturedVectorTests
{
    public static TheoryData<string> Names() => Vectors.Names();

    [Theory]
    [MemberData(nameof(Names))]
    public void Query_and_response_decode_to_the_end(string name)
    {
        Vectors.Vector v = Vectors.Get(name);
        Assert.True(MessageCodec.TryDecode(v.Query, out DecodedMessage? query), "query");
        Assert.True(MessageCodec.TryDecode(v.Response, out DecodedMessage? response), "response");
        Assert.Equal(query.Header.Id, response.Header.Id);
        Assert.False(query.Header.IsResponse);
        Assert.True(response.Header.IsResponse);
        Assert.Equal(query.Questions[0].Name.ToLowerInvariant(), response.Questions[0].Name.ToLowerInvariant());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Rewriting_gives_the_same_message(string name)
    {
        Vectors.Vector v = Vectors.Get(name);
        foreach (byte[] message in new[] { v.Query, v.Response })
        {
            var buffer = new byte[65535];
            Assert.True(MessageCodec.TryRewrite(message, buffer, out int length));
            Assert.Equal(MessageCodec.Decode(message).Render(), MessageCodec.Decode(buffer.AsSpan(0, length)).Render());
            if (!HasCompression(message))
            {
                Assert.Equal(message, buffer[..length]);
            }
        }
    }

    [Fact]
    public void Knot_answers_decode_to_known_records()
    {
        DecodedMessage www = MessageCodec.Decode(Vectors.Get("a-www").Response);
        Assert.Equal(["192.0.2.10", "192.0.2.11"], www.Answers.Select(a => a.Data).Order());
        Assert.All(www.Answers, a => Assert.Equal("www.example.test.", a.Name));

        DecodedMessage cname = MessageCodec.Decode(Vectors.Get("cname-alias").Response);
        Assert.Equal(DnsType.CNAME, cname.Answers[0].Type);
        Assert.Equal("www.example.test.", cname.Answers[0].Data);

        DecodedMessage txt = MessageCodec.Decode(Vectors.Get("txt").Response);
        Assert.Equal("\"hello world\" \"second string\"", txt.Answers[0].Data);

        DecodedMessage nx = MessageCodec.Decode(Vectors.Get("nxdomain").Response);
        Assert.Equal(DnsRcode.NXDomain, nx.Rcode);
        Assert.Equal(DnsType.SOA, nx.Authority[0].Type);
        Assert.StartsWith("ns1.example.test. ", nx.Authority[0].Data, StringComparison.Ordinal);

        DecodedMessage badvers = MessageCodec.Decode(Vectors.Get("edns-badvers").Response);
        Assert.Equal(DnsRcode.BadVers, badvers.Rcode);

        DecodedMessage srv = MessageCodec.Decode(Vectors.Get("srv").Response);
        Assert.Equal(DnsType.SRV, srv.Answers[0].Type);
        Assert.Equal("10 60 5060 www.example.test.", srv.Answers[0].Data);

        DecodedMessage aaaa = MessageCodec.Decode(Vectors.Get("aaaa-www").Response);
        Assert.Equal(DnsType.AAAA, aaaa.Answers[0].Type);
        Assert.Contains(':', aaaa.Answers[0].Data);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void MeshDns_answers_every_captured_query_with_a_well_formed_message(string name)
    {
        Vectors.Vector v = Vectors.Get(name);
        DnsResolver resolver = Fixtures.Resolver(Fixtures.Table(Fixtures.Main));
        (ResolveResult result, byte[] response) = Fixtures.Run(resolver, v.Query);
        DecodedMessage query = MessageCodec.Decode(v.Query);
        DecodedMessage answer = MessageCodec.Decode(response);
        Assert.Equal(query.Header.Id, answer.Header.Id);
        Assert.Single(answer.Questions);
        Assert.Equal(query.Questions[0], answer.Questions[0]);
        Assert.Equal(query.Opt is not null, answer.Opt is not null);
        int expected = query.Questions[0].Class != DnsClass.IN ? DnsRcode.Refused
            : query.Opt is { } opt && (opt.Ttl >> 16 & 0xFF) > 0 ? DnsRcode.BadVers
            : DnsRcode.NXDomain; // nothing under example.test is served
        Assert.Equal(expected, result.Rcode);
    }

    private static bool HasCompression(byte[] message)
    {
        // A rewrite only differs in bytes where the original used pointers; detect them by decoding sizes.
        var buffer = new byte[65535];
        MessageCodec.TryRewrite(message, buffer, out int length);
        return length != message.Length;
    }
}
