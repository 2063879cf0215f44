using System.Diagnostics;
using System.Globalization;
using System.Text;
using MeshDns.Frontends.Grpc;
using MeshDns.Resolver;

namespace MeshDns.Hosting;

/// <summary>A component with counters or gauges for /metrics; registered in DI, rendered in registration order.</summary>
public interface IMetricsSource
{
    void Write(MetricsText text);
}

/// <summary>/metrics in Prometheus text format 0.0.4; counters live where they are counted and are read at scrape time.</summary>
public static class MetricsWriter
{
    public static string Render(IEnumerable<IMetricsSource> sources, string version)
    {
        var text = new MetricsText();
        text.Header("meshdns_build_info", "gauge", "Version of this binary.");
        text.Sample("meshdns_build_info", $"version=\"{MetricsText.Escape(version)}\"", 1);
        foreach (IMetricsSource source in sources)
        {
            source.Write(text);
        }

        return text.ToString();
    }
}

public sealed class MetricsText
{
    private readonly StringBuilder _text = new(8 * 1024);

    public void Header(string name, string type, string help) =>
        _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    public void Counter(string name, string help) => Header(name, "counter", help);
    public void Counter(string name, string help, long value) => One(name, "counter", help, value);
    public void Gauge(string name, string help, long value) => One(name, "gauge", help, value);

    private void One(string name, string type, string help, long value)
    {
        Header(name, type, help);
        Sample(name, null, value);
    }

    public void Sample(string name, string? labels, long value) => Sample(name, labels, value.ToString(CultureInfo.InvariantCulture));

    public void Sample(string name, string? labels, string value)
    {
        _text.Append(name);
        if (labels is not null)
        {
            _text.Append('{').Append(labels).Append('}');
        }

        _text.Append(' ').Append(value).Append('\n');
    }

    public override string ToString() => _text.ToString();
    public static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

/// <summary>The query counters of every transport (gRPC's when it is served), one family each.</summary>
public sealed class QueryMetrics(DnsServerService dns, GrpcStats? grpc) : IMetricsSource
{
    public void Write(MetricsText text)
    {
        List<(string Name, IReadOnlyList<QueryStats> Stats)> all = [("udp", dns.UdpStats), ("tcp", dns.TcpStats)];
        if (grpc is not null)
        {
            all.Add(("grpc", grpc.All));
        }

        text.Counter("meshdns_dns_requests_total", "DNS queries received, by transport and query type.");
        foreach ((string name, IReadOnlyList<QueryStats> stats) in all)
        {
            for (int i = 0; i < QueryStats.TypeBuckets.Length; i++)
            {
                text.Sample("meshdns_dns_requests_total", $"transport=\"{name}\",type=\"{QueryStats.TypeBuckets[i].Name}\"", stats.Sum(s => Volatile.Read(ref s.Types[i])));
            }
        }

        text.Counter("meshdns_dns_responses_total", "DNS responses sent, by transport and response code.");
        foreach ((string name, IReadOnlyList<QueryStats> stats) in all)
        {
            for (int rcode = 0; rcode < 24; rcode++)
            {
                long count = stats.Sum(s => Volatile.Read(ref s.Rcodes[rcode]));
                if (count > 0 || rcode is 0 or 1 or 2 or 3 or 5)
                {
                    text.Sample("meshdns_dns_responses_total", $"transport=\"{name}\",rcode=\"{RcodeName(rcode)}\"", count);
                }
            }
        }

        PerTransport(text, all, "meshdns_dns_truncated_total", "Responses cut to fit the transport, with TC set.", s => s.Truncated);
        PerTransport(text, all, "meshdns_dns_malformed_total", "Queries that could not be parsed (answered FORMERR or dropped; on gRPC also bodies that are not a DnsPacket, answered INVALID_ARGUMENT).", s => s.Malformed);
        PerTransport(text, all, "meshdns_dns_dropped_total", "Queries not answered (no readable header, or a response).", s => s.Dropped);
        PerTransport(text, all, "meshdns_dns_errors_total", "Requests that failed inside MeshDns or on the socket.", s => s.Errors);
        PerTransport(text, all, "meshdns_dns_request_bytes_total", "Octets of DNS queries received.", s => s.RequestBytes);
        PerTransport(text, all, "meshdns_dns_response_bytes_total", "Octets of DNS responses sent.", s => s.ResponseBytes);
        Histogram(text, all, "meshdns_dns_request_duration_seconds", "Time from a query's arrival to its answer being sent (UDP) or written (TCP, gRPC: resolve only).", QueryStats.DurationBounds, s => s.Durations, s => s.DurationTicks / (double)Stopwatch.Frequency);
        Histogram(text, all, "meshdns_dns_request_size_bytes", "Size of DNS queries.", QueryStats.SizeBounds, s => s.RequestSizes, s => s.RequestBytes);
        Histogram(text, all, "meshdns_dns_response_size_bytes", "Size of DNS responses.", QueryStats.SizeBounds, s => s.ResponseSizes, s => s.ResponseBytes);
    }

