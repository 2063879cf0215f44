using MeshDns.Tests.Support;
using MeshDns.Wire;

namespace MeshDns.Tests.Wire;

public class NameTests
{
    private static bool TryReadAt(byte[] message, int offset, out string text, out int next)
    {
        var reader = new DnsReader(message);
        reader.TrySkip(offset);
        bool ok = reader.TryReadName(out DnsName name);
        text = ok ? name.ToString() : "";
        next = reader.Position;
        return ok;
    }

    [Theory]
    // plain name
    [InlineData("03777777076578616d706c6500", 0, "www.example.", 13)]
    // root
    [InlineData("00", 0, ".", 1)]
    // pointer back to an earlier name, after a label
    [InlineData("076578616d706c650003777777c000", 9, "www.example.", 15)]
    // pointer chain: c -> b -> a, each strictly backward
    [InlineData("0161000162c0000163c003", 7, "c.b.a.", 11)]
    public void Reads_valid_names(string hex, int offset, string expected, int next)
    {
        Assert.True(TryReadAt(Convert.FromHexString(hex), offset, out string text, out int position));
        Assert.Equal(expected, text);
        Assert.Equal(next, position);
    }

    [Theory]
    [InlineData("c000", 0)]                   // points at itself
    [InlineData("0161c000", 0)]               // points into its own first segment: loop
    [InlineData("c0020000", 0)]               // forward pointer
    [InlineData("0161c004c002", 4)]           // pointer to a pointer that points forward
    [InlineData("03777777", 0)]               // no terminator
    [InlineData("037777", 0)]                 // label runs past the end
    [InlineData("c0", 0)]                     // pointer cut in half
    [InlineData("4161", 0)]                   // label type 01
    [InlineData("8161", 0)]                   // label type 10
    public void Rejects_malformed_names(string hex, int offset)
    {
        Assert.False(TryReadAt(Convert.FromHexString(hex), offset, out _, out _));
    }

    [Fact]
    public void Rejects_labels_over_63_octets()
    {
        byte[] ok = [63, .. new byte[63].Select(_ => (byte)'a'), 0];
        byte[] bad = [64, .. new byte[64].Select(_ => (byte)'a'), 0];
        Assert.True(TryReadAt(ok, 0, out _, out _));
        Assert.False(TryReadAt(bad, 0, out _, out _)); // 64 has type bits 01
    }

    [Fact]
    public void Rejects_names_over_255_octets_even_through_pointers()
    {
        // Four 63-octet labels = 256 octets with the root: one too many.
        var labels = new List<byte>();
        for (int i = 0; i < 4; i++)
        {
            labels.Add(63);
            labels.AddRange(Enumerable.Repeat((byte)'a', 63));
        }

        Assert.False(TryReadAt([.. labels, 0], 0, out _, out _));
        Assert.True(TryReadAt([.. labels.Skip(1), 0], 63, out _, out _)); // 3 labels + a 62-octet tail fits

        // The same length built from a pointer chain is caught too.
        byte[] head = [.. labels.Take(64 * 2), 0]; // two labels and a root at offset 0..128
        byte[] message = [.. head, 63, .. Enumerable.Repeat((byte)'b', 63), 63, .. Enumerable.Repeat((byte)'b', 63), 0xC0, 0x00];
        Assert.False(TryReadAt(message, head.Length, out _, out _));
    }

    [Fact]
    public void Decompression_inside_rdata_may_point_before_the_rdata()
    {
        byte[] response = Vectors.Get("cname-alias").Response;
        Assert.Equal("www.example.test.", MessageCodec.Decode(response).Answers[0].Data);
    }

    [Fact]
    public void Copy_lowercases_on_request()
    {
        byte[] wire = Query.EncodeName("WwW.ExAmPlE");
        Assert.True(DnsName.TryCreate(wire, out DnsName name));
        Span<byte> lower = stackalloc byte[255];
        Assert.True(name.TryCopyTo(lower, lowerCase: true, out int n));
        Assert.Equal(Query.EncodeName("www.example"), lower[..n].ToArray());
        Assert.True(name.TryCopyTo(lower, lowerCase: false, out n));
        Assert.Equal(wire, lower[..n].ToArray());
        Assert.Equal(13, name.Length);
    }

    [Theory]
    [InlineData("a.b.c", "0161016201630" + "0")]
    [InlineData("a.b.c.", "01610162016300")]
    [InlineData("", "00")]
    [InlineData(".", "00")]
    public void Encodes_text(string text, string hex)
    {
        Span<byte> buffer = stackalloc byte[255];
        int n = DnsName.TryEncode(text, buffer);
        Assert.Equal(hex, Convert.ToHexString(buffer[..n]).ToLowerInvariant());
    }

    [Theory]
    [InlineData("a..b")]
    [InlineData("a b.c")]
    public void Refuses_bad_text(string text)
    {
        Assert.Equal(-1, DnsName.TryEncode(text, stackalloc byte[255]));
    }
}
