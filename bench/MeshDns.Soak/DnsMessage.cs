using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace MeshDns.Soak;

/// <summary>What the checks need of a response: its ID, RCODE and A addresses.</summary>
public readonly record struct DnsAnswer(ushort Id, int Rcode, IReadOnlyList<IPAddress> Addresses)
{
    public const int NoError = 0;
    public const int NxDomain = 3;
}

/// <summary>A minimal query writer and response reader, independent of the server's own wire code on purpose.</summary>
public static class DnsMessage
{
    public const ushort TypeA = 1;
    public const ushort TypeAaaa = 28;
    private const int HeaderLength = 12;

    /// <summary>A query with RD set and no EDNS.</summary>
    public static byte[] Query(ushort id, string name, ushort type = TypeA)
    {
        var q = new List<byte>(HeaderLength + name.Length + 6);
        Span<byte> header = stackalloc byte[HeaderLength];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        header[2] = 0x01; // RD
        header[5] = 1; // QDCOUNT
        q.AddRange(header);
        foreach (string label in name.TrimEnd('.').Split('.'))
        {
            q.Add((byte)label.Length);
            q.AddRange(Encoding.ASCII.GetBytes(label));
        }

        q.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. q];
    }

    /// <summary>The same query with the two-octet length prefix of DNS over TCP.</summary>
    public static byte[] TcpFramed(byte[] query)
    {
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        return framed;
    }

    /// <summary>Reads a response; null when it is too short or malformed.</summary>
    public static DnsAnswer? Read(ReadOnlySpan<byte> m)
    {
        if (m.Length < HeaderLength || (m[2] & 0x80) == 0)
        {
            return null;
        }

        ushort id = BinaryPrimitives.ReadUInt16BigEndian(m);
        int rcode = m[3] & 0x0F;
        int qd = BinaryPrimitives.ReadUInt16BigEndian(m[4..]);
        int an = BinaryPrimitives.ReadUInt16BigEndian(m[6..]);
        int at = HeaderLength;
        for (int i = 0; i < qd && at >= 0; i++)
        {
            at = SkipName(m, at);
            at = at < 0 ? at : at + 4;
        }

        var addresses = new List<IPAddress>();
        for (int i = 0; i < an && at >= 0; i++)
        {
            at = SkipName(m, at);
            if (at < 0 || at + 10 > m.Length)
            {
                return null;
            }

            ushort type = BinaryPrimitives.ReadUInt16BigEndian(m[at..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(m[(at + 8)..]);
            at += 10;
            if (at + length > m.Length)
            {
                return null;
            }

            if (type == TypeA && length == 4)
            {
                addresses.Add(new IPAddress(m.Slice(at, 4)));
            }

            at += length;
        }

        return at < 0 ? null : new DnsAnswer(id, rcode, addresses);
    }

    private static int SkipName(ReadOnlySpan<byte> m, int at)
    {
        while (at >= 0 && at < m.Length)
        {
            byte length = m[at];
            if (length == 0)
            {
                return at + 1;
            }

            if ((length & 0xC0) == 0xC0)
            {
                return at + 2;
            }

            at += 1 + length;
        }

        return -1;
    }
}
