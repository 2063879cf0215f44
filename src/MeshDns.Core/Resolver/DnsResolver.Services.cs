using MeshDns.Table;
using MeshDns.Wire;

namespace MeshDns.Resolver;

/// <summary>SRV answers for the named ports of hosts (<c>_name._tcp.host</c>), as Kubernetes gives named Service ports,
/// and PTR answers for the reverse names of served addresses.</summary>
public sealed partial class DnsResolver
{
    /// <summary>Most SRV records of one name (the stack holds their port numbers).</summary>
    private const int MaxSrv = 64;

    /// <summary>SRV weights of one name share this total equally (at least 1 each), as CoreDNS's kubernetes plugin does.</summary>
    private const int SrvWeightTotal = 100;

    /// <summary>Answers <c>_name._proto.host</c> with the host's ports of that name and protocol; <paramref name="exists"/>
    /// tells whether the name exists as such a name, or as its empty non-terminal <c>_proto.host</c>. Returns where the
    /// target starts in <paramref name="name"/> when SRV records were added (its addresses go to the additional section), else -1;
    /// <paramref name="target"/> is the target's match then, so its addresses are not looked up again.</summary>
    private int AddServices(ref ResponseBuilder builder, NameTable table, scoped DnsName owner, scoped ReadOnlySpan<byte> name, ushort qtype,
        out bool exists, out NameMatch target)
    {
        exists = false;
        target = default;
        if (name[0] < 2 || name[1] != '_')
        {
            return -1; // cheap exit for every ordinary name
        }

        int second = 1 + name[0];
        int rest = second + 1 + name[second];
        if (name[second] > 0 && rest < name.Length - 1 && TryProtocol(name[second..rest], out bool udp))
        {
            Span<ushort> ports = stackalloc ushort[MaxSrv];
            target = table.Lookup(name[rest..]);
            int count = table.FindPorts(target, name.Slice(1, name[0]), udp, ports);
            if (count > 0)
            {
                exists = true;
                return qtype is DnsType.SRV or DnsType.ANY && AddSrv(ref builder, owner, name[rest..], ports[..count]) ? rest : -1;
            }
        }

        if (second < name.Length - 1 && TryProtocol(name[..second], out udp))
        {
            exists = table.FindPorts(table.Lookup(name[second..]), default, udp, stackalloc ushort[1]) > 0;
        }

        return -1;
    }

    /// <summary>Priority 0, equal weights, the given ports; the target is the host as asked, in lower case.</summary>
    private bool AddSrv(ref ResponseBuilder builder, scoped DnsName owner, scoped ReadOnlySpan<byte> target, scoped ReadOnlySpan<ushort> ports)
    {
        DnsName.TryCreate(target, out DnsName host);
        ushort weight = (ushort)Math.Max(1, SrvWeightTotal / ports.Length);
        int added = 0;
        while (added < ports.Length && builder.TryAdd(owner, DnsType.SRV, options.Ttl, new SrvRdata { Weight = weight, Port = ports[added], Target = host }))
        {
            added++;
        }

        return added > 0;
    }

    /// <summary>The SRV target's A and AAAA records in the additional section, as many as fit (RFC 2782).</summary>
    private void AddTargetAddresses(ref ResponseBuilder builder, NameTable table, scoped ReadOnlySpan<byte> target, NameMatch match, uint rotation)
    {
        DnsName.TryCreate(target, out DnsName host);
        AddAddresses(ref builder, host, table.IPv4(match), 4, rotation, additional: true);
        AddAddresses(ref builder, host, table.IPv6(match), 16, rotation, additional: true);
    }

    /// <summary>The exact hosts serving the address of a reverse name, in name order.</summary>
    private void AddPtrs(ref ResponseBuilder builder, NameTable table, scoped DnsName owner, NameMatch match, ushort qtype)
    {
        int count = qtype is DnsType.PTR or DnsType.ANY ? table.PtrCount(match) : 0;
        for (int i = 0; i < count; i++)
        {
            DnsName.TryCreate(table.Ptr(match, i), out DnsName target);
            if (!builder.TryAdd(owner, DnsType.PTR, options.Ttl, new PtrRdata { Target = target }))
            {
                return;
            }
        }
    }

    /// <summary>A lower-case <c>_tcp</c> or <c>_udp</c> label (length octet included).</summary>
    private static bool TryProtocol(ReadOnlySpan<byte> label, out bool udp)
    {
        udp = label.SequenceEqual("\u0004_udp"u8);
        return udp || label.SequenceEqual("\u0004_tcp"u8);
    }
}
