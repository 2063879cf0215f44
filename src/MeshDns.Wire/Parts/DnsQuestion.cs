namespace MeshDns.Wire;

/// <summary>Question entry (RFC 1035 4.1.2).</summary>
[DnsWireFormat]
public ref partial struct DnsQuestion
{
    [DnsField(DnsFieldKind.Name)] public DnsName Name;
    [DnsField(DnsFieldKind.U16)] public ushort Type;
    [DnsField(DnsFieldKind.U16)] public ushort Class;
}
