using System.Buffers.Binary;

namespace MeshDns.Wire;

/// <summary>Bounds-checked reader over a whole DNS message: each method reads and advances, or returns false. A sub-reader
/// keeps the whole message (pointers inside RDATA resolve) but stops at the RDATA's end.</summary>
public ref struct DnsReader
{
    private readonly ReadOnlySpan<byte> _message;
    private readonly int _end;
    private int _position;

    public DnsReader(ReadOnlySpan<byte> message)
        : this(message, 0, message.Length)
    {
    }

    private DnsReader(ReadOnlySpan<byte> message, int position, int end)
    {
        _message = message;
        _position = position;
        _end = end;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _end - _position;

    public bool TryReadU8(out byte value)
    {
        bool read = TryReadBytes(1, out ReadOnlySpan<byte> bytes);
        value = read ? bytes[0] : default;
        return read;
    }

    public bool TryReadU16(out ushort value)
    {
        bool read = TryReadBytes(2, out ReadOnlySpan<byte> bytes);
        value = read ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : default;
        return read;
    }

    public bool TryReadU32(out uint value)
    {
        bool read = TryReadBytes(4, out ReadOnlySpan<byte> bytes);
        value = read ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : default;
        return read;
    }

    public bool TryReadIPv4(out ReadOnlySpan<byte> address) => TryReadBytes(4, out address);

    public bool TryReadIPv6(out ReadOnlySpan<byte> address) => TryReadBytes(16, out address);

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> bytes)
    {
        if (count < 0 || Remaining < count)
        {
            bytes = default;
            return false;
        }

        bytes = _message.Slice(_position, count);
        _position += count;
        return true;
    }

    public bool TrySkip(int count) => TryReadBytes(count, out _);

    /// <summary>The rest of the data up to this reader's end.</summary>
    public bool TryReadRest(out ReadOnlySpan<byte> rest) => TryReadBytes(Remaining, out rest);

    /// <summary>A length octet, then that many octets (RFC 1035 3.3 character-string).</summary>
    public bool TryReadCharacterString(out ReadOnlySpan<byte> content) => TryReadLengthPrefixed(1, out content);

    /// <summary>One or more character-strings filling the rest of the data (TXT RDATA); returned raw.</summary>
    public bool TryReadCharacterStrings(out ReadOnlySpan<byte> raw)
    {
        raw = default;
        DnsReader copy = this;
        int start = _position;
        do
        {
            if (!copy.TryReadCharacterString(out _))
            {
                return false;
            }
        }
        while (copy.Remaining > 0);

        raw = _message[start..copy._position];
        this = copy;
        return true;
    }

    /// <summary>A two-octet length, then that many octets (EDNS0 option data, RFC 6891 6.1.2).</summary>
    public bool TryReadU16LengthBytes(out ReadOnlySpan<byte> content) => TryReadLengthPrefixed(2, out content);

    /// <summary>A one- or two-octet length, then that many octets; nothing is consumed unless both are there.</summary>
    private bool TryReadLengthPrefixed(int prefixSize, out ReadOnlySpan<byte> content)
    {
        content = default;
        DnsReader copy = this;
        if (!copy.TryReadBytes(prefixSize, out ReadOnlySpan<byte> prefix)
            || !copy.TryReadBytes(prefixSize == 1 ? prefix[0] : BinaryPrimitives.ReadUInt16BigEndian(prefix), out content))
        {
            return false;
        }

        this = copy;
        return true;
    }

    /// <summary>A reader over the next <paramref name="length"/> octets (e.g. RDATA); this reader skips them.</summary>
    public bool TryReadSubReader(int length, out DnsReader sub)
    {
        int start = _position;
        bool read = TryReadBytes(length, out _);
        sub = read ? new DnsReader(_message, start, start + length) : default;
        return read;
    }

    /// <summary>A name in a field that must not be compressed; read leniently like any name (RFC 3597 4).</summary>
    public bool TryReadUncompressedName(out DnsName name) => TryReadName(out name);

    /// <summary>
    /// Reads a domain name (RFC 1035 3.1, 4.1.4):
    /// <code>
    /// label:   +--+--+--+--+--+--+--+--+----------------+
    ///          | 0  0|  length (1..63) |  length octets |   ... ending with a zero length octet
    ///          +--+--+--+--+--+--+--+--+----------------+
    /// pointer: +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
    ///          | 1  1|              OFFSET (14 bits)             |
    ///          +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
    /// </code>
    /// A pointer must point strictly before the segment holding it (no loops, no forward references); label types 01
    /// and 10 are rejected.
    /// </summary>
    public bool TryReadName(out DnsName name)
    {
        name = default;
        int position = _position;
        int limit = _end;           // the in-place part must lie inside this reader
        int segmentStart = position;
        int resumeAt = -1;          // where this reader continues after the first pointer
        int length = 0;
        while (position < limit)
        {
            byte b = _message[position];
            if (b == 0)
            {
                name = new DnsName(_message, _position, length + 1);
                _position = resumeAt < 0 ? position + 1 : resumeAt;
                return true;
            }

            if ((b & 0xC0) == 0xC0)
            {
                int target = position + 1 < limit ? ((b & 0x3F) << 8) | _message[position + 1] : int.MaxValue;
                if (target >= segmentStart)
                {
                    return false; // cut short, or a forward or self pointer (could loop)
                }

                resumeAt = resumeAt < 0 ? position + 2 : resumeAt;
                position = segmentStart = target;
                limit = _message.Length; // earlier parts of the message are fair game
            }
            else if ((b & 0xC0) == 0 && length + 1 + b + 1 <= DnsName.MaxLength && position + 1 + b <= limit)
            {
                length += 1 + b;
                position += 1 + b;
            }
            else
            {
                return false; // too long, past the end, or label types 01 and 10 (obsolete or extended)
            }
        }

        return false;
    }
}
