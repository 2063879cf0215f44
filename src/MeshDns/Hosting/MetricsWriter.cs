using System.Diagnostics;
using System.Globalization;
using System.Text;
using MeshDns.Frontends.Grpc;
using MeshDns.Resolver;
using MeshDns.Table;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MeshDns.Hosting;

/// <summary>
/// /metrics in the Prometheus text exposition format (version 0.0.4). Counters live where they are
/// counted (per UDP loop, per frontend, in the reflector) and are only summed here, at scrape time.
/// </summary>
public static class MetricsWriter
{
    public static string Render(IServiceProvider services, string version)
    {
        var text = new StringBuilder(8 * 1024);
        DnsServerService? dns = services.GetServices<IHostedService>().OfType<DnsServerService>().FirstOrDefault();
        var transports = new List<(string Name, IReadOnlyList<QueryStats> Stats)>
        {
            ("udp", dns?.UdpStats ?? []),
            ("tcp", dns?.TcpStats ?? []),
        };
        if (services.GetService<GrpcStats>() is { } grpc)
        {
            transports.Add(("grpc", grpc.All));
        }

        Header(text, "meshdns_build_info", "gauge", "Version of this binary.");
        text.Append("meshdns_build_info{version=\"").Append(Escape(version)).Append("\"} 1\n");

        Counter(text, "meshdns_dns_requests_total", "DNS queries received, by transport and query type.");
        foreach ((string name, IReadOnlyList<QueryStats> stats) in transports)
        {
            for (int i = 0; i < QueryStats.TypeBuckets.Length; i++)
            {
                Sample(text, "meshdns_dns_requests_total", $"transport=\"{name}\",type=\"{QueryStats.TypeBuckets[i].Name}\"", stats.Sum(s => Volatile.Read(ref s.Types[i])));
            }
        }

        Counter(text, "meshdns_dns_responses_total", "DNS responses sent, by transport and response code.");
        foreach ((string name, IReadOnlyList<QueryStats> stats) in transports)
        {
            for (int rcode = 0; rcode < 24; rcode++)
            {
                long count = stats.Sum(s => Volatile.Read(ref s.Rcodes[rcode]));
                if (count > 0 || rcode is 0 or 1 or 2 or 3 or 5)
                {
                    Sample(text, "meshdns_dns_responses_total", $"transport=\"{name}\",rcode=\"{RcodeName(rcode)}\"", count);
                }
            }
        }

        PerTransport(text, transports, "meshdns_dns_truncated_total", "Responses cut to fit the transport, with TC set.", s => s.Truncated);
        PerTransport(text, transports, "meshdns_dns_malformed_total", "Queries that could not be parsed (answered FORMERR or dropped; on gRPC also bodies that are not a DnsPacket, answered INVALID_ARGUMENT).", s => s.Malformed);
        PerTransport(text, transports, "meshdns_dns_dropped_total", "Queries not answered (no readable header, or a response).", s => s.Dropped);
        PerTransport(text, transports, "meshdns_dns_errors_total", "Requests that failed inside MeshDns or on the socket.", s => s.Errors);
        PerTransport(text, transports, "meshdns_dns_request_bytes_total", "Octets of DNS queries received.", s => s.RequestBytes);
        PerTransport(text, transports, "meshdns_dns_response_bytes_total", "Octets of DNS responses sent.", s => s.ResponseBytes);

        Histogram(text, transports, "meshdns_dns_request_duration_seconds", "Time from a query's arrival to its answer being sent (UDP) or written (TCP, gRPC: resolve only).", QueryStats.DurationBounds, s => s.Durations, s => s.DurationTicks / (double)Stopwatch.Frequency);
        Histogram(text, transports, "meshdns_dns_request_size_bytes", "Size of DNS queries.", QueryStats.SizeBounds, s => s.RequestSizes, s => s.RequestBytes);
        Histogram(text, transports, "meshdns_dns_response_size_bytes", "Size of DNS responses.", QueryStats.SizeBounds, s => s.ResponseSizes, s => s.ResponseBytes);

        Header(text, "meshdns_tcp_connections_open", "gauge", "DNS-over-TCP connections open.");
        Sample(text, "meshdns_tcp_connections_open", null, dns?.TcpConnectionsOpen ?? 0);
        Header(text, "meshdns_tcp_max_connections", "gauge", "DNS-over-TCP connection cap in effect (--tcp-max-connections, lowered to fit the open-file limit).");
        Sample(text, "meshdns_tcp_max_connections", null, dns?.Tcp?.MaxConnections ?? 0);
        Counter(text, "meshdns_tcp_evictions_total", "DNS-over-TCP connections closed at the cap to make room for a new one (the longest-waiting).");
        Sample(text, "meshdns_tcp_evictions_total", null, dns?.Tcp?.Evictions ?? 0);
        Counter(text, "meshdns_tcp_query_timeouts_total", "DNS-over-TCP connections closed because a query did not arrive whole within --tcp-query-timeout.");
        Sample(text, "meshdns_tcp_query_timeouts_total", null, dns?.Tcp?.QueryTimeouts ?? 0);
        Counter(text, "meshdns_tcp_accept_errors_total", "Failed accepts on the DNS-over-TCP listener (e.g. out of file descriptors), each followed by a back-off.");
        Sample(text, "meshdns_tcp_accept_errors_total", null, dns?.Tcp?.AcceptErrors ?? 0);
        Header(text, "meshdns_grpc_connections_open", "gauge", "HTTP/2 connections open on the gRPC port.");
        Sample(text, "meshdns_grpc_connections_open", null, services.GetService<GrpcStats>()?.ConnectionsOpen ?? 0);
        Counter(text, "meshdns_grpc_connections_rejected_total", "gRPC connections closed at once because the most (128) were open.");
        Sample(text, "meshdns_grpc_connections_rejected_total", null, services.GetService<GrpcStats>()?.ConnectionsRejected ?? 0);

        Counter(text, "meshdns_debug_names_requests_total", "/debug/names requests: served in full, or rejected (429) while others ran.");
        Sample(text, "meshdns_debug_names_requests_total", "result=\"served\"", DebugNames.Served);
        Sample(text, "meshdns_debug_names_requests_total", "result=\"rejected\"", DebugNames.Rejected);

        NameTable? table = services.GetService<TableHolder>()?.Current;
        TablePublisher? publisher = services.GetService<TablePublisher>();
        Header(text, "meshdns_table_synced", "gauge", "1 once every source has synced and a table is served.");
        Sample(text, "meshdns_table_synced", null, table is null ? 0 : 1);
        Header(text, "meshdns_table_service_entries", "gauge", "ServiceEntries contributing hosts to the table.");
        Sample(text, "meshdns_table_service_entries", null, table?.ServiceEntryCount ?? 0);
        Header(text, "meshdns_table_hosts", "gauge", "Hosts (exact and wildcard) in the table.");
        Sample(text, "meshdns_table_hosts", null, table?.Hosts.Count ?? 0);
        Counter(text, "meshdns_table_rebuilds_total", "Tables built and published.");
        Sample(text, "meshdns_table_rebuilds_total", null, publisher?.Rebuilds ?? 0);
        Header(text, "meshdns_table_last_change_timestamp_seconds", "gauge", "Unix time of the last table change.");
        Sample(text, "meshdns_table_last_change_timestamp_seconds", null, publisher?.LastChange?.ToUnixTimeSeconds() ?? 0);

        if (services.GetServices<IHostedService>().OfType<KubernetesSourceService>().FirstOrDefault()?.Reflector.Stats is { } watch)
        {
            Counter(text, "meshdns_kubernetes_lists_total", "LIST requests (initial, after 410, after failures).");
            Sample(text, "meshdns_kubernetes_lists_total", null, Interlocked.Read(ref watch.Lists));
            Counter(text, "meshdns_kubernetes_relists_total", "LISTs forced by 410 Gone or a skipped oversized event.");
            Sample(text, "meshdns_kubernetes_relists_total", null, Interlocked.Read(ref watch.Relists));
            Counter(text, "meshdns_kubernetes_watch_restarts_total", "Watches reconnected after a failure.");
            Sample(text, "meshdns_kubernetes_watch_restarts_total", null, Interlocked.Read(ref watch.WatchRestarts));
            Counter(text, "meshdns_kubernetes_events_total", "Watch events received.");
            Sample(text, "meshdns_kubernetes_events_total", null, Interlocked.Read(ref watch.Events));
            Counter(text, "meshdns_kubernetes_invalid_objects_total", "ServiceEntries skipped as invalid.");
            Sample(text, "meshdns_kubernetes_invalid_objects_total", null, Interlocked.Read(ref watch.InvalidObjects));
            Counter(text, "meshdns_kubernetes_oversized_events_total", "Watch events over the size bound, skipped (the namespace is listed again).");
            Sample(text, "meshdns_kubernetes_oversized_events_total", null, Interlocked.Read(ref watch.OversizedEvents));
            Header(text, "meshdns_kubernetes_consecutive_failures", "gauge", "API failures in a row before the latest retry (its backoff grows with them).");
            Sample(text, "meshdns_kubernetes_consecutive_failures", null, Interlocked.Read(ref watch.ConsecutiveFailures));
            Counter(text, "meshdns_kubernetes_errors_total", "Failures talking to the API, by reason.");
            foreach ((string reason, long count) in watch.Errors.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                Sample(text, "meshdns_kubernetes_errors_total", $"reason=\"{Escape(reason)}\"", count);
            }
        }

        using Process process = Process.GetCurrentProcess();
        Header(text, "process_resident_memory_bytes", "gauge", "Resident memory.");
        Sample(text, "process_resident_memory_bytes", null, process.WorkingSet64);
        Counter(text, "process_cpu_seconds_total", "User and system CPU time.");
        text.Append("process_cpu_seconds_total ").Append(process.TotalProcessorTime.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n');
        Header(text, "process_start_time_seconds", "gauge", "Unix time the process started.");
        Sample(text, "process_start_time_seconds", null, new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeSeconds());
        Counter(text, "dotnet_gc_collections_total", "Garbage collections by generation.");
        for (int generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            Sample(text, "dotnet_gc_collections_total", $"generation=\"{generation}\"", GC.CollectionCount(generation));
        }

        Counter(text, "dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the start.");
        Sample(text, "dotnet_gc_allocated_bytes_total", null, GC.GetTotalAllocatedBytes(precise: false));
        Header(text, "dotnet_gc_memory_limit_bytes", "gauge", "Memory the GC may use: its heap hard limit (by default 75 % of a container memory limit), else the machine's.");
        Sample(text, "dotnet_gc_memory_limit_bytes", null, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        Counter(text, "meshdns_memory_trims_total", "Aggressive collections run when quiet after the heap grew (memory given back).");
        Sample(text, "meshdns_memory_trims_total", null, MemoryTrimmer.Trims);
        Header(text, "dotnet_gc_heap_bytes", "gauge", "Managed heap size after the last collection.");
        Sample(text, "dotnet_gc_heap_bytes", null, GC.GetGCMemoryInfo().HeapSizeBytes);
        return text.ToString();
    }

    private static void PerTransport(StringBuilder text, List<(string Name, IReadOnlyList<QueryStats> Stats)> transports, string metric, string help, Func<QueryStats, long> value)
    {
        Counter(text, metric, help);
        foreach ((string name, IReadOnlyList<QueryStats> stats) in transports)
        {
            Sample(text, metric, $"transport=\"{name}\"", stats.Sum(value));
        }
    }

    private static void Histogram(StringBuilder text, List<(string Name, IReadOnlyList<QueryStats> Stats)> transports, string metric, string help, double[] bounds, Func<QueryStats, long[]> buckets, Func<QueryStats, double> sum)
    {
        Header(text, metric, "histogram", help);
        foreach ((string name, IReadOnlyList<QueryStats> stats) in transports)
        {
            long cumulative = 0;
            for (int i = 0; i <= bounds.Length; i++)
            {
                cumulative += stats.Sum(s => Volatile.Read(ref buckets(s)[i]));
                string le = i < bounds.Length ? bounds[i].ToString("G", CultureInfo.InvariantCulture) : "+Inf";
                Sample(text, metric + "_bucket", $"transport=\"{name}\",le=\"{le}\"", cumulative);
            }

            text.Append(metric).Append("_sum{transport=\"").Append(name).Append("\"} ")
                .Append(stats.Sum(sum).ToString("0.#########", CultureInfo.InvariantCulture)).Append('\n');
            Sample(text, metric + "_count", $"transport=\"{name}\"", cumulative);
        }
    }

    private static void Counter(StringBuilder text, string name, string help) => Header(text, name, "counter", help);

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, string? labels, long value)
    {
        text.Append(name);
        if (labels is not null)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string RcodeName(int rcode) => rcode switch
    {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        16 => "BADVERS",
        _ => rcode.ToString(CultureInfo.InvariantCulture),
    };
}
