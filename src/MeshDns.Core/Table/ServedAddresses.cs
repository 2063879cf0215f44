using System.Buffers;
using System.Diagnostics.CodeAnalysis;

using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MeshDns.Table;

/// <summary>The one rule for address text (the CRD lets any string through): served are dotted-quad IPv4, RFC 4291
/// IPv6 (no zone), or a /32 or /128 CIDR of one; anything else is skipped alone, with a reason.</summary>
public static class ServedAddresses
{
    public const string RangeReason = "a CIDR range, not one address"; // Istio matches it for TCP; no one address
    public const string InvalidReason = "not an IP address or CIDR";
    private static readonly SearchValues<char> Ipv6Chars = SearchValues.Create("0123456789abcdefABCDEF:.");

    public static bool TryParse(string? text, [NotNullWhen(true)] out IPAddress? address, [NotNullWhen(false)] out string? reason)
    {
        address = null;
        reason = InvalidReason;
        ReadOnlySpan<char> span = text.AsSpan().Trim();
        int slash = span.IndexOf('/');
        ReadOnlySpan<char> ipText = slash < 0 ? span : span[..slash];
        if (!TryParseStrict(ipText, out IPAddress? ip))
        {
            return false;
        }

        if (slash >= 0)
        {
            int full = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            ReadOnlySpan<char> prefixText = span[(slash + 1)..];
            if (prefixText.Length is 0 or > 3 || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix > full)
            {
                return false;
            }

            if (prefix != full)
            {
                reason = RangeReason;
                return false;
            }
        }

        address = ip;
        reason = null;
        return true;
    }

    /// <summary><see cref="IPAddress.TryParse(ReadOnlySpan{char}, out IPAddress?)"/> also takes shorthand IPv4 (<c>10</c>,
    /// <c>0x7f.1</c>), brackets and zones; only the standard text forms are taken here.</summary>
    private static bool TryParseStrict(ReadOnlySpan<char> text, [NotNullWhen(true)] out IPAddress? ip)
    {
        ip = null;
        if (text.Contains(':'))
        {
            if (text.ContainsAnyExcept(Ipv6Chars))
            {
                return false; // zone (%eth0), brackets, white space
            }

            int lastColon = text.LastIndexOf(':');
            bool embeddedV4Ok = !text.Contains('.') || IsDottedQuad(text[(lastColon + 1)..]);
            return embeddedV4Ok && IPAddress.TryParse(text, out ip) && ip.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return IsDottedQuad(text) && IPAddress.TryParse(text, out ip) && ip.AddressFamily == AddressFamily.InterNetwork;
    }

    private static bool IsDottedQuad(ReadOnlySpan<char> text)
    {
        int parts = 0;
        foreach (Range range in text.Split('.'))
        {
            ReadOnlySpan<char> part = text[range];
            if (part.Length is 0 or > 3 || !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value > 255)
            {
                return false;
            }

            parts++;
        }

        return parts == 4;
    }
}
