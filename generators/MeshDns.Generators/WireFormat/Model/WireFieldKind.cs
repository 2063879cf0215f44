namespace MeshDns.Generators.WireFormat.Model;

/// <summary>Mirrors <c>MeshDns.Wire.DnsFieldKind</c> value for value (the attribute argument is read as an integer).</summary>
public enum WireFieldKind
{
    U8 = 0,
    U16 = 1,
    U32 = 2,
    IPv4 = 3,
    IPv6 = 4,
    Name = 5,
    CharacterString = 6,
    CharacterStrings = 7,
    U16LengthBytes = 8,
    Rest = 9,
    UncompressedName = 10,
}
