using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MeshDns.Table;

/// <summary>
/// The one rule for the text of an address (spec.addresses, status.addresses) that both sources share.
/// The CRD lets any string through; what is served as an A or AAAA record is an IPv4 address in four
/// dotted decimals, an IPv6 address in RFC 4291 text form (no zone), or a CIDR naming exactly one of them
/// (/32, /128). Anything else is skipped by itself with a reason; the entry's other addresses still count.
/// </summary>
public static class ServedAddresses
{
    /// <summary>Why an address is not served: a CIDR that is a range (Istio matches it for TCP, it has no one address).</summary>
    public const string RangeReason = "a CIDR range, not one address";

    /// <summary>Why an address is not served: not an address at all (including shorthand such as <c>10</c> or <c>0x7f.1</c>).</summary>
    public const string InvalidReason = "not an IP address or CIDR";

    /// <summary>Parses a served address.</summary>
    /// <param name="text">The address as written (surrounding white space is ignored).</param>
    /// <param name="address">The address when served, else null.</param>
    /// <param name="reason">Null when served, else <see cref="RangeReason"/> or <see cref="InvalidReason"/>.</param>
    /// <returns>True when the text names one servable address.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out IPAddress? address, [NotNullWhen(false)] out string? reason)
    {
        address = null;
        reason = InvalidReason;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

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

    /// <summary>
    /// <see cref="IPAddress.TryParse(ReadOnlySpan{char}, out IPAddress?)"/> also takes shorthand IPv4 (<c>10</c>,
    /// <c>0x7f.1</c>), brackets and zones; only the standard text forms are taken here.
    /// </summary>
    private static bool TryParseStrict(ReadOnlySpan<char> text, [NotNullWhen(true)] out IPAddress? ip)
    {
        ip = null;
        if (text.Contains(':'))
        {
            foreach (char c in text)
            {
                if (!(char.IsAsciiHexDigit(c) || c is ':' or '.'))
                {
                    return false; // zone (%eth0), brackets, white space
                }
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
