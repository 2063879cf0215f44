namespace MeshDns.Wire;

/// <summary>The fixed part of a resource record (RFC 1035 4.1.3). In OPT (RFC 6891 6.1.2, 6.1.3) CLASS is the requestor's UDP
/// payload size and TTL is EXTENDED-RCODE (8 bits), VERSION (8), DO (1), Z (15); its RDATA is EDNS options.</summary>
[DnsWireFormat]
public ref partial struct DnsRecordHeader
{
    [DnsField(DnsFieldKind.Name)] public DnsName Name;
    [DnsField(DnsFieldKind.U16)] public ushort Type;
    [DnsField(DnsFieldKind.U16)] public ushort Class;
    [DnsField(DnsFieldKind.U32)] public uint Ttl;
    [DnsField(DnsFieldKind.U16)] public ushort RdLength;
}

/// <summary>One EDNS option inside OPT RDATA (RFC 6891 6.1.2).</summary>
[DnsWireFormat]
public ref partial struct EdnsOption
{
    [DnsField(DnsFieldKind.U16)] public ushort Code;
    [DnsField(DnsFieldKind.U16LengthBytes)] public ReadOnlySpan<byte> Data;
}
