namespace MeshDns.Wire;

/// <summary>A RDATA (RFC 1035 3.4.1): a 32-bit IPv4 address.</summary>
[DnsWireFormat]
public ref partial struct ARdata
{
    [DnsField(DnsFieldKind.IPv4)] public ReadOnlySpan<byte> Address;
}

/// <summary>AAAA RDATA (RFC 3596 2.2): a 128-bit IPv6 address.</summary>
[DnsWireFormat]
public ref partial struct AaaaRdata
{
    [DnsField(DnsFieldKind.IPv6)] public ReadOnlySpan<byte> Address;
}

/// <summary>NS RDATA (RFC 1035 3.3.11): the name server's host name.</summary>
[DnsWireFormat]
public ref partial struct NsRdata
{
    [DnsField(DnsFieldKind.Name)] public DnsName Host;
}

/// <summary>SOA RDATA (RFC 1035 3.3.13).</summary>
[DnsWireFormat]
public ref partial struct SoaRdata
{
    [DnsField(DnsFieldKind.Name)] public DnsName MName;
    [DnsField(DnsFieldKind.Name)] public DnsName RName;
    [DnsField(DnsFieldKind.U32)] public uint Serial;
    [DnsField(DnsFieldKind.U32)] public uint Refresh;
    [DnsField(DnsFieldKind.U32)] public uint Retry;
    [DnsField(DnsFieldKind.U32)] public uint Expire;
    [DnsField(DnsFieldKind.U32)] public uint Minimum;
}

/// <summary>PTR RDATA (RFC 1035 3.3.12): the name an address points back to.</summary>
[DnsWireFormat]
public ref partial struct PtrRdata
{
    [DnsField(DnsFieldKind.Name)] public DnsName Target;
}

/// <summary>SRV RDATA (RFC 2782): priority, weight, port and the target host, whose name is never compressed.</summary>
[DnsWireFormat]
public ref partial struct SrvRdata
{
    [DnsField(DnsFieldKind.U16)] public ushort Priority;
    [DnsField(DnsFieldKind.U16)] public ushort Weight;
    [DnsField(DnsFieldKind.U16)] public ushort Port;
    [DnsField(DnsFieldKind.UncompressedName)] public DnsName Target;
}
