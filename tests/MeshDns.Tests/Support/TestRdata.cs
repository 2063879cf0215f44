using MeshDns.Wire;

namespace MeshDns.Tests.Support;

// RDATA kinds MeshDns never answers with, but which captured traffic holds: generated here for decoding.

/// <summary>CNAME RDATA (RFC 1035 3.3.1): the canonical name.</summary>
[DnsWireFormat]
public ref partial struct CnameRdata
{
    [DnsField(DnsFieldKind.Name)] public DnsName Target;
}

/// <summary>TXT RDATA (RFC 1035 3.3.14): one or more character-strings.</summary>
[DnsWireFormat]
public ref partial struct TxtRdata
{
    [DnsField(DnsFieldKind.CharacterStrings)] public ReadOnlySpan<byte> Strings;
}

/// <summary>RDATA of any other type, kept as opaque octets.</summary>
[DnsWireFormat]
public ref partial struct OpaqueRdata
{
    [DnsField(DnsFieldKind.Rest)] public ReadOnlySpan<byte> Data;
}
