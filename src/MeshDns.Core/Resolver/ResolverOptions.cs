namespace MeshDns.Resolver;

/// <summary>It sets the response size limit.</summary>
public enum DnsTransport : byte { Udp, Tcp, Grpc }

/// <summary>Answer settings shared by every transport.</summary>
public sealed record ResolverOptions
{
    /// <summary>Seconds, of A/AAAA/NS/SRV/PTR answers.</summary>
    public uint Ttl { get; init; } = 30;
    /// <summary>Seconds: SOA MINIMUM and the authority SOA's TTL.</summary>
    public uint NegativeTtl { get; init; } = 30;
    /// <summary>Zones served with authority (--zone). Empty: answer for every host, NXDOMAIN without SOA otherwise.</summary>
    public IReadOnlyList<string> Zones { get; init; } = [];
    /// <summary>SOA MNAME and NS target; null means <c>ns.&lt;zone&gt;</c>.</summary>
    public string? SoaMName { get; init; }
    /// <summary>SOA RNAME; null means <c>hostmaster.&lt;zone&gt;</c>.</summary>
    public string? SoaRName { get; init; }
    /// <summary>Like CoreDNS loadbalance.</summary>
    public bool RoundRobin { get; init; } = true;
    /// <summary>Our EDNS UDP payload size (RFC 6891); 1232 avoids IP fragmentation.</summary>
    public ushort EdnsUdpSize { get; init; } = 1232;

    /// <summary>A zone as the resolver serves it and /debug/names shows it: lower case, no trailing dot.</summary>
    public static string NormalizeZone(string zone) => zone.Trim().TrimEnd('.').ToLowerInvariant();

    /// <summary>The longest of the normalized <paramref name="zones"/> holding a table host (a wildcard: its suffix), or null.</summary>
    public static string? ZoneOf(string host, IReadOnlyList<string> zones)
    {
        ReadOnlySpan<char> name = host.StartsWith("*.", StringComparison.Ordinal) ? host.AsSpan(2) : host;
        string? best = null;
        foreach (string zone in zones)
        {
            bool inside = name.SequenceEqual(zone) || (name.EndsWith(zone, StringComparison.Ordinal) && name.Length > zone.Length && name[^(zone.Length + 1)] == '.');
            if (inside && zone.Length > (best?.Length ?? -1))
            {
                best = zone;
            }
        }

        return best;
    }
}
