using MeshDns.Wire;

namespace MeshDns.Resolver;

/// <summary>A configured zone with its names encoded once, and the SOA and NS records it answers with.</summary>
internal sealed class Zone(byte[] wire, byte[] mnameWire, byte[] rnameWire)
{
    private const uint SoaRefresh = 3600;
    private const uint SoaRetry = 600;
    private const uint SoaExpire = 86400;

    public byte[] Wire { get; } = wire;

    public static Zone Create(string zone, ResolverOptions options)
    {
        string apex = ResolverOptions.NormalizeZone(zone);
        string Under(string label) => apex.Length == 0 ? label : $"{label}.{apex}";
        return new Zone(Encode(apex, "zone"), Encode(options.SoaMName ?? Under("ns"), "SOA mname"), Encode(options.SoaRName ?? Under("hostmaster"), "SOA rname"));
    }

    /// <summary>The longest of <paramref name="zones"/> that holds <paramref name="name"/>, or null.</summary>
    public static Zone? Find(Zone[] zones, ReadOnlySpan<byte> name)
    {
        Zone? best = null;
        foreach (Zone zone in zones)
        {
            if (zone.Contains(name) && (best is null || zone.Wire.Length > best.Wire.Length))
            {
                best = zone;
            }
        }

        return best;
    }

    public bool TryAddSoa(ref ResponseBuilder response, uint serial, uint negativeTtl, bool authority)
    {
        DnsName.TryCreate(Wire, out DnsName owner);
        DnsName.TryCreate(mnameWire, out DnsName mname);
        DnsName.TryCreate(rnameWire, out DnsName rname);
        var soa = new SoaRdata { MName = mname, RName = rname, Serial = serial, Refresh = SoaRefresh, Retry = SoaRetry, Expire = SoaExpire, Minimum = negativeTtl };
        return response.TryAdd(owner, DnsType.SOA, negativeTtl, soa, authority ? Section.Authority : Section.Answer);
    }

    public bool TryAddNs(ref ResponseBuilder response, uint ttl)
    {
        DnsName.TryCreate(Wire, out DnsName owner);
        DnsName.TryCreate(mnameWire, out DnsName host);
        return response.TryAdd(owner, DnsType.NS, ttl, new NsRdata { Host = host });
    }

    /// <summary>True when <paramref name="name"/> is the apex or below it (suffix on a label boundary).</summary>
    private bool Contains(ReadOnlySpan<byte> name)
    {
        int at = name.Length - Wire.Length;
        return at >= 0 && name[at..].SequenceEqual(Wire) && DnsName.IsLabelBoundary(name, at);
    }

    private static byte[] Encode(string text, string what)
    {
        Span<byte> buffer = stackalloc byte[DnsName.MaxLength];
        int length = DnsName.TryEncode(text.ToLowerInvariant(), buffer);
        if (length < 0)
        {
            throw new ArgumentException($"invalid {what} \"{text}\"");
        }

        return buffer[..length].ToArray();
    }
}
