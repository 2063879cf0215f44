namespace MeshDns.Wire;

/// <summary>Message header (RFC 1035 4.1.1); the fields in wire order. <see cref="DnsBitsAttribute"/> counts bits from the least significant.</summary>
[DnsWireFormat]
public partial struct DnsHeader
{
    [DnsField(DnsFieldKind.U16)] public ushort Id;
    [DnsField(DnsFieldKind.U16)] public ushort Flags;
    [DnsField(DnsFieldKind.U16)] public ushort QuestionCount;
    [DnsField(DnsFieldKind.U16)] public ushort AnswerCount;
    [DnsField(DnsFieldKind.U16)] public ushort AuthorityCount;
    [DnsField(DnsFieldKind.U16)] public ushort AdditionalCount;

    [DnsBits(nameof(Flags), 15, 1)] public partial bool IsResponse { get; set; }
    [DnsBits(nameof(Flags), 11, 4)] public partial byte Opcode { get; set; }
    [DnsBits(nameof(Flags), 10, 1)] public partial bool Authoritative { get; set; }
    [DnsBits(nameof(Flags), 9, 1)] public partial bool Truncated { get; set; }
    [DnsBits(nameof(Flags), 8, 1)] public partial bool RecursionDesired { get; set; }
    [DnsBits(nameof(Flags), 7, 1)] public partial bool RecursionAvailable { get; set; }
    [DnsBits(nameof(Flags), 6, 1)] public partial bool Z { get; set; }
    [DnsBits(nameof(Flags), 5, 1)] public partial bool AuthenticData { get; set; }
    [DnsBits(nameof(Flags), 4, 1)] public partial bool CheckingDisabled { get; set; }
    [DnsBits(nameof(Flags), 0, 4)] public partial byte Rcode { get; set; }
}
