namespace MeshDns.Wire;

/// <summary>
/// The fixed part of a resource record; RDLENGTH octets of RDATA follow (RFC 1035 4.1.3):
/// <code>
/// +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
/// /                      NAME                     /
/// +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
/// |                      TYPE                     |
/// |                     CLASS                     |
/// |                      TTL                      |  (32 bits)
/// |                   RDLENGTH                    |
/// +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
/// </code>
/// </summary>
[DnsWireFormat]
public ref partial struct DnsRecordHeader
{
    [DnsField(DnsFieldKind.Name)] public DnsName Name;
    [DnsField(DnsFieldKind.U16)] public ushort Type;
    [DnsField(DnsFieldKind.U16)] public ushort Class;
    [DnsField(DnsFieldKind.U32)] public uint Ttl;
    [DnsField(DnsFieldKind.U16)] public ushort RdLength;
}

/// <summary>
/// The OPT pseudo-record's fixed part, the same octets as <see cref="DnsRecordHeader"/> read with
/// EDNS meanings (RFC 6891 6.1.2, 6.1.3):
/// <code>
/// NAME  = root (0)           TYPE = OPT (41)        CLASS = requestor's UDP payload size
/// TTL   = +--------------+---------+--+-----------------------------+
///         | EXTENDED-RCODE| VERSION |DO|              Z              |
///         +--------------+---------+--+-----------------------------+
/// RDLENGTH, then RDATA = { OPTION-CODE (u16), OPTION-LENGTH (u16), OPTION-DATA }*
/// </code>
/// </summary>
[DnsWireFormat]
public ref partial struct EdnsOptRecord
{
    [DnsField(DnsFieldKind.Name)] public DnsName Name;
    [DnsField(DnsFieldKind.U16)] public ushort Type;
    [DnsField(DnsFieldKind.U16)] public ushort UdpPayloadSize;
    [DnsField(DnsFieldKind.U8)] public byte ExtendedRcode;
    [DnsField(DnsFieldKind.U8)] public byte Version;
    [DnsField(DnsFieldKind.U16)] public ushort Flags;
    [DnsField(DnsFieldKind.U16)] public ushort RdLength;

    [DnsBits(nameof(Flags), 15, 1)] public partial bool DnssecOk { get; set; }
}

/// <summary>One EDNS option inside OPT RDATA (RFC 6891 6.1.2).</summary>
[DnsWireFormat]
public ref partial struct EdnsOption
{
    [DnsField(DnsFieldKind.U16)] public ushort Code;
    [DnsField(DnsFieldKind.U16LengthBytes)] public ReadOnlySpan<byte> Data;
}
