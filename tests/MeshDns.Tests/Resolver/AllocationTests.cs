using MeshDns.Resolver;
using MeshDns.Tests.Support;
using MeshDns.Wire;

namespace MeshDns.Tests.Resolver;

/// <summary>The parse → resolve → write path allocates nothing on the managed heap.</summary>
public class AllocationTests
{
    [Fact]
    public void Query_path_allocates_zero_bytes()
    {
        DnsResolver resolver = Fixtures.Resolver(
            Fixtures.Table(Fixtures.Main),
            new ResolverOptions { RoundRobin = true, Zones = ["global", "example.com"] });
        AssertAllocatesNothing(resolver,
        [
            Query.For("exact.test.global").ToBytes(),
            Query.For("Service1.Test.Global").ToBytes(),
            new Query { Name = "multi.global", EdnsSize = 1232 }.ToBytes(),
            Query.For("exact.test.global", DnsType.AAAA).ToBytes(),
            Query.For("nothing.global").ToBytes(),
            Query.For("global", DnsType.SOA).ToBytes(),
            Query.For("global", DnsType.NS).ToBytes(),
            Query.For("many.global").ToBytes(),
            Query.For("www.example.org").ToBytes(),
            new Query { Name = "dual.global", Type = DnsType.ANY, EdnsSize = 4096, EdnsVersion = 1 }.ToBytes(),
            Convert.FromHexString("123401000001000000000000c00c00010001"),
            Vectors.Get("a-www").Query,
        ]);
    }

    [Fact]
    public void SRV_and_PTR_queries_allocate_zero_bytes()
    {
        DnsResolver resolver = Fixtures.Resolver(
            Fixtures.Table(Fixtures.Services),
            new ResolverOptions { RoundRobin = true, Zones = ["global", "10.10.in-addr.arpa", "13.10.in-addr.arpa", "ip6.arpa"] });
        AssertAllocatesNothing(resolver,
        [
            Query.For("_http._tcp.web.global", DnsType.SRV).ToBytes(),
            new Query { Name = "_Https._TCP.x.apps.global", Type = DnsType.SRV, EdnsSize = 1232 }.ToBytes(),
            Query.For("_http._tcp.many.global", DnsType.SRV).ToBytes(),
            Query.For("_http._tcp.web.global", DnsType.ANY).ToBytes(),
            Query.For("_tcp.web.global", DnsType.SRV).ToBytes(),
            Query.For("_dns._tcp.web.global", DnsType.SRV).ToBytes(),
            Query.For("1.0.10.10.in-addr.arpa", DnsType.PTR).ToBytes(),
            new Query { Name = "1.0.13.10.in-addr.arpa", Type = DnsType.PTR, EdnsSize = 4096 }.ToBytes(),
            Query.For("0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", DnsType.PTR).ToBytes(),
            Query.For("9.9.10.10.in-addr.arpa", DnsType.PTR).ToBytes(),
            Query.For("1.0.12.10.in-addr.arpa", DnsType.PTR).ToBytes(),
        ]);
    }

    private static void AssertAllocatesNothing(DnsResolver resolver, byte[][] queries)
    {
        var response = new byte[DnsResolver.MaxMessageSize];
        for (int i = 0; i < 10_000; i++)
        {
            resolver.Resolve(queries[i % queries.Length], response, (DnsTransport)(i % 3));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int answered = 0;
        for (int i = 0; i < 100_000; i++)
        {
            answered += resolver.Resolve(queries[i % queries.Length], response, (DnsTransport)(i % 3)).Length > 0 ? 1 : 0;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100_000, answered);
        Assert.Equal(0, allocated);
    }
}
