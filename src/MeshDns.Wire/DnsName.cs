namespace MeshDns.Wire;

/// <summary>A validated domain name, in a message (maybe compressed) or in plain wire form; a view until <see cref="TryCopyTo"/>.</summary>
public readonly ref struct DnsName
{
    /// <summary>Longest name in wire form, root octet included (RFC 1035 3.1).</summary>
    public const int MaxLength = 255;

    /// <summary>Longest label (RFC 1035 2.3.4).</summary>
    public const int MaxLabelLength = 63;

    private readonly ReadOnlySpan<byte> _message;
    private readonly int _offset;

    internal DnsName(ReadOnlySpan<byte> message, int offset, int length)
    {
        _message = message;
        (_offset, Length) = (offset, length);
    }

    /// <summary>Length of the uncompressed wire form, root octet included (1 for the root).</summary>
    public int Length { get; }

    /// <summary>True for the default value, which is not a name (not even the root).</summary>
    public bool IsEmpty => Length == 0;

    public static DnsName Root => new(RootWire, 0, 1);

    private static ReadOnlySpan<byte> RootWire => [0];

    /// <summary>Wraps an uncompressed wire-form name after validating it.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> wire, out DnsName name)
    {
        var reader = new DnsReader(wire);
        if (reader.TryReadName(out name) && reader.Position == wire.Length)
        {
            return true;
        }

        name = default;
        return false;
    }

    /// <summary>Writes the uncompressed wire form to <paramref name="destination"/>, optionally in lower case (ASCII).</summary>
    public bool TryCopyTo(Span<byte> destination, bool lowerCase, out int written)
    {
        written = 0;
        if (destination.Length < Length)
        {
            return false;
        }

        int position = _offset;
        // The name was validated when it was read, so each step below stays inside the message and ends.
        while (true)
        {
            byte length = _message[position];
            if (length >= 0xC0)
            {
                position = ((length & 0x3F) << 8) | _message[position + 1];
                continue;
            }

            destination[written++] = length;
            if (length == 0)
            {
                return true;
            }

            ReadOnlySpan<byte> label = _message.Slice(position + 1, length);
            Span<byte> target = destination.Slice(written, length);
            if (lowerCase)
            {
                for (int i = 0; i < label.Length; i++)
                {
                    target[i] = ToLower(label[i]);
                }
            }
            else
            {
                label.CopyTo(target);
            }

            written += length;
            position += 1 + length;
        }
    }

    /// <summary>Dotted presentation form with a trailing dot (for logs and tests; allocates).</summary>
    public override string ToString()
    {
        if (IsEmpty)
        {
            return string.Empty;
        }

        Span<byte> wire = stackalloc byte[MaxLength];
        TryCopyTo(wire, lowerCase: false, out int n);
        // Non-printable octets and dots inside labels are escaped.
        var text = new System.Text.StringBuilder(n + 4);
        for (int position = 0; wire[position] != 0; position += 1 + wire[position])
        {
            foreach (byte b in wire.Slice(position + 1, wire[position]))
            {
                if (b is (byte)'.' or (byte)'\\')
                {
                    text.Append('\\').Append((char)b);
                }
                else if (b is < 0x21 or > 0x7E)
                {
                    text.Append('\\').Append(b.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    text.Append((char)b);
                }
            }

            text.Append('.');
        }

        return text.Length == 0 ? "." : text.ToString();
    }

    /// <summary>Encodes a dotted name ("a.b.c" or "a.b.c.", no escapes) to wire form; returns the length, or -1 when the
    /// text is not a valid name.</summary>
    public static int TryEncode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (text.Length > 0 && text[^1] == '.')
        {
            text = text[..^1];
        }

        int written = 0;
        if (text.Length > 0)
        {
            foreach (Range range in text.Split('.'))
            {
                ReadOnlySpan<char> label = text[range];
                if (label.Length is 0 or > MaxLabelLength || written + 1 + label.Length + 1 > MaxLength || written + 1 + label.Length > destination.Length)
                {
                    return -1;
                }

                destination[written++] = (byte)label.Length;
                foreach (char c in label)
                {
                    if (c > 0x7E || c < 0x21)
                    {
                        return -1;
                    }

                    destination[written++] = (byte)c;
                }
            }
        }

        if (written >= destination.Length)
        {
            return -1;
        }

        destination[written++] = 0;
        return written;
    }

    /// <summary>Whether a label of the uncompressed <paramref name="wire"/> name starts at <paramref name="offset"/>.</summary>
    public static bool IsLabelBoundary(ReadOnlySpan<byte> wire, int offset)
    {
        int at = 0;
        while (at < offset)
        {
            at += 1 + wire[at];
        }

        return at == offset;
    }

    internal static byte ToLower(byte b) => (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;
}
