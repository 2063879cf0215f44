using MeshDns.Resolver;

namespace MeshDns.Fuzz;

/// <summary>One datagram through both fixture resolvers with the UDP limit, each response checked against its query.</summary>
internal static class DnsUdpTarget
{
    private static readonly DnsResolver[] Resolvers = FuzzTable.Resolvers();
    private static readonly ResolverOptions Defaults = new();
    private static readonly byte[] Response = new byte[DnsResolver.MaxMessageSize];

    public static void Run(byte[] input)
    {
        foreach (DnsResolver resolver in Resolvers)
        {
            ResolveResult result = resolver.Resolve(input, Response, DnsTransport.Udp);
            ResponseCheck.Verify(input, Response.AsSpan(0, result.Length), DnsTransport.Udp, Defaults.EdnsUdpSize);
        }
    }
}
