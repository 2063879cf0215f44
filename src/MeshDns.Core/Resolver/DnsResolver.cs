using MeshDns.Table;
using MeshDns.Wire;

namespace MeshDns.Resolver;

/// <summary>What happened to one query; frontends count these.</summary>
/// <param name="Length">Octets of response written; 0 means send nothing.</param>
/// <param name="Rcode">The full (extended) response code; -1 when nothing is sent.</param>
/// <param name="QType">The question's type, or 0 when it could not be read.</param>
/// <param name="Truncated">TC was set because the answer did not fit the transport's limit.</param>
/// <param name="Malformed">The query could not be parsed (FORMERR sent, or dropped without a header).</param>
public readonly record struct ResolveResult(int Length, int Rcode, ushort QType, bool Truncated, bool Malformed);

/// <summary>
/// Turns one query message into one response message, for every transport. Allocation-free: it reads
/// the query in place, looks the name up in the current <see cref="NameTable"/> and writes into the
/// caller's buffer. Malformed input never throws; it yields FORMERR, or nothing when even the header is
/// unreadable.
/// </summary>
public sealed class DnsResolver
{
    /// <summary>The smallest response buffer a caller may pass (the classic UDP limit).</summary>
    public const int MinimumBufferSize = 512;

    /// <summary>The largest DNS message (TCP and gRPC framing limit).</summary>
    public const int MaxMessageSize = 65535;

    private const int OptRecordSize = 11; // root name, type, class, ttl, rdlength
    private const uint SoaRefresh = 3600;
    private const uint SoaRetry = 600;
    private const uint SoaExpire = 86400;

    [ThreadStatic]
    private static uint t_rotation;

    private readonly TableHolder _tables;
    private readonly ResolverOptions _options;
    private readonly Zone[] _zones;

    public DnsResolver(TableHolder tables, ResolverOptions options)
    {
        _tables = tables;
        _options = options;
        _zones = options.Zones.Select(z => Zone.Create(z, options)).ToArray();
    }

    public ResolverOptions Options => _options;

