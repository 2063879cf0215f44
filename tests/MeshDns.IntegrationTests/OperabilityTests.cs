using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MeshDns.IntegrationTests;

/// <summary>/metrics and /debug/names of the real process.</summary>
public sealed partial class OperabilityTests : IDisposable
{
    private readonly ServerProcess _server;
    private readonly HttpClient _http;
    private readonly int _dns;

    public OperabilityTests()
    {
        _dns = ServerProcess.FreePort();
        int http = ServerProcess.FreePort();
        _server = ServerProcess.Start(_dns, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{_dns}", "--http-listen", $"127.0.0.1:{http}", "--zone", "global");
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
    }

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
    }

    /// <summary>Parses the text exposition format strictly: HELP and TYPE before samples, valid names and values, no repeated series.</summary>
    internal static Dictionary<string, double> Parse(string text)
    {
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        var typed = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            Match comment = CommentLine().Match(line);
            if (comment.Success)
            {
                if (comment.Groups[1].Value == "TYPE")
                {
                    Assert.Matches("^(counter|gauge|histogram|summary|untyped)$", comment.Groups[3].Value);
                    Assert.True(typed.Add(comment.Groups[2].Value), "TYPE given twice for " + comment.Groups[2].Value);
                }

                continue;
            }

            Match sample = SampleLine().Match(line);
            Assert.True(sample.Success, "not a valid sample line: " + line);
            string family = Regex.Replace(sample.Groups[1].Value, "_(bucket|sum|count)$", "");
            Assert.True(typed.Contains(sample.Groups[1].Value) || typed.Contains(family), "no TYPE before " + line);
            string key = sample.Groups[1].Value + sample.Groups[2].Value;
            Assert.True(series.TryAdd(key, double.Parse(sample.Groups[3].Value, CultureInfo.InvariantCulture)), "repeated series " + key);
        }

        return series;
    }

    private async Task<Dictionary<string, double>> Scrape()
    {
        HttpResponseMessage response = await _http.GetAsync("/metrics");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        return Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_parse_and_move_with_real_queries()
    {
        Dictionary<string, double> before = await Scrape();
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("NOERROR", DigResult.Run(_dns, $"s{i}.test.global").Status);
        }

        Assert.Equal("NXDOMAIN", DigResult.Run(_dns, "nothing.global", "A", "+tcp").Status);
        Assert.Equal("REFUSED", DigResult.Run(_dns, "example.org").Status);
        Dictionary<string, double> after = await Scrape();

        double Delta(string key) => after.GetValueOrDefault(key) - before.GetValueOrDefault(key);
        Assert.Equal(6, Delta("meshdns_dns_requests_total{transport=\"udp\",type=\"A\"}"));
        Assert.Equal(1, Delta("meshdns_dns_requests_total{transport=\"tcp\",type=\"A\"}"));
        Assert.Equal(5, Delta("meshdns_dns_responses_total{transport=\"udp\",rcode=\"NOERROR\"}"));
        Assert.Equal(1, Delta("meshdns_dns_responses_total{transport=\"udp\",rcode=\"REFUSED\"}"));
        Assert.Equal(1, Delta("meshdns_dns_responses_total{transport=\"tcp\",rcode=\"NXDOMAIN\"}"));
        Assert.True(Delta("meshdns_dns_response_bytes_total{transport=\"udp\"}") > 0);
        Assert.Equal(1, after["meshdns_table_synced"]);
        Assert.True(after["meshdns_table_hosts"] >= 5);
        Assert.True(after["meshdns_table_rebuilds_total"] >= 1);
        Assert.Equal(6, Delta("meshdns_dns_request_duration_seconds_count{transport=\"udp\"}"));
        Assert.Equal(6, Delta("meshdns_dns_request_duration_seconds_bucket{transport=\"udp\",le=\"+Inf\"}"));
        Assert.Equal(6, Delta("meshdns_dns_response_size_bytes_bucket{transport=\"udp\",le=\"512\"}"));
        Assert.True(after["process_resident_memory_bytes"] > 1_000_000);
        Assert.Contains(after.Keys, k => k.StartsWith("meshdns_build_info{version=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Debug_names_shows_hosts_addresses_sources_and_zones()
    {
        using JsonDocument names = JsonDocument.Parse(await _http.GetStringAsync("/debug/names"));
        Assert.True(names.RootElement.GetProperty("synced").GetBoolean());
        JsonElement seed = names.RootElement.GetProperty("hosts").EnumerateArray().Single(h => h.GetProperty("host").GetString() == "*.test.global");
        Assert.Equal("127.255.0.2", seed.GetProperty("addresses")[0].GetString());
        Assert.Equal("global", seed.GetProperty("zone").GetString());
        Assert.Equal("default/test-service-entry", seed.GetProperty("sources")[0].GetString());
    }

    [Fact]
    public async Task Debug_names_can_be_turned_off()
    {
        int dns = ServerProcess.FreePort();
        int http = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(dns, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{dns}", "--http-listen", $"127.0.0.1:{http}", "--debug-names=false");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("/debug/names")).StatusCode);
    }

    [Fact]
    public async Task Sigterm_starts_a_lame_duck_then_exits_0()
    {
        int dns = ServerProcess.FreePort();
        int http = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(dns, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{dns}", "--http-listen", $"127.0.0.1:{http}", "--lameduck", "3s");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        server.Signal("TERM");
        server.WaitForLine("lame duck", TimeSpan.FromSeconds(5));
        HttpResponseMessage ready = await client.GetAsync("/readyz");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("shutting down", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["127.255.0.2"], DigResult.Run(dns, "service1.test.global").Data); // still answering
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(20)));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.5), "the lame duck lasted about --lameduck");
    }

    [Fact]
    public async Task Per_query_logs_only_at_debug_and_rate_limited()
    {
        int dns = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(dns, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{dns}", "--log-level", "debug");
        using var udp = new System.Net.Sockets.UdpClient();
        udp.Connect(System.Net.IPAddress.Loopback, dns);
        udp.Client.ReceiveTimeout = 3000;
        byte[] query = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 8, .. "service1"u8.ToArray(), 4, .. "test"u8.ToArray(), 6, .. "global"u8.ToArray(), 0, 0, 1, 0, 1];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 300; i++)
        {
            await udp.SendAsync(query);
            await udp.ReceiveAsync();
        }

        double seconds = clock.Elapsed.TotalSeconds;
        server.WaitForLine("udp query service1.test.global. type 1: rcode 0", TimeSpan.FromSeconds(5));
        await Task.Delay(300);
        int lines = server.Lines.Count(l => l.Contains("udp query ", StringComparison.Ordinal));
        Assert.InRange(lines, 1, 20 * ((int)Math.Ceiling(seconds) + 1));
        Assert.True(lines < 300, "rate limited");

        using ServerProcess quiet = ServerProcess.Start(ServerProcess.FreePort(), "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{ServerProcess.FreePort()}");
        Assert.DoesNotContain(quiet.Lines, l => l.Contains(" query ", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$")]
    private static partial Regex CommentLine();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*"",?)*\})? (-?[0-9.eE+]+|\+Inf)$")]
    private static partial Regex SampleLine();
}
