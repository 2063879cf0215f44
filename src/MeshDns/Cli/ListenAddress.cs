using System.Net;

namespace MeshDns.Cli;

/// <summary>Listen addresses as Go programs write them: ":1053" (all interfaces), "127.0.0.1:53", "[::1]:53", or "off".</summary>
public static class ListenAddress
{
    public const string Off = "off";

    /// <summary>Parses an address; null endpoint with true means "off". Error text names what is wrong.</summary>
    public static bool TryParse(string text, out IPEndPoint? endpoint, out string? error)
    {
        endpoint = null;
        error = null;
        if (text.Equals(Off, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = "must be HOST:PORT, :PORT or off";
            return false;
        }

        string host = text[..colon];
        string portText = text[(colon + 1)..];
        if (!ushort.TryParse(portText, System.Globalization.NumberStyles.None, null, out ushort port))
        {
            error = $"port \"{portText}\" is not a number from 0 to 65535";
            return false;
        }

        IPAddress address;
        if (host.Length == 0)
        {
            address = IPAddress.IPv6Any; // dual-stack: IPv4 and IPv6
        }
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else
        {
            string bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
            if (!IPAddress.TryParse(bare, out IPAddress? parsed) || (parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && bare == host))
            {
                error = $"\"{host}\" is not an IP address (write IPv6 as [addr]:port)";
                return false;
            }

            address = parsed;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