    public ResolveResult Resolve(ReadOnlySpan<byte> query, Span<byte> response, DnsTransport transport)
    {
        if (response.Length < MinimumBufferSize)
        {
            throw new ArgumentException($"The response buffer must hold at least {MinimumBufferSize} octets.", nameof(response));
        }

        var reader = new DnsReader(query);
        if (!DnsHeader.TryRead(ref reader, out DnsHeader request))
        {
            return new ResolveResult(0, -1, 0, false, Malformed: true);
        }

        if (request.IsResponse)
        {
            return new ResolveResult(0, -1, 0, false, Malformed: false);
        }

        var header = new DnsHeader { Id = request.Id };
        header.IsResponse = true;
        header.Opcode = request.Opcode;
        header.RecursionDesired = request.RecursionDesired;
        header.CheckingDisabled = request.CheckingDisabled;

        int limit = transport == DnsTransport.Udp ? 512 : MaxMessageSize;
        var writer = new DnsWriter(response, limit);
        default(DnsHeader).TryWrite(ref writer); // placeholder; the real header is written last

        if (request.QuestionCount != 1)
        {
            // QDCOUNT 0 or >1: no single question to echo (opcode checked after, as its question may be absent).
            return Finish(ref writer, response, header, request.Opcode != DnsOpcode.Query ? DnsRcode.NotImp : DnsRcode.FormErr, 0, 0, 0, false, hasEdns: false, malformed: request.Opcode == DnsOpcode.Query);
        }

        int questionStart = reader.Position;
        if (!DnsQuestion.TryRead(ref reader, out DnsQuestion question) || reader.Position - questionStart - 4 != question.Name.Length)
        {
            // Unreadable, or compressed: the first name of a message has nothing to point back to.
            return Finish(ref writer, response, header, DnsRcode.FormErr, 0, 0, 0, false, hasEdns: false, malformed: true);
        }

        ushort qtype = question.Type;
        writer.TryWriteBytes(query[questionStart..reader.Position]);
        writer.SetCompressionTarget(DnsHeader.WireSize, question.Name.Length);

        if (request.Opcode != DnsOpcode.Query)
        {
            return Finish(ref writer, response, header, DnsRcode.NotImp, qtype, 0, 0, false, hasEdns: false, malformed: false);
        }

        // Answer and authority sections of a query are unusual but legal: skip them record by record.
        for (int i = 0; i < request.AnswerCount + request.AuthorityCount; i++)
        {
            if (!DnsRecordHeader.TryRead(ref reader, out DnsRecordHeader skipped) || !reader.TrySkip(skipped.RdLength))
            {
                return Finish(ref writer, response, header, DnsRcode.FormErr, qtype, 0, 0, false, hasEdns: false, malformed: true);
            }
        }

        bool hasEdns = false;
        EdnsOptRecord opt = default;
        for (int i = 0; i < request.AdditionalCount; i++)
        {
            DnsReader recordStart = reader;
            if (!DnsRecordHeader.TryRead(ref reader, out DnsRecordHeader record) || !reader.TryReadSubReader(record.RdLength, out DnsReader rdata))
            {
                return Finish(ref writer, response, header, DnsRcode.FormErr, qtype, 0, 0, false, hasEdns: false, malformed: true);
            }

            if (record.Type != DnsType.OPT)
            {
                continue; // unknown or irrelevant additional records are skipped, not rejected
            }

            // RFC 6891 6.1.1: more than one OPT, or an OPT not owned by the root, is FORMERR.
            if (hasEdns || record.Name.Length != 1 || !EdnsOptRecord.TryRead(ref recordStart, out opt) || !OptionsAreWellFormed(ref rdata))
            {
                return Finish(ref writer, response, header, DnsRcode.FormErr, qtype, 0, 0, false, hasEdns: false, malformed: true);
            }

            hasEdns = true;
        }

        if (hasEdns)
        {
            if (transport == DnsTransport.Udp)
            {
                writer.SetLimit(Math.Clamp((int)Math.Min(opt.UdpPayloadSize, _options.EdnsUdpSize), 512, MaxMessageSize));
            }

            writer.TryReserveTail(OptRecordSize);
            if (opt.Version > 0)
            {
                return Finish(ref writer, response, header, DnsRcode.BadVers, qtype, 0, 0, false, hasEdns, malformed: false);
            }
        }

        if (question.Class != DnsClass.IN)
        {
            return Finish(ref writer, response, header, DnsRcode.Refused, qtype, 0, 0, false, hasEdns, malformed: false);
        }

        if (qtype is 251 or 252)
        {
            return Finish(ref writer, response, header, DnsRcode.NotImp, qtype, 0, 0, false, hasEdns, malformed: false); // IXFR, AXFR
        }

        NameTable? table = _tables.Current;
        if (table is null)
        {
            return Finish(ref writer, response, header, DnsRcode.ServFail, qtype, 0, 0, false, hasEdns, malformed: false);
        }

        Span<byte> name = stackalloc byte[DnsName.MaxLength];
        question.Name.TryCopyTo(name, lowerCase: true, out int nameLength);
        name = name[..nameLength];

        Zone? zone = null;
        if (_zones.Length > 0)
        {
            zone = FindZone(name);
            if (zone is null)
            {
                return Finish(ref writer, response, header, DnsRcode.Refused, qtype, 0, 0, false, hasEdns, malformed: false);
            }
        }

        header.Authoritative = true;
        bool isApex = zone is not null && name.Length == zone.Wire.Length;
        NameMatch match = table.Lookup(name);
        int rcode = isApex || match.Kind != MatchKind.None ? DnsRcode.NoError : DnsRcode.NXDomain;

        int answers = 0;
        int authority = 0;
        bool truncated = false;
        uint rotation = _options.RoundRobin ? t_rotation++ : 0;
        bool wantA = qtype is DnsType.A or DnsType.ANY;
        bool wantAaaa = qtype is DnsType.AAAA or DnsType.ANY;
        if (match.Kind is MatchKind.Host or MatchKind.Wildcard)
        {
            if (wantA)
            {
                truncated |= !WriteAddresses(ref writer, question.Name, DnsType.A, table.IPv4(match), 4, rotation, ref answers);
            }

            if (wantAaaa && !truncated)
            {
                truncated |= !WriteAddresses(ref writer, question.Name, DnsType.AAAA, table.IPv6(match), 16, rotation, ref answers);
            }
        }

        if (isApex && !truncated)
        {
            if (qtype is DnsType.SOA or DnsType.ANY)
            {
                truncated |= !WriteSoa(ref writer, zone!, table.Serial, ref answers);
            }

            if (qtype is DnsType.NS or DnsType.ANY && !truncated)
            {
                truncated |= !WriteNs(ref writer, zone!, ref answers);
            }
        }

        if (answers == 0 && zone is not null && !truncated)
        {
            // RFC 2308: negative answers carry the zone's SOA so resolvers know how long to cache them.
            truncated |= !WriteSoa(ref writer, zone, table.Serial, ref authority);
        }

        return Finish(ref writer, response, header, rcode, qtype, answers, authority, truncated, hasEdns, malformed: false);
    }

    private bool WriteAddresses(ref DnsWriter writer, scoped DnsName owner, ushort type, scoped ReadOnlySpan<byte> addresses, int size, uint rotation, ref int answers)
    {
        int count = addresses.Length / size;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> address = addresses.Slice((int)((rotation + (uint)i) % (uint)count) * size, size);
            bool written = type == DnsType.A
                ? writer.TryWriteRecord(owner, type, DnsClass.IN, _options.Ttl, new ARdata { Address = address })
                : writer.TryWriteRecord(owner, type, DnsClass.IN, _options.Ttl, new AaaaRdata { Address = address });
            if (!written)
            {
                return false;
            }

            answers++;
        }

