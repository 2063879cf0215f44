using System.Buffers.Binary;
using MeshDns.Resolver;
using MeshDns.Wire;
using static MeshDns.Fuzz.PropertyException;

namespace MeshDns.Fuzz;

/// <summary>What a query asks for, read with MeshDns.Wire the way the resolver must read it.</summary>
internal readonly record struct QueryView(bool Answerable, int QuestionLength, int? EdnsSize)
{
    /// <summary>Answerable: a readable header of a query (QR clear). QuestionLength: octets of the one question when
    /// it is readable and not compressed (the resolver echoes exactly those), else 0. EdnsSize: the OPT's CLASS
    /// when the question and every record are readable and the additional section has exactly one OPT.</summary>
    public static QueryView Read(ReadOnlySpan<byte> query)
    {
        var reader = new DnsReader(query);
        if (!DnsHeader.TryRead(ref reader, out DnsHeader header) || header.IsResponse)
        {
            return default;
        }

        int start = reader.Position;
        if (header.QuestionCount != 1 || !DnsQuestion.TryRead(ref reader, out DnsQuestion question) || reader.Position - start - 4 != question.Name.Length)
        {
            return new QueryView(true, 0, null);
        }

        int questionLength = reader.Position - start;
        int skipped = header.AnswerCount + header.AuthorityCount, opts = 0;
        ushort size = 0;
        for (int i = 0; i < skipped + header.AdditionalCount; i++)
        {
            if (!DnsRecordHeader.TryRead(ref reader, out DnsRecordHeader record) || !reader.TryReadSubReader(record.RdLength, out _))
            {
                return new QueryView(true, questionLength, null);
            }

            if (i >= skipped && record.Type == DnsType.OPT)
            {
                opts++;
                size = record.Class;
            }
        }

        return new QueryView(true, questionLength, opts == 1 ? size : null);
    }

    /// <summary>The largest response the transport allows for this query: on UDP 512 octets without EDNS, else the
    /// client's size capped by the server's (never under 512); on TCP the 16-bit frame length.</summary>
    public int Limit(DnsTransport transport, ushort serverUdpSize) =>
        transport != DnsTransport.Udp ? DnsResolver.MaxMessageSize
        : EdnsSize is int client ? Math.Max(DnsResolver.MinimumBufferSize, Math.Min(client, serverUdpSize))
        : DnsResolver.MinimumBufferSize;
}

/// <summary>Checks one response against its query with the project's own reader.</summary>
internal static class ResponseCheck
{
    public static void Verify(ReadOnlySpan<byte> query, ReadOnlySpan<byte> response, DnsTransport transport, ushort serverUdpSize)
    {
        QueryView view = QueryView.Read(query);
        if (!view.Answerable)
        {
            Require(response.IsEmpty, "an unreadable header or a response got an answer");
            return;
        }

        int limit = view.Limit(transport, serverUdpSize);
        Require(response.Length >= DnsHeader.WireSize && response.Length <= limit, $"{transport} response of {response.Length} octets, limit {limit}");
        var reader = new DnsReader(response);
        Require(DnsHeader.TryRead(ref reader, out DnsHeader header), "response header unreadable");
        Require(header.IsResponse, "QR clear in the response");
        Require(header.Id == BinaryPrimitives.ReadUInt16BigEndian(query), "ID not echoed");
        Require(header.QuestionCount == (view.QuestionLength > 0 ? 1 : 0), $"{header.QuestionCount} questions in the response, query question of {view.QuestionLength} octets");
        Require(response.Slice(DnsHeader.WireSize).StartsWith(query.Slice(DnsHeader.WireSize, view.QuestionLength)), "question not echoed octet for octet");
        Require(header.QuestionCount == 0 || DnsQuestion.TryRead(ref reader, out _), "echoed question unreadable");
        int records = header.AnswerCount + header.AuthorityCount + header.AdditionalCount, opts = 0;
        for (int i = 0; i < records; i++)
        {
            DnsReader rdata = default;
            Require(DnsRecordHeader.TryRead(ref reader, out DnsRecordHeader record) && reader.TryReadSubReader(record.RdLength, out rdata), $"record {i} unreadable");
            CheckRdata(record, ref rdata, additional: i >= header.AnswerCount + header.AuthorityCount);
            opts += record.Type == DnsType.OPT ? 1 : 0;
        }

        Require(reader.Remaining == 0, $"{reader.Remaining} octets after the last record");
        Require(opts == 0 || (opts == 1 && view.EdnsSize is not null), "OPT in the response to a query without one, or more than one");
    }

    private static void CheckRdata(scoped in DnsRecordHeader record, ref DnsReader rdata, bool additional)
    {
        bool whole = record.Type switch
        {
            DnsType.A => rdata.Remaining == 4,
            DnsType.AAAA => rdata.Remaining == 16,
            DnsType.NS => NsRdata.TryRead(ref rdata, out _) && rdata.Remaining == 0,
            DnsType.SOA => SoaRdata.TryRead(ref rdata, out _) && rdata.Remaining == 0,
            DnsType.PTR => !additional && PtrRdata.TryRead(ref rdata, out _) && rdata.Remaining == 0,
            // The SRV target is written whole (RFC 2782): its uncompressed length fills the rest of the RDATA.
            DnsType.SRV => !additional && SrvRdata.TryRead(ref rdata, out SrvRdata srv) && rdata.Remaining == 0 && srv.Target.Length == record.RdLength - 6,
            DnsType.OPT => additional && record.Name.Length == 1,
            _ => false,
        };
        Require(whole, $"record of type {record.Type} with {record.RdLength} octets of RDATA is not what MeshDns writes");
    }
}
