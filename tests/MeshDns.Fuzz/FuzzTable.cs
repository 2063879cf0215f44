using System.Net;
using MeshDns.Resolver;
using MeshDns.Table;

namespace MeshDns.Fuzz;

/// <summary>The fixed table the DNS targets answer from: exact and wildcard hosts, IPv4 and IPv6, one host with
/// enough addresses to overflow a UDP response, named ports (SRV); every exact host's addresses answer PTR.</summary>
internal static class FuzzTable
{
    public const string Zone = "global";

    private static readonly DateTimeOffset Created = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly ServiceEntryInput[] Entries =
    [
        Entry("wild", ["*.test.global"], ["127.255.0.2"]) with { Ports = [new("https", 443, "TLS")] },
        Entry("exact", ["exact.test.global"], ["10.0.0.1"]) with { Ports = [new("http", 80, "HTTP"), new("dns", 53, "UDP")] },
        Entry("dual", ["dual.global"], ["10.0.0.2", "2001:db8::2"]),
        Entry("v6only", ["v6only.global"], ["2001:db8::6"]),
        Entry("outside", ["svc.example.com"], ["10.7.0.1"]),
        Entry("many", ["many.global"], [.. Enumerable.Range(1, 100).Select(i => $"10.8.{i / 256}.{i % 256}")]) with { Ports = [new("http", 80, null)] },
        Entry("many6", ["many6.global"], [.. Enumerable.Range(1, 100).Select(i => $"2001:db8::{i:x}")]),
    ];

    /// <summary>Two resolvers over one table: with the zone (SOA, NS, REFUSED outside) and without.
    /// No round robin: the same query always gets the same octets.</summary>
    public static DnsResolver[] Resolvers() =>
    [
        new(Holder.Value, new ResolverOptions { Zones = [Zone], RoundRobin = false }),
        new(Holder.Value, new ResolverOptions { RoundRobin = false }),
    ];

    private static readonly Lazy<TableHolder> Holder = new(() =>
    {
        var holder = new TableHolder();
        holder.Publish(NameTableBuilder.Build(Entries, new TableOptions(IPAddress.Parse("240.240.0.1")), 0).Table);
        return holder;
    });

    private static ServiceEntryInput Entry(string name, string[] hosts, string[] addresses) =>
        new("fuzz", name, Created, hosts, addresses, "STATIC", []);
}
