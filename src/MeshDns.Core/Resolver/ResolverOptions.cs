namespace MeshDns.Resolver;

/// <summary>Which transport a query came over; it sets the response size limit.</summary>
public enum DnsTransport : byte
{
    Udp = 0,
    Tcp = 1,
    Grpc = 2,
}

/// <summary>Answer settings shared by every transport.</summary>
public sealed record ResolverOptions
{
    /// <summary>TTL of A/AAAA/NS answers, in seconds (--ttl).</summary>
    public uint Ttl { get; init; } = 30;

    /// <summary>Zones served with authority (--zone). Empty: answer for every host, NXDOMAIN without SOA otherwise.</summary>
    public IReadOnlyList<string> Zones { get; init; } = [];

    /// <summary>A zone's canonical form, as the resolver serves it and /debug/names shows it: lower case, no trailing dot.</summary>
    public static string NormalizeZone(string zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return zone.Trim().TrimEnd('.').ToLowerInvariant();
    }

    /// <summary>
    /// The longest of <paramref name="zones"/> (normalized) that holds <paramref name="host"/> (a table host,
    /// lower case; a wildcard's zone is its suffix's); null when none does.
    /// </summary>
    public static string? ZoneOf(string host, IReadOnlyList<string> zones)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(zones);
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

    /// <summary>SOA MNAME and NS target; null means <c>ns.&lt;zone&gt;</c>.</summary>
    public string? SoaMName { get; init; }

    /// <summary>SOA RNAME; null means <c>hostmaster.&lt;zone&gt;</c>.</summary>
    public string? SoaRName { get; init; }

    /// <summary>TTL of negative answers (SOA MINIMUM and the authority SOA's TTL), in seconds.</summary>
    public uint NegativeTtl { get; init; } = 30;

    /// <summary>Rotate multi-address answers between queries (like CoreDNS loadbalance).</summary>
    public bool RoundRobin { get; init; } = true;

    /// <summary>Our EDNS UDP payload size (RFC 6891); 1232 avoids IP fragmentation.</summary>
    public ushort EdnsUdpSize { get; init; } = 1232;
}