    private static void PerTransport(MetricsText text, List<(string Name, IReadOnlyList<QueryStats> Stats)> all, string metric, string help, Func<QueryStats, long> value)
    {
        text.Counter(metric, help);
        foreach ((string name, IReadOnlyList<QueryStats> stats) in all)
        {
            text.Sample(metric, $"transport=\"{name}\"", stats.Sum(value));
        }
    }

    private static void Histogram(MetricsText text, List<(string Name, IReadOnlyList<QueryStats> Stats)> all, string metric, string help, double[] bounds, Func<QueryStats, long[]> buckets, Func<QueryStats, double> sum)
    {
        text.Header(metric, "histogram", help);
        foreach ((string name, IReadOnlyList<QueryStats> stats) in all)
        {
            long cumulative = 0;
            for (int i = 0; i <= bounds.Length; i++)
            {
                cumulative += stats.Sum(s => Volatile.Read(ref buckets(s)[i]));
                string le = i < bounds.Length ? bounds[i].ToString("G", CultureInfo.InvariantCulture) : "+Inf";
                text.Sample(metric + "_bucket", $"transport=\"{name}\",le=\"{le}\"", cumulative);
            }

            text.Sample(metric + "_sum", $"transport=\"{name}\"", stats.Sum(sum).ToString("0.#########", CultureInfo.InvariantCulture));
            text.Sample(metric + "_count", $"transport=\"{name}\"", cumulative);
        }
    }

    private static readonly string[] RcodeNames = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

    private static string RcodeName(int rcode) =>
        rcode < RcodeNames.Length ? RcodeNames[rcode] : rcode == 16 ? "BADVERS" : rcode.ToString(CultureInfo.InvariantCulture);
}

public sealed class StaticMetrics(Action<MetricsText> write) : IMetricsSource
{
    public void Write(MetricsText text) => write(text);
}

/// <summary>The process, the GC, and the trims that give memory back.</summary>
public static class ProcessMetrics
{
    public static void Write(MetricsText text)
    {
        using Process process = Process.GetCurrentProcess();
        text.Gauge("process_resident_memory_bytes", "Resident memory.", process.WorkingSet64);
        text.Counter("process_cpu_seconds_total", "User and system CPU time.");
        text.Sample("process_cpu_seconds_total", null, process.TotalProcessorTime.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture));
        text.Gauge("process_start_time_seconds", "Unix time the process started.", new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeSeconds());
        text.Counter("dotnet_gc_collections_total", "Garbage collections by generation.");
        for (int generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            text.Sample("dotnet_gc_collections_total", $"generation=\"{generation}\"", GC.CollectionCount(generation));
        }

        text.Counter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the start.", GC.GetTotalAllocatedBytes(precise: false));
        text.Gauge("dotnet_gc_memory_limit_bytes", "Memory the GC may use: its heap hard limit (by default 75 % of a container memory limit), else the machine's.", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        text.Counter("meshdns_memory_trims_total", "Aggressive collections run when quiet after the heap grew (memory given back).", MemoryTrimmer.Trims);
        text.Gauge("dotnet_gc_heap_bytes", "Managed heap size after the last collection.", GC.GetGCMemoryInfo().HeapSizeBytes);
    }
}
