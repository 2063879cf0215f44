using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using MeshDns.Frontends.Dns;
using MeshDns.Resolver;
using Microsoft.Extensions.Logging.Abstractions;
using static MeshDns.Fuzz.PropertyException;

namespace MeshDns.Fuzz;

/// <summary>
/// The TCP framing of the real <see cref="TcpFrontend"/> on loopback: the input's first octet picks the size of the
/// writes (1 to 256 octets, so frames and length prefixes arrive split), the rest is the stream: length-prefixed,
/// pipelined, possibly partial or oversized frames. What comes back must be, octet for octet, the prefixed answers
/// of the complete frames before the first bad length, in order, as the resolver gives them with the TCP limit.
/// </summary>
internal static class DnsTcpTarget
{
    private static readonly TcpOptions Options = new();
    private static readonly DnsResolver Direct = FuzzTable.Resolvers()[0];
    private static readonly Lazy<TcpFrontend> Frontend = new(Start);

    public static void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        byte[] expected = Expected(input.AsSpan(1));
        (byte[] received, bool reset) = Exchange(input[0] + 1, input.AsMemory(1));
        bool prefix = received.AsSpan().SequenceEqual(expected.AsSpan(0, Math.Min(received.Length, expected.Length)));
        Require(prefix && (reset || received.Length == expected.Length), $"received {received.Length} octets{(reset ? " (reset)" : "")}, expected {expected.Length}{(prefix ? "" : ", and they differ")}");
        Require(Frontend.Value.Stats.Sum(s => s.Errors) == 0, "the frontend counted an error");
    }

    /// <summary>The answers, each with its length prefix, as the frontend must send them.</summary>
    private static byte[] Expected(ReadOnlySpan<byte> stream)
    {
        using var answers = new MemoryStream();
        var response = new byte[DnsResolver.MaxMessageSize];
        Span<byte> prefix = stackalloc byte[2];
        while (stream.Length >= 2)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(stream);
            if (length == 0 || length > Options.MaxQuerySize || stream.Length - 2 < length)
            {
                break; // a bad length closes the connection; a partial frame is never answered
            }

            ReadOnlySpan<byte> query = stream.Slice(2, length);
            ResolveResult result = Direct.Resolve(query, response, DnsTransport.Tcp);
            ResponseCheck.Verify(query, response.AsSpan(0, result.Length), DnsTransport.Tcp, 0);
            if (result.Length > 0)
            {
                BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)result.Length);
                answers.Write(prefix);
                answers.Write(response, 0, result.Length);
            }

            stream = stream[(2 + length)..];
        }

        return answers.ToArray();
    }

    /// <summary>Sends the stream in writes of <paramref name="chunk"/> octets, half-closes, reads to the end.</summary>
    private static (byte[] Received, bool Reset) Exchange(int chunk, ReadOnlyMemory<byte> stream)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(Frontend.Value.Endpoint);
        bool reset = false;
        try
        {
            for (int at = 0; at < stream.Length; at += chunk)
            {
                client.Send(stream.Span.Slice(at, Math.Min(chunk, stream.Length - at)));
            }

            client.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            reset = true; // the server closed on a bad frame while we were still sending
        }

        using var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int n;
            while ((n = client.Receive(buffer)) > 0)
            {
                received.Write(buffer, 0, n);
            }
        }
        catch (SocketException)
        {
            reset = true;
        }

        return (received.ToArray(), reset);
    }

    private static TcpFrontend Start()
    {
        var frontend = new TcpFrontend(Direct, new IPEndPoint(IPAddress.Loopback, 0), Options, NullLogger.Instance);
        frontend.Start();
        return frontend;
    }
}
