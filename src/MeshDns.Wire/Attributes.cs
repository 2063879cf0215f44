namespace MeshDns.Wire;

/// <summary>A DNS message part: the generator emits TryRead and TryWrite of its [DnsField] fields in declaration order.</summary>
[AttributeUsage(AttributeTargets.Struct, Inherited = false)]
public sealed class DnsWireFormatAttribute : Attribute;

/// <summary>How one field is laid out on the wire. Values are mirrored by the generator: do not renumber.</summary>
public enum DnsFieldKind
{
    /// <summary>One octet; field type <c>byte</c>.</summary>
    U8 = 0,
    /// <summary>Two octets, network order; <c>ushort</c>.</summary>
    U16 = 1,
    /// <summary>Four octets, network order; <c>uint</c>.</summary>
    U32 = 2,
    /// <summary>An IPv4 address, four octets; <c>ReadOnlySpan&lt;byte&gt;</c> of length 4.</summary>
    IPv4 = 3,
    /// <summary>An IPv6 address, sixteen octets; <c>ReadOnlySpan&lt;byte&gt;</c> of length 16.</summary>
    IPv6 = 4,
    /// <summary>A domain name, possibly compressed (RFC 1035 4.1.4); <see cref="DnsName"/>.</summary>
    Name = 5,
    /// <summary>A length octet and up to 255 octets (RFC 1035 3.3); the content as a span.</summary>
    CharacterString = 6,
    /// <summary>One or more character-strings up to the end of the data (TXT); the raw octets as a span.</summary>
    CharacterStrings = 7,
    /// <summary>A two-octet length and that many octets (EDNS option data); the content as a span.</summary>
    U16LengthBytes = 8,
    /// <summary>All remaining octets of the data; a span. Must be the last field.</summary>
    Rest = 9,
    /// <summary>A domain name read like <see cref="Name"/> but always written whole: RFC 2782 forbids compressing the SRV
    /// target.</summary>
    UncompressedName = 10,
}

/// <summary>Declares the wire layout of one field of a <see cref="DnsWireFormatAttribute"/> part.</summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class DnsFieldAttribute(DnsFieldKind kind) : Attribute
{
    public DnsFieldKind Kind { get; } = kind;
}

/// <summary>A partial property viewing bits shift..shift+width-1 of an integer [DnsField] field (bit 0 least significant).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class DnsBitsAttribute(string field, int shift, int width) : Attribute
{
    public string Field { get; } = field;
    public int Shift { get; } = shift;
    public int Width { get; } = width;
}

/// <summary>Implemented by generated ref-struct parts, so hand-written helpers can read and write any part.</summary>
public interface IDnsWireFormat<TSelf>
    where TSelf : IDnsWireFormat<TSelf>, allows ref struct
{
    static abstract bool TryRead(scoped ref DnsReader reader, out TSelf value);

    static abstract bool TryWrite(ref DnsWriter writer, scoped TSelf value);
}
