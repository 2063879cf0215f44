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
}
