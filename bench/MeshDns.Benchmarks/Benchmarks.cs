using BenchmarkDotNet.Attributes;
using MeshDns.Resolver;
using MeshDns.Table;
using MeshDns.Wire;

namespace MeshDns.Benchmarks;

/// <summary>Reading a query with the generated parts: header, question, and the OPT record.</summary>
[MemoryDiagnoser]
public class ParseBenchmarks
{
    private readonly byte[] _query = Data.Query("svc12345.ns45.global");

    [Benchmark]
    public int ParseQuery()
    {
        var reader = new DnsReader(_query);
        DnsHeader.TryRead(ref reader, out DnsHeader header);
        DnsQuestion.TryRead(ref reader, out DnsQuestion question);
        DnsRecordHeader.TryRead(ref reader, out DnsRecordHeader opt);
        return header.Id + question.Type + opt.Type + question.Name.Length;
    }
}

/// <summary>Name table lookups in a 100k-host table (lower-case wire names, as the resolver passes them).</summary>
[MemoryDiagnoser]
public class LookupBenchmarks
{
    private NameTable _table = null!;
    private readonly byte[] _exact = Data.Wire("svc12345.ns45.global");
    private readonly byte[] _wildcard = Data.Wire("a.b.c.wild12340.ns40.global");
    private readonly byte[] _missing = Data.Wire("nothing.here.ns1.global");

    [GlobalSetup]
    public void Setup() => _table = NameTableBuilder.Build(Data.Entries(), new TableOptions(), 0).Table;

    [Benchmark]
    public MatchKind Exact() => _table.Lookup(_exact).Kind;

    [Benchmark]
    public MatchKind WildcardThreeLabelsDeep() => _table.Lookup(_wildcard).Kind;

    [Benchmark]
    public MatchKind Missing() => _table.Lookup(_missing).Kind;
}

/// <summary>The whole query path: bytes in → response bytes out, 100k-host table.</summary>
[MemoryDiagnoser]
public class ResolveBenchmarks
{
    private DnsResolver _resolver = null!;
    private readonly byte[] _response = new byte[DnsResolver.MaxMessageSize];
    private readonly byte[] _exact = Data.Query("svc12345.ns45.global");
    private readonly byte[] _wildcard = Data.Query("Service1.wild12340.ns40.global");
    private readonly byte[] _nxdomain = Data.Query("nothing.ns1.global");
    private readonly byte[] _noEdns = Data.Query("svc12345.ns45.global", edns: false);

    [GlobalSetup]
    public void Setup()
    {
        var holder = new TableHolder();
        holder.Publish(NameTableBuilder.Build(Data.Entries(), new TableOptions(), 0).Table);
        _resolver = new DnsResolver(holder, new ResolverOptions { Zones = ["global"] });
    }

    [Benchmark]
    public int ExactA() => _resolver.Resolve(_exact, _response, DnsTransport.Udp).Length;

    [Benchmark]
    public int WildcardA() => _resolver.Resolve(_wildcard, _response, DnsTransport.Udp).Length;

    [Benchmark]
    public int NxDomainWithSoa() => _resolver.Resolve(_nxdomain, _response, DnsTransport.Udp).Length;

    [Benchmark]
    public int ExactANoEdns() => _resolver.Resolve(_noEdns, _response, DnsTransport.Udp).Length;
}

/// <summary>Building the table from 100k ServiceEntries (what a full resync costs).</summary>
[MemoryDiagnoser]
public class BuildBenchmarks
{
    private List<ServiceEntryInput> _entries = null!;

    [GlobalSetup]
    public void Setup() => _entries = Data.Entries();

    [Benchmark]
    public int Build100k() => NameTableBuilder.Build(_entries, new TableOptions(), 0).Table.HostCount;
}

/// <summary>What one watch event costs: the model given one changed entry, then the next table (only that entry's shards).</summary>
[MemoryDiagnoser]
public class RebuildBenchmarks
{
    private TableModel _model = null!;
    private List<ServiceEntryInput> _entries = null!;
    private int _changes;

    [Params(10_000, 100_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _entries = Data.Entries(Entries);
        _model = new TableModel(new TableOptions());
        _model.Replace("bench", _entries);
        _model.Build();
    }

    [Benchmark]
    public int RebuildAfterOneChange()
    {
        int i = _changes++ % _entries.Count;
        ServiceEntryInput changed = _entries[i] with { Addresses = [$"10.200.{(_changes >> 8) & 255}.{_changes & 255}"] };
        _entries[i] = changed;
        _model.Apply("bench", [new(changed.Id, changed)]);
        return _model.Build().Table.HostCount;
    }
}
