using System.Text.Json;
using MeshDns.Resolver;
using MeshDns.Table;
using Microsoft.AspNetCore.Http;

namespace MeshDns.Hosting;

/// <summary>/debug/names: the table as JSON (host, zone, addresses, source ServiceEntries), so an operator can see why a name
/// does or does not resolve. Streamed (tens of KiB a scrape whatever the table's size); over MaxConcurrent, 429.</summary>
public static class DebugNames
{
    private const int MaxConcurrent = 2;
    private const int FlushBytes = 16 * 1024;
    private static readonly SemaphoreSlim Gate = new(MaxConcurrent, MaxConcurrent);
    private static long s_served;
    private static long s_rejected;

    public static void WriteMetrics(MetricsText text)
    {
        text.Counter("meshdns_debug_names_requests_total", "/debug/names requests: served in full, or rejected (429) while others ran.");
        text.Sample("meshdns_debug_names_requests_total", "result=\"served\"", Interlocked.Read(ref s_served));
        text.Sample("meshdns_debug_names_requests_total", "result=\"rejected\"", Interlocked.Read(ref s_rejected));
    }

    public static async Task Handle(HttpContext context)
    {
        HttpResponse response = context.Response;
        if (!Gate.Wait(0))
        {
            Interlocked.Increment(ref s_rejected);
            response.StatusCode = StatusCodes.Status429TooManyRequests;
            response.Headers.RetryAfter = "1";
            await response.WriteAsync($"busy: {MaxConcurrent} /debug/names requests are running; retry\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        try
        {
            response.ContentType = "application/json; charset=utf-8";
            await Write(context.RequestServices, response, context.RequestAborted).ConfigureAwait(false);
            Interlocked.Increment(ref s_served);
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task Write(IServiceProvider services, HttpResponse response, CancellationToken aborted)
    {
        NameTable? table = (services.GetService(typeof(TableHolder)) as TableHolder)?.Current;
        IReadOnlyList<string> configured = (services.GetService(typeof(ResolverOptions)) as ResolverOptions)?.Zones ?? [];
        string[] zones = [.. configured.Select(ResolverOptions.NormalizeZone)];
        await using var json = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteBoolean("synced", table is not null);
        json.WriteNumber("serial", table?.Serial ?? 0);
        json.WriteNumber("serviceEntries", table?.ServiceEntryCount ?? 0);
        WriteStrings(json, "zones", zones); // as the resolver serves them: GLOBAL. is global
        json.WriteStartArray("hosts");
        IReadOnlyList<HostRecord> hosts = table?.Hosts ?? [];
        long flushed = 0;
        for (int i = 0; i < hosts.Count; i++)
        {
            WriteHost(json, hosts[i], zones);
            // The writer never flushes the pipe, which then grows without bound: flush (and wait for a slow client).
            if (json.BytesCommitted + json.BytesPending - flushed >= FlushBytes)
            {
                json.Flush();
                flushed = json.BytesCommitted;
                await response.BodyWriter.FlushAsync(aborted).ConfigureAwait(false);
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
    }

    private static void WriteHost(Utf8JsonWriter json, HostRecord host, string[] zones)
    {
        json.WriteStartObject();
        json.WriteString("host", host.Host);
        json.WriteString("zone", zones.Length == 0 ? "*" : ResolverOptions.ZoneOf(host.Host, zones) ?? ""); // "": REFUSED
        json.WriteStartArray("addresses");
        Span<byte> text = stackalloc byte[64];
        for (int i = 0; i < host.Addresses.Count; i++) // indexers, not foreach: no enumerator allocated per host
        {
            System.Net.IPAddress address = host.Addresses[i];
            json.WriteStringValue(address.TryFormat(text, out int length) ? text[..length] : System.Text.Encoding.UTF8.GetBytes(address.ToString()));
        }

        json.WriteEndArray();
        WriteStrings(json, "sources", host.Sources);
        if (host.Ports.Count > 0)
        {
            // Only hosts with named ports have it, so the document of a table without any stays as it was.
            json.WriteStartArray("srv");
            for (int i = 0; i < host.Ports.Count; i++)
            {
                SrvPort port = host.Ports[i];
                json.WriteStringValue($"{port.Labels}.{host.Host} {port.Number}");
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        for (int i = 0; i < values.Count; i++) // indexers, not foreach: no enumerator allocated per host
        {
            json.WriteStringValue(values[i]);
        }

        json.WriteEndArray();
    }
}
