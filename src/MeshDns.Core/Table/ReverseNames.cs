using System.Net;
using System.Net.Sockets;

namespace MeshDns.Table;

/// <summary>The reverse name of an address, whose PTR records name the exact hosts serving it: <c>d.c.b.a.in-addr.arpa</c>
/// (RFC 1035 3.5) and the nibble form under <c>ip6.arpa</c> (RFC 3596 2.5).</summary>
public static class ReverseNames
{
    /// <summary>Most PTR records of one address, the first in name order: an address shared by thousands of hosts (a
    /// default address) would otherwise rebuild a huge record on every change of any of them.</summary>
    public const int MaxTargets = 64;

    private const string V4Suffix = "in-addr.arpa", V6Suffix = "ip6.arpa";

    /// <summary>Which families may have reverse names inside <paramref name="zones"/> (null: every family).</summary>
    public static (bool V4, bool V6) Families(IReadOnlyList<string>? zones) =>
        zones is null ? (true, true) : (zones.Any(z => Holds(z, V4Suffix) || Holds(V4Suffix, z)), zones.Any(z => Holds(z, V6Suffix) || Holds(V6Suffix, z)));

    /// <summary>Whether a reverse name lies at or under one of <paramref name="zones"/> (null: always).</summary>
    public static bool IsInside(string reverse, IReadOnlyList<string>? zones) => zones is null || zones.Any(z => Holds(reverse, z));

    /// <summary>Whether <paramref name="name"/> is <paramref name="zone"/> or below it.</summary>
    private static bool Holds(string name, string zone) =>
        name == zone || (name.EndsWith(zone, StringComparison.Ordinal) && name[^(zone.Length + 1)] == '.');

    public static string Of(IPAddress address)
    {
        Span<byte> octets = stackalloc byte[16];
        address.TryWriteBytes(octets, out int length);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return $"{octets[3]}.{octets[2]}.{octets[1]}.{octets[0]}.{V4Suffix}";
        }

        Span<char> text = stackalloc char[64 + V6Suffix.Length];
        int at = 0;
        for (int i = length - 1; i >= 0; i--)
        {
            text[at++] = Hex(octets[i] & 0xF);
            text[at++] = '.';
            text[at++] = Hex(octets[i] >> 4);
            text[at++] = '.';
        }

        V6Suffix.CopyTo(text[at..]);
        return new string(text[..(at + V6Suffix.Length)]);
    }

    private static char Hex(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    private static ReadOnlySpan<byte> V4Wire => "\u0007in-addr\u0004arpa\0"u8;
    private static ReadOnlySpan<byte> V6Wire => "\u0003ip6\u0004arpa\0"u8;

    /// <summary>The address (4 or 16 octets, written to <paramref name="address"/>) whose reverse name is exactly the
    /// lower-case wire-form <paramref name="name"/>, else 0: the text <see cref="Of"/> writes, nothing else (no leading
    /// zeros, no upper case, no partial names), so a name and its address map one to one. Never throws.</summary>
    public static int TryParse(ReadOnlySpan<byte> name, Span<byte> address)
    {
        if (name.EndsWith(V6Wire))
        {
            return name.Length == 64 + V6Wire.Length && TryNibbles(name, address) ? 16 : 0;
        }

        if (!name.EndsWith(V4Wire))
        {
            return 0;
        }

        int end = name.Length - V4Wire.Length, at = 0;
        for (int i = 3; i >= 0; i--)
        {
            int length = at < end ? name[at] : 0;
            if (length is 0 or > 3 || at + 1 + length > end || (length > 1 && name[at + 1] == '0'))
            {
                return 0;
            }

            int value = 0;
            foreach (byte digit in name.Slice(at + 1, length))
            {
                value = (uint)(digit - '0') < 10 ? value * 10 + digit - '0' : 256;
            }

            if (value > 255)
            {
                return 0;
            }

            address[i] = (byte)value;
            at += 1 + length;
        }

        return at == end ? 4 : 0;
    }

    /// <summary>32 one-nibble labels, lowest nibble first (RFC 3596 2.5).</summary>
    private static bool TryNibbles(ReadOnlySpan<byte> name, Span<byte> address)
    {
        for (int k = 0; k < 32; k++)
        {
            byte c = name[2 * k + 1];
            int nibble = (uint)(c - '0') < 10 ? c - '0' : (uint)(c - 'a') < 6 ? c - 'a' + 10 : -1;
            if (name[2 * k] != 1 || nibble < 0)
            {
                return false;
            }

            int i = 15 - k / 2;
            address[i] = (byte)(k % 2 == 0 ? nibble : address[i] | nibble << 4);
        }

        return true;
    }
}
