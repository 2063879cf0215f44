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
    public async Task Debug_names_shows_hosts_addresses_sources_zones_and_srv_names()
    {
        using JsonDocument names = JsonDocument.Parse(await _http.GetStringAsync("/debug/names"));
        Assert.True(names.RootElement.GetProperty("synced").GetBoolean());
        JsonElement seed = names.RootElement.GetProperty("hosts").EnumerateArray().Single(h => h.GetProperty("host").GetString() == "*.test.global");
        Assert.Equal("127.255.0.2", seed.GetProperty("addresses")[0].GetString());
        Assert.Equal("global", seed.GetProperty("zone").GetString());
        Assert.Equal("default/test-service-entry", seed.GetProperty("sources")[0].GetString());
        Assert.Equal(["_http1._tcp.*.test.global 80"], seed.GetProperty("srv").EnumerateArray().Select(e => e.GetString()));
        JsonElement payments = names.RootElement.GetProperty("hosts").EnumerateArray().Single(h => h.GetProperty("host").GetString() == "payments.shop.global");
        Assert.Equal(["_https._tcp.payments.shop.global 443"], payments.GetProperty("srv").EnumerateArray().Select(e => e.GetString()));
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

        server.Signal("TERM");
        Assert.EndsWith("still answering for 3 s (lame duck)", server.WaitForLine("lame duck", TimeSpan.FromSeconds(5)), StringComparison.Ordinal);
        HttpResponseMessage ready = await client.GetAsync("/readyz");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("shutting down", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["127.255.0.2"], DigResult.Run(dns, "service1.test.global").Data); // still answering
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Per_query_logs_only_at_debug_and_rate_limited()
    {
        int dns = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(dns, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{dns}", "--log-level", "debug");
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, dns);
        System.Net.Sockets.NetworkStream stream = tcp.GetStream();
        for (int i = 0; i < 300; i++)
        {
            await HostileTcpTests.Ask(stream, "service1.test.global", 1);
        }

        // One connection's queries are logged (or counted as suppressed) in order, each before its answer: once
        // a later marker query's line is out, so is every line of the burst. Markers are limited too: ask until one is logged.
        bool Logged() => server.Lines.Any(l => l.Contains("tcp query m", StringComparison.Ordinal));
        int m = 0;
        do
        {
            Assert.True(m < 40, "no marker query logged:\n" + server.Output);
            await HostileTcpTests.Ask(stream, $"m{m++}.test.global", 2);
        }
        while (!server.WaitUntil(Logged, TimeSpan.FromMilliseconds(250), "a marker query line"));

        List<string> lines = [.. server.Lines.Where(l => l.Contains("tcp query ", StringComparison.Ordinal))];
        string marker = lines.First(l => l.Contains("tcp query m", StringComparison.Ordinal));
        long[] suppressed = [.. lines.Take(lines.IndexOf(marker) + 1).Select(l => long.Parse(SuppressedCount().Match(l).Groups[1].Value, CultureInfo.InvariantCulture))];
        int markers = 1 + int.Parse(MarkerNumber().Match(marker).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(300 + markers, suppressed.Length + suppressed.Sum()); // every query logged or counted
        Assert.Contains(suppressed, n => n > 0); // and not every one logged

        int quietDns = ServerProcess.FreePort();
        using ServerProcess quiet = ServerProcess.Start(quietDns, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{quietDns}", "--lameduck", "0s");
        Assert.Equal("NOERROR", DigResult.Run(quietDns, "service1.test.global").Status);
        quiet.Signal("TERM");
        Assert.Equal(0, quiet.WaitForExit(TimeSpan.FromSeconds(15))); // its whole output is in
        Assert.DoesNotContain(quiet.Lines, l => l.Contains(" query ", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"\((\d+) lines suppressed before this\)$")]
    private static partial Regex SuppressedCount();

    [GeneratedRegex(@"tcp query m(\d+)\.")]
    private static partial Regex MarkerNumber();

    [GeneratedRegex(@"^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$")]
    private static partial Regex CommentLine();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*"",?)*\})? (-?[0-9.eE+]+|\+Inf)$")]
    private static partial Regex SampleLine();
}
