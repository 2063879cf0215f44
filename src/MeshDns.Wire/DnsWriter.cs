using System.Buffers.Binary;

namespace MeshDns.Wire;

/// <summary>Bounds-checked writer up to the transport's message size: each method writes and advances, or returns false.
/// Names are compressed against one registered name (the question, whence every answer name comes).</summary>
public ref struct DnsWriter
{
    private readonly Span<byte> _buffer;
    private int _limit;
    private int _position;
    private int _compressionOffset;
    private int _compressionLength;

    public DnsWriter(Span<byte> buffer, int limit = int.MaxValue)
    {
        _buffer = buffer;
        _limit = Math.Min(limit, buffer.Length);
        _compressionOffset = -1;
    }

    public readonly int Position => _position;

    /// <summary>Changes the limit (e.g. once the client's EDNS size is known); never below what is written.</summary>
    public void SetLimit(int limit) => _limit = Math.Clamp(limit, _position, _buffer.Length);

    /// <summary>Holds back the last <paramref name="count"/> octets (e.g. room for an OPT record written last).</summary>
    public bool TryReserveTail(int count)
    {
        if (count < 0 || Remaining < count)
        {
            return false;
        }

        _limit -= count;
        return true;
    }

    public void ReleaseTail(int count) => _limit = Math.Min(_limit + count, _buffer.Length);

    public readonly int Remaining => _limit - _position;

    /// <summary>Makes the uncompressed name written at <paramref name="offset"/> (the question's, at 12) the target of
    /// compression pointers.</summary>
    public void SetCompressionTarget(int offset, int length)
    {
        if (offset < 0 || length < 1 || offset + length > _position || offset + length > 0x3FFF)
        {
            throw new ArgumentOutOfRangeException(nameof(offset));
        }

        _compressionOffset = offset;
        _compressionLength = length;
    }

    public bool TryWriteU8(byte value) => TryWriteBytes([value]);

    public bool TryWriteU16(ushort value) => TryWriteBytes([(byte)(value >> 8), (byte)value]);

    public bool TryWriteU32(uint value) => TryWriteBytes([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    public bool TryWriteIPv4(scoped ReadOnlySpan<byte> address) => address.Length == 4 && TryWriteBytes(address);

    public bool TryWriteIPv6(scoped ReadOnlySpan<byte> address) => address.Length == 16 && TryWriteBytes(address);

    public bool TryWriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        if (Remaining < bytes.Length)
        {
            return false;
        }

        bytes.CopyTo(_buffer[_position..]);
        _position += bytes.Length;
        return true;
    }

    public bool TryWriteRest(scoped ReadOnlySpan<byte> bytes) => TryWriteBytes(bytes);

    public bool TryWriteCharacterString(scoped ReadOnlySpan<byte> content) =>
        content.Length <= 255 && Remaining >= 1 + content.Length && TryWriteU8((byte)content.Length) && TryWriteBytes(content);

    /// <summary>Writes raw character-strings (as read by <see cref="DnsReader.TryReadCharacterStrings"/>) after checking their framing.</summary>
    public bool TryWriteCharacterStrings(scoped ReadOnlySpan<byte> raw)
    {
        var check = new DnsReader(raw);
        return check.TryReadCharacterStrings(out ReadOnlySpan<byte> all) && all.Length == raw.Length && TryWriteBytes(raw);
    }

    public bool TryWriteU16LengthBytes(scoped ReadOnlySpan<byte> content) =>
        content.Length <= ushort.MaxValue && Remaining >= 2 + content.Length && TryWriteU16((ushort)content.Length) && TryWriteBytes(content);

    /// <summary>Writes a whole resource record (header, RDATA, then its length); on failure nothing is left behind.</summary>
    public bool TryWriteRecord<TRdata>(scoped DnsName owner, ushort type, ushort recordClass, uint ttl, scoped TRdata rdata)
        where TRdata : IDnsWireFormat<TRdata>, allows ref struct
    {
        int start = _position;
        var header = new DnsRecordHeader { Name = owner, Type = type, Class = recordClass, Ttl = ttl };
        if (!DnsRecordHeader.TryWrite(ref this, header))
        {
            _position = start;
            return false;
        }

        int rdataStart = _position;
        if (!TRdata.TryWrite(ref this, rdata))
        {
            _position = start;
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(_buffer.Slice(rdataStart - 2, 2), (ushort)(_position - rdataStart)); // RDLENGTH
        return true;
    }

    /// <summary>Writes a name, replacing its longest suffix shared with the registered name by a pointer.</summary>
    public bool TryWriteName(scoped DnsName name)
    {
        if (name.IsEmpty)
        {
            return false;
        }

        Span<byte> wire = stackalloc byte[DnsName.MaxLength];
        name.TryCopyTo(wire, lowerCase: false, out int length);
        return TryWriteName(wire[..length]);
    }

    /// <summary>Writes a name whole, without a compression pointer (the SRV target, RFC 2782).</summary>
    public bool TryWriteUncompressedName(scoped DnsName name)
    {
        if (name.IsEmpty || Remaining < name.Length)
        {
            return false;
        }

        name.TryCopyTo(_buffer[_position..], lowerCase: false, out int length);
        _position += length;
        return true;
    }

    /// <summary>Writes an uncompressed, valid wire-form name with compression (see <see cref="TryWriteName(DnsName)"/>).</summary>
    public bool TryWriteName(scoped ReadOnlySpan<byte> wire)
    {
        int suffixAt = FindCompressibleSuffix(wire);
        int prefix = suffixAt < 0 ? wire.Length : suffixAt;
        int needed = prefix + (suffixAt < 0 ? 0 : 2);
        if (Remaining < needed)
        {
            return false;
        }

        wire[..prefix].CopyTo(_buffer[_position..]);
        _position += prefix;
        if (suffixAt >= 0)
        {
            int pointer = _compressionOffset + _compressionLength - (wire.Length - suffixAt);
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.Slice(_position, 2), (ushort)(0xC000 | pointer));
            _position += 2;
        }

        return true;
    }

    /// <summary>Where the longest non-root suffix equal (ignoring case) to one of the registered name starts, or -1.</summary>
    private readonly int FindCompressibleSuffix(scoped ReadOnlySpan<byte> wire)
    {
        if (_compressionOffset < 0)
        {
            return -1;
        }

        ReadOnlySpan<byte> target = _buffer.Slice(_compressionOffset, _compressionLength);
        for (int at = 0; at < wire.Length - 1; at += 1 + wire[at])
        {
            int suffixLength = wire.Length - at;
            int targetAt = target.Length - suffixLength;
            if (targetAt >= 0 && DnsName.IsLabelBoundary(target, targetAt) && EqualsIgnoreCase(wire[at..], target[targetAt..]))
            {
                return at;
            }
        }

        return -1;
    }

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (DnsName.ToLower(a[i]) != DnsName.ToLower(b[i]))
            {
                return false;
            }
        }

        return true;
    }
}
