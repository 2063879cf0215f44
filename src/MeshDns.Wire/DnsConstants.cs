namespace MeshDns.Wire;

/// <summary>RR TYPE values used by MeshDns (RFC 1035 3.2.2, RFC 3596, RFC 2782, RFC 6891).</summary>
public static class DnsType
{
    public const ushort A = 1;
    public const ushort NS = 2;
    public const ushort CNAME = 5;
    public const ushort SOA = 6;
    public const ushort PTR = 12;
    public const ushort TXT = 16;
    public const ushort AAAA = 28;
    public const ushort SRV = 33;
    public const ushort OPT = 41;
    public const ushort ANY = 255;
}

/// <summary>CLASS values (RFC 1035 3.2.4).</summary>
public static class DnsClass
{
    public const ushort IN = 1;
    public const ushort CH = 3;
    public const ushort ANY = 255;
}

/// <summary>Response codes (RFC 1035 4.1.1, RFC 6891 9 for the extended BADVERS).</summary>
public static class DnsRcode
{
    public const int NoError = 0;
    public const int FormErr = 1;
    public const int ServFail = 2;
    public const int NXDomain = 3;
    public const int NotImp = 4;
    public const int Refused = 5;
    public const int BadVers = 16;
}

/// <summary>OPCODE values (RFC 1035 4.1.1).</summary>
public static class DnsOpcode
{
    public const byte Query = 0;
}
