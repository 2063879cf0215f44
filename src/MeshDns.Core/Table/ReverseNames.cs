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

    public static string Of(IPAddress address)
    {
        Span<byte> octets = stackalloc byte[16];
        address.TryWriteBytes(octets, out int length);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return $"{octets[3]}.{octets[2]}.{octets[1]}.{octets[0]}.in-addr.arpa";
        }

        Span<char> text = stackalloc char[64 + "ip6.arpa".Length];
        int at = 0;
        for (int i = length - 1; i >= 0; i--)
        {
            text[at++] = Hex(octets[i] & 0xF);
            text[at++] = '.';
            text[at++] = Hex(octets[i] >> 4);
            text[at++] = '.';
        }

        "ip6.arpa".CopyTo(text[at..]);
        return new string(text[..(at + "ip6.arpa".Length)]);
    }

    private static char Hex(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
