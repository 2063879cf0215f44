using System.Net;
using MeshDns.Table;
using MeshDns.Tests.Support;

namespace MeshDns.Tests.Table;

/// <summary>The table answers a reverse name from its address: the name must map to it one to one, and a reverse name
/// that is also a host, or lies under a wildcard, matches as it did when reverse names were names of the table.</summary>
public class ReverseNameTests
{
    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("240.1.20.199")]
    [InlineData("2001:db8::1")]
    [InlineData("::")]
    [InlineData("ffff:abcd::9:ffff")]
    [InlineData("::ffff:10.0.0.1")]
    public void A_reverse_name_parses_back_to_its_address(string text)
    {
        IPAddress address = IPAddress.Parse(text);
        Span<byte> parsed = stackalloc byte[16];

        int length = ReverseNames.TryParse(Query.EncodeName(ReverseNames.Of(address)), parsed);

        Assert.Equal(address.GetAddressBytes(), parsed[..length].ToArray());
    }

    [Theory]
    [InlineData("1.0.0.10.in-addr.arpa.x")]
    [InlineData("0.0.10.in-addr.arpa")]
    [InlineData("1.1.0.0.10.in-addr.arpa")]
    [InlineData("01.0.0.10.in-addr.arpa")]
    [InlineData("256.0.0.10.in-addr.arpa")]
    [InlineData("1000.0.0.10.in-addr.arpa")]
    [InlineData("-1.0.0.10.in-addr.arpa")]
    [InlineData("a.0.0.10.in-addr.arpa")]
    [InlineData("in-addr.arpa")]
    [InlineData("arpa")]
    [InlineData("0.in-addr.arpa")]
    [InlineData("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")]
    [InlineData("10.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")]
    [InlineData("g.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")]
    [InlineData("0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")]
    [InlineData("ip6.arpa")]
    public void Any_other_name_is_not_a_reverse_name(string name)
    {
        Assert.Equal(0, ReverseNames.TryParse(Query.EncodeName(name), stackalloc byte[16]));
    }

    [Fact]
    public void A_reverse_name_that_is_also_a_host_has_its_addresses_and_its_PTRs()
    {
        NameTable table = Fixtures.Table(
        [
            Fixtures.Se("reverse", ["1.0.0.10.in-addr.arpa"], ["10.9.9.9"]),
            Fixtures.Se("web", ["web.global"], ["10.0.0.1"]),
        ]);

        NameMatch match = table.Lookup(Query.EncodeName("1.0.0.10.in-addr.arpa"));

        Assert.Equal(MatchKind.Host, match.Kind);
        Assert.Equal([10, 9, 9, 9], table.IPv4(match).ToArray());
        Assert.Equal(1, table.PtrCount(match));
        Assert.Equal(MatchKind.Host, table.Lookup(Query.EncodeName("9.9.9.10.in-addr.arpa")).Kind); // the host's own address
    }

    [Fact]
    public void A_reverse_name_with_PTRs_is_not_covered_by_a_wildcard_above_it()
    {
        NameTable table = Fixtures.Table(
        [
            Fixtures.Se("wild", ["*.0.10.in-addr.arpa"], ["10.9.9.9"]),
            Fixtures.Se("web", ["web.global"], ["10.0.0.1"]),
        ]);

        NameMatch reverse = table.Lookup(Query.EncodeName("1.0.0.10.in-addr.arpa"));
        NameMatch other = table.Lookup(Query.EncodeName("2.0.0.10.in-addr.arpa"));

        Assert.Equal((MatchKind.Host, 0, 1), (reverse.Kind, table.IPv4(reverse).Length, table.PtrCount(reverse)));
        Assert.Equal((MatchKind.Wildcard, 4, 0), (other.Kind, table.IPv4(other).Length, table.PtrCount(other)));
    }
}
