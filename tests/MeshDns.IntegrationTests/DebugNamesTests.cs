using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace MeshDns.IntegrationTests;

/// <summary>/debug/names of the real process over a large table: streamed, bounded in memory, at most two at once.</summary>
public sealed class DebugNamesTests : IDisposable
{
    private const int Entries = 20_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-names-").FullName;
    private readonly ServerProcess _server;
    private readonly HttpClient _http;
    private readonly int _httpPort;

    public DebugNamesTests()
    {
        // Long names (about 200 octets) make an 8 MB document: more than the kernel buffers of a stalled connection hold.
        string padding = string.Join('.', Enumerable.Repeat(new string('x', 60), 3));
        var yaml = new StringBuilder();
        for (int i = 0; i < Entries; i++)
        {
            yaml.Append($"---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: svc{i}\n  namespace: ns{i % 50}\n")
                .Append($"spec:\n  hosts:\n  - svc{i}.{padding}.ns{i % 50}.global\n  addresses:\n  - 240.0.{i >> 8 & 255}.{i & 255}\n  resolution: DNS\n");
        }

        File.WriteAllText(Path.Combine(_dir, "many.yaml"), yaml.ToString());
        int dns = ServerProcess.FreePort();
        _httpPort = ServerProcess.FreePort();
        _server = ServerProcess.Start(dns, "--from-file", _dir, "--dns-listen", $"127.0.0.1:{dns}", "--http-listen", $"127.0.0.1:{_httpPort}", "--grpc-listen", "off");
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<Dictionary<string, double>> Metrics() => OperabilityTests.Parse(await _http.GetStringAsync("/metrics"));

    /// <summary>A full scrape: 200 and every host, as valid JSON.</summary>
    private async Task<long> ScrapeWhole()
    {
        byte[] body = await _http.GetByteArrayAsync("/debug/names");
        using JsonDocument names = JsonDocument.Parse(body);
        Assert.Equal(Entries, names.RootElement.GetProperty("hosts").GetArrayLength());
        return body.Length;
    }

    /// <summary>Starts a scrape and reads only its status line, then stops reading: the server is held mid-response.</summary>
    private async Task<TcpClient> StartStalledScrape()
    {
        var client = new TcpClient { ReceiveBufferSize = 4096 };
        await client.ConnectAsync(System.Net.IPAddress.Loopback, _httpPort);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync("GET /debug/names HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        var status = new byte[12];
        await stream.ReadExactlyAsync(status);
        Assert.Equal("HTTP/1.1 200", Encoding.ASCII.GetString(status)); // sent with the first flush: the handler is running
        return client;
    }

    [Fact]
    public async Task A_third_concurrent_scrape_gets_429_and_a_later_one_the_whole_table()
    {
        using (TcpClient first = await StartStalledScrape())
        using (TcpClient second = await StartStalledScrape())
        {
            HttpResponseMessage busy = await _http.GetAsync("/debug/names");
            Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, busy.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), busy.Headers.RetryAfter?.Delta);
        }

        // The stalled scrapes end when the server sees their connections gone: retry 429s until a whole answer.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        HttpResponseMessage response;
        while ((response = await _http.GetAsync("/debug/names")).StatusCode == System.Net.HttpStatusCode.TooManyRequests)
        {
            response.Dispose();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the gate was never released");
            await Task.Delay(100);
        }

        using (response)
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            using JsonDocument names = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(Entries, names.RootElement.GetProperty("hosts").GetArrayLength());
        }

        Dictionary<string, double> metrics = await Metrics();
        Assert.True(metrics["meshdns_debug_names_requests_total{result=\"rejected\"}"] >= 1);
        Assert.True(metrics["meshdns_debug_names_requests_total{result=\"served\"}"] >= 1);
    }

    [Fact]
    public async Task Scrapes_allocate_a_fraction_of_the_document_and_concurrent_ones_do_not_raise_peak_memory()
    {
        long size = await ScrapeWhole(); // warm up (and, in the JIT build, compile) the path
        Dictionary<string, double> before = await Metrics();
        const int scrapes = 10;
        for (int i = 0; i < scrapes; i++)
        {
            await ScrapeWhole();
        }

        double allocated = (await Metrics())["dotnet_gc_allocated_bytes_total"] - before["dotnet_gc_allocated_bytes_total"];
        // Buffering the document (MemoryStream, array, string) costs several times its size per scrape.
        Assert.True(allocated / scrapes < size / 4, $"{allocated / scrapes:N0} bytes allocated per scrape of a {size:N0}-byte document");

        long peakBefore = PeakRssKiB();
        using var gate = new SemaphoreSlim(20);
        int[] statuses = await Task.WhenAll(Enumerable.Range(0, 60).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                using HttpResponseMessage response = await _http.GetAsync("/debug/names");
                await response.Content.ReadAsByteArrayAsync();
                return (int)response.StatusCode;
            }
            finally
            {
                gate.Release();
            }
        }));
        Assert.All(statuses, s => Assert.True(s is 200 or 429, $"status {s}"));
        long grownKiB = PeakRssKiB() - peakBefore;
        Assert.True(grownKiB < 48 * 1024, $"peak RSS grew by {grownKiB / 1024} MiB over 60 scrapes, 20 at a time, of a {size / 1024} KiB document");
    }

    private long PeakRssKiB() =>
        long.Parse(File.ReadLines($"/proc/{_server.Pid}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
