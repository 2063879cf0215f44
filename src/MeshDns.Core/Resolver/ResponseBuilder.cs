using MeshDns.Wire;

namespace MeshDns.Resolver;

/// <summary>The section a record goes to; records are added section by section, in this order.</summary>
internal enum Section : byte { Answer, Authority, Additional }

/// <summary>One response being written; the header is filled in by Finish. After the first record that does not fit, TC is set.</summary>
internal ref struct ResponseBuilder
{
    private const int OptRecordSize = 11; // root name, type, class, ttl, rdlength
    private readonly Span<byte> _response;
    private readonly ushort _ednsUdpSize;
    private DnsWriter _writer;
    private DnsHeader _header;
    private ushort _qtype;
    private bool _hasEdns;
    private int _answers;
    private int _authority;
    private int _additional;
    private bool _truncated;

    public ResponseBuilder(Span<byte> response, in DnsHeader request, int limit, ushort ednsUdpSize)
    {
        _response = response;
        _ednsUdpSize = ednsUdpSize;
        _header = new DnsHeader { Id = request.Id, IsResponse = true, Opcode = request.Opcode, RecursionDesired = request.RecursionDesired, CheckingDisabled = request.CheckingDisabled };
        _writer = new DnsWriter(response, limit);
        default(DnsHeader).TryWrite(ref _writer); // its place; the real header is written by Finish
    }

    public readonly int Answers => _answers;

    /// <summary>AA, kept only if the answer ends NOERROR or NXDOMAIN.</summary>
    public void MarkAuthoritative() => _header.Authoritative = true;

    /// <summary>Copies the question as it came and makes its name the target of compression pointers.</summary>
    public void EchoQuestion(scoped ReadOnlySpan<byte> question, ushort qtype, int nameLength)
    {
        _writer.TryWriteBytes(question);
        _writer.SetCompressionTarget(DnsHeader.WireSize, nameLength);
        _qtype = qtype;
    }

    /// <summary>Answers with an OPT record: room for it is held back now, and on UDP the client's size applies.</summary>
    public void UseEdns(ushort clientUdpSize, bool udp)
    {
        if (udp)
        {
            _writer.SetLimit(Math.Clamp((int)Math.Min(clientUdpSize, _ednsUdpSize), DnsResolver.MinimumBufferSize, DnsResolver.MaxMessageSize));
        }

        _writer.TryReserveTail(OptRecordSize);
        _hasEdns = true;
    }

    /// <summary>Adds one record to a section; false once the response is full. A record that does not fit sets TC,
    /// except in the additional section, whose records are optional (RFC 2181 9).</summary>
    public bool TryAdd<TRdata>(scoped DnsName owner, ushort type, uint ttl, scoped TRdata rdata, Section section = Section.Answer)
        where TRdata : IDnsWireFormat<TRdata>, allows ref struct
    {
        if (_truncated || !_writer.TryWriteRecord(owner, type, DnsClass.IN, ttl, rdata))
        {
            _truncated |= section != Section.Additional;
            return false;
        }

        _ = section switch { Section.Answer => _answers++, Section.Authority => _authority++, _ => _additional++ };
        return true;
    }

    public ResolveResult Finish(int rcode, bool malformed = false)
    {
        if (rcode is not (DnsRcode.NoError or DnsRcode.NXDomain))
        {
            _header.Authoritative = false;
        }

        _header.Rcode = (byte)(rcode & 0xF);
        _header.Truncated = _truncated;
        _header.QuestionCount = (ushort)(_writer.Position > DnsHeader.WireSize ? 1 : 0);
        _header.AnswerCount = (ushort)_answers;
        _header.AuthorityCount = (ushort)_authority;
        _header.AdditionalCount = (ushort)_additional;
        if (_hasEdns)
        {
            _writer.ReleaseTail(OptRecordSize);
            // DO stays clear: MeshDns does not sign.
            var opt = new DnsRecordHeader { Name = DnsName.Root, Type = DnsType.OPT, Class = _ednsUdpSize, Ttl = (uint)(rcode >> 4) << 24 };
            DnsRecordHeader.TryWrite(ref _writer, opt); // room was reserved
            _header.AdditionalCount++;
        }

        var headerWriter = new DnsWriter(_response[..DnsHeader.WireSize]);
        _header.TryWrite(ref headerWriter);
        return new ResolveResult(_writer.Position, rcode, _qtype, _truncated, malformed);
    }
}
