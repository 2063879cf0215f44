using System.Net;
using System.Text;
using MeshDns.Wire;

namespace MeshDns.Tests.Support;

public sealed record DecodedQuestion(string Name, ushort Type, ushort Class);

/// <summary>A record in presentation-like form: enough to compare messages and assert answers.</summary>
public sealed record DecodedRecord(string Name, ushort Type, ushort Class, uint Ttl, string Data)
{
    public override string ToString() => $"{Name} {Ttl} {Type} {Data}";
}

public sealed record DecodedMessage(
    DnsHeader Header,
    IReadOnlyList<DecodedQuestion> Questions,
    IReadOnlyList<DecodedRecord> Answers,
    IReadOnlyList<DecodedRecord> Authority,
    IReadOnlyList<DecodedRecord> Additional)
{
    public int Rcode => Header.Rcode | (Opt is { } opt ? (int)(opt.Ttl >> 24) << 4 : 0);

    public DecodedRecord? Opt => Additional.FirstOrDefault(r => r.Type == DnsType.OPT);

    public string Render() =>
        $"id={Header.Id} flags={Header.Flags:X4} q=[{string.Join(",", Questions)}] an=[{string.Join(" | ", Answers)}] ns=[{string.Join(" | ", Authority)}] ar=[{string.Join(" | ", Additional)}]";
}

/// <summary>
/// Whole-message decoding and re-encoding built on the generated parts, for assertions, round trips and
/// fuzzing. Everything goes through the library's readers and writers.
/// </summary>
public static class MessageCodec
{
    public static DecodedMessage Decode(ReadOnlySpan<byte> message) =>
        TryDecode(message, out DecodedMessage? decoded) ? decoded : throw new FormatException("undecodable message: " + Convert.ToHexString(message));

    public static bool TryDecode(ReadOnlySpan<byte> message, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DecodedMessage? decoded)
    {
        decoded = null;
        var reader = new DnsReader(message);
        if (!DnsHeader.TryRead(ref reader, out DnsHeader header))
        {
            return false;
        }

        var questions = new List<DecodedQuestion>();
        for (int i = 0; i < header.QuestionCount; i++)
        {
            if (!DnsQuestion.TryRead(ref reader, out DnsQuestion q))
            {
                return false;
            }

            questions.Add(new DecodedQuestion(q.Name.ToString(), q.Type, q.Class));
        }

        var sections = new List<DecodedRecord>[3];
        int[] counts = [header.AnswerCount, header.AuthorityCount, header.AdditionalCount];
        for (int s = 0; s < 3; s++)
        {
            sections[s] = [];
            for (int i = 0; i < counts[s]; i++)
            {
                if (!TryDecodeRecord(ref reader, out DecodedRecord? record))
                {
                    return false;
                }

                sections[s].Add(record);
            }
        }

        if (reader.Remaining != 0)
        {
            return false; // trailing octets: not a well-formed message
        }

        decoded = new DecodedMessage(header, questions, sections[0], sections[1], sections[2]);
        return true;
    }

    private static bool TryDecodeRecord(ref DnsReader reader, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DecodedRecord? record)
    {
        record = null;
        if (!DnsRecordHeader.TryRead(ref reader, out DnsRecordHeader rr) || !reader.TryReadSubReader(rr.RdLength, out DnsReader rdata))
        {
            return false;
        }

        string? data = DecodeRdata(rr.Type, ref rdata);
        if (data is null || rdata.Remaining != 0)
        {
            return false;
        }

        record = new DecodedRecord(rr.Name.ToString(), rr.Type, rr.Class, rr.Ttl, data);
        return true;
    }

