using MeshDns.Tests.Support;
using MeshDns.Wire;

namespace MeshDns.Tests.Wire;

public class WriterTests
{
    [Fact]
    public void Names_are_compressed_against_the_question_ignoring_case()
    {
        var buffer = new byte[512];
        var writer = new DnsWriter(buffer);
        byte[] question = Query.EncodeName("Svc.Test.Global");
        writer.TryWriteBytes(new byte[12]);
        writer.TryWriteBytes(question);
        writer.SetCompressionTarget(12, question.Length);

        int at = writer.Position;
        Assert.True(writer.TryWriteName(Query.EncodeName("svc.test.global")));
        Assert.Equal("C00C", Convert.ToHexString(buffer, at, 2));

        at = writer.Position;
        Assert.True(writer.TryWriteName(Query.EncodeName("ns.global")));
        Assert.Equal("026E73C015", Convert.ToHexString(buffer, at, 5)); // "ns" + pointer to "Global" at 12+4+5

        at = writer.Position;
        Assert.True(writer.TryWriteName(Query.EncodeName("other.example")));
        Assert.Equal(Query.EncodeName("other.example").Length, writer.Position - at); // nothing shared: written in full

        at = writer.Position;
        Assert.True(writer.TryWriteName(Query.EncodeName("global.test")));
        Assert.Equal(13, writer.Position - at); // a shared label in the middle is not a suffix
    }

    [Fact]
    public void Writes_fail_at_the_limit_without_writing_past_it()
    {
        var buffer = new byte[16];
        var writer = new DnsWriter(buffer, 5);
        Assert.True(writer.TryWriteU32(1));
        Assert.False(writer.TryWriteU16(2));
        Assert.True(writer.TryWriteU8(3));
        Assert.False(writer.TryWriteU8(4));
        Assert.Equal(5, writer.Position);
        Assert.All(buffer[5..], b => Assert.Equal(0, b));
        Assert.False(writer.TryWriteIPv4(new byte[3]));
    }

    [Fact]
    public void Record_rolls_back_when_rdata_does_not_fit()
    {
        var buffer = new byte[30];
        var writer = new DnsWriter(buffer);
        Assert.True(DnsName.TryCreate(Query.EncodeName("a.b"), out DnsName owner));
        Assert.True(writer.TryWriteRecord(owner, DnsType.A, DnsClass.IN, 30, new ARdata { Address = [1, 2, 3, 4] }));
        Assert.Equal(5 + 10 + 4, writer.Position);
        int before = writer.Position;
        Assert.False(writer.TryWriteRecord(owner, DnsType.AAAA, DnsClass.IN, 30, new AaaaRdata { Address = new byte[16] }));
        Assert.Equal(before, writer.Position);
    }

    [Fact]
    public void Header_bits_map_to_rfc_positions()
    {
        var header = new DnsHeader();
        header.IsResponse = true;
        Assert.Equal(0x8000, header.Flags);
        header.Opcode = 0xF;
        Assert.Equal(0xF800, header.Flags);
        header.Opcode = 2;
        header.Authoritative = true;
        header.Truncated = true;
        header.RecursionDesired = true;
        header.RecursionAvailable = true;
        header.Rcode = 0x13; // only the low four bits fit
        Assert.Equal(0x8000 | (2 << 11) | 0x0400 | 0x0200 | 0x0100 | 0x0080 | 0x3, header.Flags);
        header.Truncated = false;
        Assert.False(header.Truncated);
        Assert.True(header.Authoritative);
        Assert.Equal(3, header.Rcode);
    }

    [Fact]
    public void Txt_and_character_strings_round_trip_and_reject_bad_framing()
    {
        var buffer = new byte[64];
        var writer = new DnsWriter(buffer);
        Assert.True(writer.TryWriteCharacterStrings([2, (byte)'h', (byte)'i', 0]));
        Assert.False(writer.TryWriteCharacterStrings([5, (byte)'h']));
        Assert.False(writer.TryWriteCharacterStrings([]));
        var reader = new DnsReader(buffer.AsSpan(0, writer.Position));
        Assert.True(TxtRdata.TryRead(ref reader, out TxtRdata txt));
        Assert.Equal(4, txt.Strings.Length);
    }
}
