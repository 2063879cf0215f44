using MeshDns.Table;
using MeshDns.Wire;

namespace MeshDns.Resolver;

/// <summary>What happened to one query: Length 0 sends nothing (Rcode -1); QType 0 when unreadable.</summary>
public readonly record struct ResolveResult(int Length, int Rcode, ushort QType, bool Truncated, bool Malformed);

/// <summary>One query message to one response message, for every transport, allocation-free. Malformed input
/// never throws: it yields FORMERR, or nothing when even the header is unreadable.</summary>
public sealed partial class DnsResolver(TableHolder tables, ResolverOptions options)
{
    /// <summary>The smallest response buffer (the classic UDP limit).</summary>
    public const int MinimumBufferSize = 512;
    public const int MaxMessageSize = 65535;

    [ThreadStatic]
    private static uint t_rotation;

    private readonly Zone[] _zones = [.. options.Zones.Select(z => Zone.Create(z, options))];

    public ResolveResult Resolve(ReadOnlySpan<byte> query, Span<byte> response, DnsTransport transport)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(response.Length, MinimumBufferSize, nameof(response));

        var reader = new DnsReader(query);
        bool readable = DnsHeader.TryRead(ref reader, out DnsHeader request);
        if (!readable || request.IsResponse)
        {
            return new ResolveResult(0, -1, 0, false, Malformed: !readable);
        }

        bool udp = transport == DnsTransport.Udp;
        var builder = new ResponseBuilder(response, request, udp ? MinimumBufferSize : MaxMessageSize, options.EdnsUdpSize);
        if (request.QuestionCount != 1)
        {
            // QDCOUNT 0 or >1: no single question to echo (opcode checked after, as its question may be absent).
            return builder.Finish(request.Opcode != DnsOpcode.Query ? DnsRcode.NotImp : DnsRcode.FormErr, malformed: request.Opcode == DnsOpcode.Query);
        }

        int questionStart = reader.Position;
        if (!DnsQuestion.TryRead(ref reader, out DnsQuestion question) || reader.Position - questionStart - 4 != question.Name.Length)
        {
            return builder.Finish(DnsRcode.FormErr, malformed: true); // unreadable, or compressed with nothing to point back to
        }

        builder.EchoQuestion(query[questionStart..reader.Position], question.Type, question.Name.Length);
        if (request.Opcode != DnsOpcode.Query)
        {
            return builder.Finish(DnsRcode.NotImp);
        }

        if (!TryReadOpt(ref reader, request, out bool hasEdns, out DnsRecordHeader opt))
        {
            return builder.Finish(DnsRcode.FormErr, malformed: true);
        }

        if (hasEdns)
        {
            builder.UseEdns(opt.Class, udp); // OPT's CLASS is the client's UDP payload size
            if ((byte)(opt.Ttl >> 16) > 0) // VERSION
            {
                return builder.Finish(DnsRcode.BadVers);
            }
        }

