using System.Net;

namespace MeshDns.Cli;

/// <summary>Listen addresses as Go programs write them: ":1053" (all interfaces), "127.0.0.1:53", "[::1]:53", or "off".</summary>
public static class ListenAddress
{
    public const string Off = "off";

    /// <summary>A null endpoint with true means "off".</summary>
    public static bool TryParse(string text, out IPEndPoint? endpoint, out string? error)
    {
        endpoint = null;
        error = null;
        if (text.Equals(Off, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        error = Split(text, out string host, out string portText);
        if (error is not null)
        {
            return false;
        }

        if (!ushort.TryParse(portText, System.Globalization.NumberStyles.None, null, out ushort port))
        {
            error = $"port \"{portText}\" is not a number from 0 to 65535; {Forms}";
            return false;
        }

        string bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        IPAddress? address = host.Length == 0 ? IPAddress.IPv6Any // dual-stack: IPv4 and IPv6
            : host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(bare, out IPAddress? parsed)
                && !(parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && bare == host) ? parsed
            : null;
        if (address is null)
        {
            error = $"\"{host}\" is not an IP address; {Forms}";
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }

    private const string Forms = "write HOST:PORT (127.0.0.1:1053), [IPv6]:PORT ([::1]:1053), :PORT (all interfaces) or off";

    /// <summary>Null, or what is wrong. An IPv6 address must be in brackets, so its colons are not read as the port's.</summary>
    private static string? Split(string text, out string host, out string port)
    {
        bool bracket = text.StartsWith('[');
        int last = text.LastIndexOf(':');
        int close = bracket ? text.IndexOf(']') : -1;
        int colon = close >= 0 ? text.IndexOf(':', close) : last;
        (host, port) = colon < 0 ? ("", "") : (text[..colon], text[(colon + 1)..]);
        return !bracket && text.Count(c => c == ':') > 1
                ? IPAddress.TryParse(text[..last], out _) && ushort.TryParse(text[(last + 1)..], out _)
                    ? $"an IPv6 address needs brackets: write [{text[..last]}]:{text[(last + 1)..]}"
                    : $"an IPv6 address needs brackets and a port; {Forms}"
            : text.Length > 0 && text.All(char.IsAsciiDigit) ? $"no host: write :{text} for all interfaces, or HOST:{text}"
            : IPAddress.TryParse(text, out _) ? $"no port: write {text}:PORT"
            : bracket && close < 0 ? $"no closing ']'; {Forms}"
            : bracket && colon != close + 1 ? $"no port after \"{text[..(close + 1)]}\"; {Forms}"
            : colon < 0 ? $"no port; {Forms}"
            : null;
    }
}