        return true;
    }

    private bool WriteSoa(ref DnsWriter writer, Zone zone, uint serial, ref int count)
    {
        DnsName.TryCreate(zone.Wire, out DnsName owner);
        DnsName.TryCreate(zone.MName, out DnsName mname);
        DnsName.TryCreate(zone.RName, out DnsName rname);
        var soa = new SoaRdata
        {
            MName = mname,
            RName = rname,
            Serial = serial,
            Refresh = SoaRefresh,
            Retry = SoaRetry,
            Expire = SoaExpire,
            Minimum = _options.NegativeTtl,
        };
        if (!writer.TryWriteRecord(owner, DnsType.SOA, DnsClass.IN, _options.NegativeTtl, soa))
        {
            return false;
        }

        count++;
        return true;
    }

    private bool WriteNs(ref DnsWriter writer, Zone zone, ref int count)
    {
        DnsName.TryCreate(zone.Wire, out DnsName owner);
        DnsName.TryCreate(zone.MName, out DnsName host);
        if (!writer.TryWriteRecord(owner, DnsType.NS, DnsClass.IN, _options.Ttl, new NsRdata { Host = host }))
        {
            return false;
        }

        count++;
        return true;
    }

    private ResolveResult Finish(ref DnsWriter writer, Span<byte> response, DnsHeader header, int rcode, ushort qtype, int answers, int authority, bool truncated, bool hasEdns, bool malformed)
    {
        if (rcode is not (DnsRcode.NoError or DnsRcode.NXDomain))
        {
            header.Authoritative = false;
        }

        header.Rcode = (byte)(rcode & 0xF);
        header.Truncated = truncated;
        header.QuestionCount = (ushort)(writer.Position > DnsHeader.WireSize ? 1 : 0);
        header.AnswerCount = (ushort)answers;
        header.AuthorityCount = (ushort)authority;
        header.AdditionalCount = 0;
        if (hasEdns)
        {
            writer.ReleaseTail(OptRecordSize);
            var opt = new EdnsOptRecord
            {
                Name = DnsName.Root,
                Type = DnsType.OPT,
                UdpPayloadSize = _options.EdnsUdpSize,
                ExtendedRcode = (byte)(rcode >> 4),
                Version = 0,
                Flags = 0, // DO cleared: MeshDns does not sign
                RdLength = 0,
            };
            opt.TryWrite(ref writer); // room was reserved
            header.AdditionalCount = 1;
        }

        var headerWriter = new DnsWriter(response[..DnsHeader.WireSize]);
        header.TryWrite(ref headerWriter);
        return new ResolveResult(writer.Position, rcode, qtype, truncated, malformed);
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

    private Zone? FindZone(ReadOnlySpan<byte> name)
    {
        Zone? best = null;
        foreach (Zone zone in _zones)
        {
            if (zone.Contains(name) && (best is null || zone.Wire.Length > best.Wire.Length))
            {
                best = zone;
            }
        }

        return best;
    }

    /// <summary>A configured zone with its pre-encoded names.</summary>
    private sealed class Zone
    {
        private Zone(byte[] wire, byte[] mname, byte[] rname)
        {
            Wire = wire;
            MName = mname;
            RName = rname;
        }

        public byte[] Wire { get; }

        public byte[] MName { get; }

        public byte[] RName { get; }

        public static Zone Create(string zone, ResolverOptions options)
        {
            string apex = ResolverOptions.NormalizeZone(zone);
            string Under(string label) => apex.Length == 0 ? label : $"{label}.{apex}";
            return new Zone(Encode(apex, "zone"), Encode(options.SoaMName ?? Under("ns"), "SOA mname"), Encode(options.SoaRName ?? Under("hostmaster"), "SOA rname"));
        }

        private static byte[] Encode(string text, string what)
        {
            Span<byte> buffer = stackalloc byte[DnsName.MaxLength];
            int length = DnsName.TryEncode(text.ToLowerInvariant(), buffer);
            if (length < 0)
            {
                throw new ArgumentException($"invalid {what} \"{text}\"");
            }

            return buffer[..length].ToArray();
        }

        /// <summary>True when <paramref name="name"/> is the apex or below it (suffix on a label boundary).</summary>
        public bool Contains(ReadOnlySpan<byte> name)
        {
            int at = name.Length - Wire.Length;
            if (at < 0 || !name[at..].SequenceEqual(Wire))
            {
                return false;
            }

            int position = 0;
            while (position < at)
            {
                position += 1 + name[position];
            }

            return position == at;
        }
    }
}