        return Answer(ref builder, question.Name, question.Type, question.Class);
    }

    private ResolveResult Answer(ref ResponseBuilder builder, scoped DnsName owner, ushort qtype, ushort qclass)
    {
        if (qclass != DnsClass.IN)
        {
            return builder.Finish(DnsRcode.Refused);
        }

        if (qtype is 251 or 252)
        {
            return builder.Finish(DnsRcode.NotImp); // IXFR, AXFR
        }

        NameTable? table = tables.Current;
        if (table is null)
        {
            return builder.Finish(DnsRcode.ServFail);
        }

        Span<byte> name = stackalloc byte[DnsName.MaxLength];
        owner.TryCopyTo(name, lowerCase: true, out int nameLength);
        name = name[..nameLength];
        Zone? zone = _zones.Length > 0 ? Zone.Find(_zones, name) : null;
        if (_zones.Length > 0 && zone is null)
        {
            return builder.Finish(DnsRcode.Refused);
        }

        builder.MarkAuthoritative();
        bool isApex = zone is not null && name.Length == zone.Wire.Length;
        NameMatch match = table.Lookup(name);
        uint rotation = options.RoundRobin ? t_rotation++ : 0;
        if (match.Kind is MatchKind.Host or MatchKind.Wildcard)
        {
            AddAddresses(ref builder, owner, qtype is DnsType.A or DnsType.ANY ? table.IPv4(match) : default, 4, rotation, additional: false);
            AddAddresses(ref builder, owner, qtype is DnsType.AAAA or DnsType.ANY ? table.IPv6(match) : default, 16, rotation, additional: false);
        }

        AddPtrs(ref builder, table, owner, match, qtype);
        int target = AddServices(ref builder, table, owner, name, qtype, out bool service, out NameMatch targetMatch);
        if (isApex)
        {
            AddApex(ref builder, zone!, table, qtype);
        }

        if (builder.Answers == 0 && zone is not null)
        {
            // RFC 2308: negative answers carry the zone's SOA so resolvers know how long to cache them.
            zone.TryAddSoa(ref builder, table.Serial, options.NegativeTtl, authority: true);
        }

        if (target >= 0)
        {
            AddTargetAddresses(ref builder, table, name[target..], targetMatch, rotation);
        }

        return builder.Finish(isApex || service || match.Kind != MatchKind.None ? DnsRcode.NoError : DnsRcode.NXDomain);
    }

    /// <summary>The zone's own SOA and NS records, when asked for.</summary>
    private void AddApex(ref ResponseBuilder builder, Zone zone, NameTable table, ushort qtype)
    {
        if (qtype is DnsType.SOA or DnsType.ANY)
        {
            zone.TryAddSoa(ref builder, table.Serial, options.NegativeTtl, authority: false);
        }

        if (qtype is DnsType.NS or DnsType.ANY)
        {
            zone.TryAddNs(ref builder, options.Ttl);
        }
    }

    /// <summary>Every address of one family (A: 4 octets each, AAAA: 16), starting at <paramref name="rotation"/>, until one does not fit.</summary>
    private void AddAddresses(ref ResponseBuilder builder, scoped DnsName owner, scoped ReadOnlySpan<byte> addresses, int size, uint rotation, bool additional)
    {
        int count = addresses.Length / size;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> address = addresses.Slice((int)((rotation + (uint)i) % (uint)count) * size, size);
            var section = additional ? Section.Additional : Section.Answer;
            bool added = size == 4
                ? builder.TryAdd(owner, DnsType.A, options.Ttl, new ARdata { Address = address }, section)
                : builder.TryAdd(owner, DnsType.AAAA, options.Ttl, new AaaaRdata { Address = address }, section);
            if (!added)
            {
                return;
            }
        }
    }

    /// <summary>Skips the answer and authority sections (unusual in a query but legal); of the additional section only OPT matters.</summary>
    private static bool TryReadOpt(ref DnsReader reader, in DnsHeader request, out bool found, out DnsRecordHeader opt)
    {
        found = false;
        opt = default;
        int skipped = request.AnswerCount + request.AuthorityCount;
        for (int i = 0; i < skipped + request.AdditionalCount; i++)
        {
            if (!DnsRecordHeader.TryRead(ref reader, out DnsRecordHeader record) || !reader.TryReadSubReader(record.RdLength, out DnsReader rdata))
            {
                return false;
            }

            if (i >= skipped && record.Type == DnsType.OPT)
            {
                // RFC 6891 6.1.1: more than one OPT, or an OPT not owned by the root, is FORMERR.
                if (found || record.Name.Length != 1 || !OptionsAreWellFormed(ref rdata))
                {
                    return false;
                }

                found = true;
                opt = record;
            }
        }

        return true;
    }

    private static bool OptionsAreWellFormed(ref DnsReader rdata)
    {
        while (rdata.Remaining > 0)
        {
            if (!EdnsOption.TryRead(ref rdata, out _))
            {
                return false;
            }
        }

        return true;
    }
}