    private static string? DecodeRdata(ushort type, ref DnsReader rdata)
    {
        switch (type)
        {
            case DnsType.A:
                return ARdata.TryRead(ref rdata, out ARdata a) ? new IPAddress(a.Address).ToString() : null;
            case DnsType.AAAA:
                return AaaaRdata.TryRead(ref rdata, out AaaaRdata aaaa) ? new IPAddress(aaaa.Address).ToString() : null;
            case DnsType.CNAME:
                return CnameRdata.TryRead(ref rdata, out CnameRdata cname) ? cname.Target.ToString() : null;
            case DnsType.NS:
                return NsRdata.TryRead(ref rdata, out NsRdata ns) ? ns.Host.ToString() : null;
            case DnsType.PTR:
                return PtrRdata.TryRead(ref rdata, out PtrRdata ptr) ? ptr.Target.ToString() : null;
            case DnsType.SRV:
                return SrvRdata.TryRead(ref rdata, out SrvRdata srv) ? $"{srv.Priority} {srv.Weight} {srv.Port} {srv.Target.ToString()}" : null;
            case DnsType.SOA:
                return SoaRdata.TryRead(ref rdata, out SoaRdata soa)
                    ? $"{soa.MName.ToString()} {soa.RName.ToString()} {soa.Serial} {soa.Refresh} {soa.Retry} {soa.Expire} {soa.Minimum}"
                    : null;
            case DnsType.TXT:
                if (!TxtRdata.TryRead(ref rdata, out TxtRdata txt))
                {
                    return null;
                }

                var strings = new DnsReader(txt.Strings);
                var text = new StringBuilder();
                while (strings.Remaining > 0 && strings.TryReadCharacterString(out ReadOnlySpan<byte> s))
                {
                    text.Append(text.Length == 0 ? "" : " ").Append('"').Append(Encoding.ASCII.GetString(s)).Append('"');
                }

                return text.ToString();
            case DnsType.OPT:
                var options = new StringBuilder();
                while (rdata.Remaining > 0)
                {
                    if (!EdnsOption.TryRead(ref rdata, out EdnsOption option))
                    {
                        return null;
                    }

                    options.Append($"[{option.Code}:{Convert.ToHexString(option.Data)}]");
                }

                return options.ToString();
            default:
                return OpaqueRdata.TryRead(ref rdata, out OpaqueRdata opaque) ? Convert.ToHexString(opaque.Data) : null;
        }
    }

    /// <summary>
    /// Reads a message and writes it again with the generated parts, names uncompressed. False when the
    /// message is not well formed or does not fit.
    /// </summary>
    public static bool TryRewrite(ReadOnlySpan<byte> message, Span<byte> output, out int length)
    {
        length = 0;
        var reader = new DnsReader(message);
        var writer = new DnsWriter(output);
        if (!DnsHeader.TryRead(ref reader, out DnsHeader header) || !DnsHeader.TryWrite(ref writer, header))
        {
            return false;
        }

        for (int i = 0; i < header.QuestionCount; i++)
        {
            if (!DnsQuestion.TryRead(ref reader, out DnsQuestion q) || !DnsQuestion.TryWrite(ref writer, q))
            {
                return false;
            }
        }

        int records = header.AnswerCount + header.AuthorityCount + header.AdditionalCount;
        for (int i = 0; i < records; i++)
        {
            if (!DnsRecordHeader.TryRead(ref reader, out DnsRecordHeader rr) || !reader.TryReadSubReader(rr.RdLength, out DnsReader rdata))
            {
                return false;
            }

            bool ok = rr.Type switch
            {
                DnsType.A => ARdata.TryRead(ref rdata, out ARdata a) && writer.TryWriteRecord(rr.Name, rr.Type, rr.Class, rr.Ttl, a),
                DnsType.AAAA => AaaaRdata.TryRead(ref rdata, out AaaaRdata x) && writer.TryWriteRecord(rr.Name, rr.Type, rr.Class, rr.Ttl, x),
                DnsType.CNAME => CnameRdata.TryRead(ref rdata, out CnameRdata c) && writer.TryWriteRecord(rr.Name, rr.Type, rr.Class, rr.Ttl, c),
                DnsType.NS => NsRdata.TryRead(ref rdata, out NsRdata n) && writer.TryWriteRecord(rr.Name, rr.Type, rr.Class, rr.Ttl, n),
                DnsType.SOA => SoaRdata.TryRead(ref rdata, out SoaRdata s) && writer.TryWriteRecord(rr.Name, rr.Type, rr.Class, rr.Ttl, s),
                DnsType.PTR => PtrRdata.TryRead(ref rdata, out PtrRdata p) && writer.TryWriteRecord(rr.Name, rr.Type, rr.Class, rr.Ttl, p),
                DnsType.SRV => SrvRdata.TryRead(ref rdata, out SrvRdata v) && writer.TryWriteRecord(rr.Name, rr.Type, rr.Class, rr.Ttl, v),
                DnsType.TXT => TxtRdata.TryRead(ref rdata, out TxtRdata t) && writer.TryWriteRecord(rr.Name, rr.Type, rr.Class, rr.Ttl, t),
                _ => OpaqueRdata.TryRead(ref rdata, out OpaqueRdata o) && writer.TryWriteRecord(rr.Name, rr.Type, rr.Class, rr.Ttl, o),
            };
            if (!ok || rdata.Remaining != 0)
            {
                return false;
            }
        }

        if (reader.Remaining != 0)
        {
            return false;
        }

        length = writer.Position;
        return true;
    }
}
