using System.Net;
using MeshDns.Resolver;
using MeshDns.Table;

namespace MeshDns.Tests.Support;

public static class Fixtures
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static ServiceEntryInput Se(string name, string[] hosts, string[] addresses, string? resolution = "STATIC", int ageRank = 0, string ns = "istio-system", StatusAddress[]? status = null, ServicePort[]? ports = null) =>
        new(ns, name, T0.AddMinutes(ageRank), hosts, addresses, resolution, status ?? []) { Ports = ports ?? [] };

    /// <summary>The table of the SRV and PTR tests: named ports merged over entries, a wildcard with ports, shared addresses.</summary>
    public static IReadOnlyList<ServiceEntryInput> Services { get; } =
    [
        Se("web", ["Web.Global"], ["10.10.0.1", "2001:db8::10"], ports: [new("http", 80, "HTTP"), new("grpc", 9090, "GRPC"), new("dns", 53, "UDP"), new(null, 81, "TCP")]),
        Se("web-b", ["web.global"], ["10.10.0.2"], ageRank: 1, ports: [new("HTTP", 8080, "HTTP"), new("http", 80, "HTTP"), new("bad.name", 82, null)]),
        Se("apps", ["*.apps.global"], ["10.11.0.1"], ports: [new("https", 443, "TLS")]),
        Se("db", ["db.apps.global"], ["10.11.0.2"], ports: [new("sql", 5432, null)]),
        Se("shared-b", ["b.shared.global"], ["10.12.0.1"]),
        Se("shared-a", ["a.shared.global"], ["10.12.0.1"], ageRank: 1),
        Se("many", ["many.global"], [.. Enumerable.Range(1, 100).Select(i => $"10.8.{i / 256}.{i % 256}")], ports: [new("http", 80, null)]),
        .. Enumerable.Range(0, 70).Select(i => Se($"crowd{i}", [$"c{i:D2}.crowd.global"], ["10.13.0.1"])),
    ];

    /// <summary>The main table of the behaviour tests.</summary>
    public static IReadOnlyList<ServiceEntryInput> Main { get; } =
    [
        Se("wild", ["*.test.global"], ["127.255.0.2"]),
        Se("exact", ["exact.test.global"], ["10.0.0.1"]),
        Se("dual", ["dual.global"], ["10.0.0.2", "2001:db8::2"]),
        Se("v6only", ["v6only.global"], ["2001:db8::6"]),
        Se("deep", ["svc.foo.global"], ["10.0.0.3"]),
        Se("multi-b", ["multi.global"], ["10.1.0.2", "10.1.0.3"], ageRank: 2),
        Se("multi-a", ["multi.global"], ["10.1.0.1", "10.1.0.2"], ageRank: 1),
        Se("cidr", ["cidr.global"], ["10.2.0.1/32", "10.3.0.0/16", "bogus", "2001:db8::7/128"]),
        Se("status", ["status.global"], [], "DNS", status: [new StatusAddress("240.240.0.5", null)]),
        Se("statushost", ["statushost.global", "other.global"], [], "DNS", status: [new StatusAddress("240.240.0.6", "statushost.global")]),
        Se("none", ["none.global"], ["10.4.0.1"], "NONE"),
        Se("nores", ["nores.global"], ["10.4.0.2"], null),
        Se("mixed", ["MiXeD.Global"], ["10.5.0.1"]),
        Se("nodefault", ["nodefault.global"], [], "DNS"),
        Se("bad-hosts", ["", "*", "bad..global", "-bad.global", "a.*.global", "good.global"], ["10.6.0.1"]),
        Se("outside", ["svc.example.com"], ["10.7.0.1"]),
        Se("many", ["many.global"], Enumerable.Range(1, 100).Select(i => $"10.8.{i / 256}.{i % 256}").ToArray()),
    ];

    /// <summary>A table with the `*.global` wildcard that the original plugin could not serve.</summary>
    public static IReadOnlyList<ServiceEntryInput> GlobalWildcard { get; } =
    [
        Se("all", ["*.global"], ["10.9.9.9"]),
        Se("ab", ["a.b.global"], ["10.9.0.1"]),
    ];

    public static NameTable Table(IReadOnlyList<ServiceEntryInput> entries, string? defaultAddress = null) =>
        NameTableBuilder.Build(entries, new TableOptions(defaultAddress is null ? null : IPAddress.Parse(defaultAddress)), 0).Table;

    public static DnsResolver Resolver(NameTable? table, ResolverOptions? options = null)
    {
        var holder = new TableHolder();
        if (table is not null)
        {
            holder.Publish(table);
        }

        return new DnsResolver(holder, options ?? new ResolverOptions { RoundRobin = false });
    }

    public static (ResolveResult Result, byte[] Response) Run(DnsResolver resolver, byte[] query, DnsTransport transport = DnsTransport.Udp)
    {
        var buffer = new byte[DnsResolver.MaxMessageSize];
        ResolveResult result = resolver.Resolve(query, buffer, transport);
        return (result, buffer[..result.Length]);
    }

    public static DecodedMessage Ask(DnsResolver resolver, Query query, DnsTransport transport = DnsTransport.Udp)
    {
        (ResolveResult result, byte[] response) = Run(resolver, query.ToBytes(), transport);
        Assert.True(result.Length > 0, "expected a response");
        return MessageCodec.Decode(response);
    }
}
