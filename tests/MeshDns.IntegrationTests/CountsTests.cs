using System.Text.Json;
using System.Text.RegularExpressions;

namespace MeshDns.IntegrationTests;

/// <summary>
/// The real process over entries that are read but serve nothing: the log's "Have N service entries",
/// meshdns_table_service_entries and /debug/names give the same N, and zones show as the resolver serves them.
/// </summary>
public sealed partial class CountsTests : IDisposable
{
    // Six entries are read; three serve a host (a, b, mixed). The others used to make the log say 6 and
    // the table 3: resolution NONE, no valid host, and only an address that cannot be served.
    private const string Yaml = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: a, namespace: counts}
        spec: {hosts: [a1.global, a2.global], addresses: ["10.0.0.1"], resolution: STATIC}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: b, namespace: counts}
        spec: {hosts: [b.global, a1.global], addresses: ["10.0.0.2"], resolution: STATIC}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: none, namespace: counts}
        spec: {hosts: [none.global], addresses: ["10.0.0.3"], resolution: NONE}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: bad-host, namespace: counts}
        spec: {hosts: [bad..global], addresses: ["10.0.0.4"], resolution: STATIC}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: only-bad, namespace: counts}
        spec: {hosts: [only-bad.global], addresses: ["10.1.1.300"], resolution: STATIC}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: mixed, namespace: counts}
        spec: {hosts: [Mixed.global], addresses: ["10", "10.0.0.5"], resolution: STATIC}
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-counts-").FullName;
    private readonly ServerProcess _server;
    private readonly HttpClient _http;
    private readonly int _dns;

    public CountsTests()
    {
        File.WriteAllText(Path.Combine(_dir, "counts.yaml"), Yaml);
        _dns = ServerProcess.FreePort();
        int http = ServerProcess.FreePort();
        _server = ServerProcess.Start(_dns, "--from-file", _dir, "--dns-listen", $"127.0.0.1:{_dns}", "--http-listen", $"127.0.0.1:{http}", "--grpc-listen", "off", "--zone", "GLOBAL.");
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
    }

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Log_metrics_and_debug_names_count_the_same_entries()
    {
        Match have = HaveLine().Match(_server.WaitForLine("Have ", TimeSpan.FromSeconds(10)));
        Assert.True(have.Success, _server.Output);
        Assert.Equal("6", have.Groups["read"].Value);
        int logged = int.Parse(have.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture);

        Dictionary<string, double> metrics = OperabilityTests.Parse(await _http.GetStringAsync("/metrics"));
        using JsonDocument names = JsonDocument.Parse(await _http.GetStringAsync("/debug/names"));
        int shown = names.RootElement.GetProperty("serviceEntries").GetInt32();

        Assert.Equal(3, logged);
        Assert.Equal(logged, (int)metrics["meshdns_table_service_entries"]);
        Assert.Equal(logged, shown);
        Assert.Equal(names.RootElement.GetProperty("hosts").GetArrayLength(), (int)metrics["meshdns_table_hosts"]);
        Assert.Equal(["counts/a", "counts/b", "counts/mixed"], names.RootElement.GetProperty("hosts").EnumerateArray()
            .SelectMany(h => h.GetProperty("sources").EnumerateArray().Select(s => s.GetString()!)).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_zone_given_as_GLOBAL_dot_shows_as_the_resolver_serves_it()
    {
        _server.WaitForLine("Have ", TimeSpan.FromSeconds(10));
        using JsonDocument names = JsonDocument.Parse(await _http.GetStringAsync("/debug/names"));

        Assert.Equal(["global"], names.RootElement.GetProperty("zones").EnumerateArray().Select(z => z.GetString()));
        Assert.Equal(4, names.RootElement.GetProperty("hosts").GetArrayLength());
        Assert.All(names.RootElement.GetProperty("hosts").EnumerateArray(), h => Assert.Equal("global", h.GetProperty("zone").GetString()));
        Assert.Equal("NOERROR", DigResult.Run(_dns, "global", "SOA").Status);
    }

    [Fact]
    public void A_bad_address_is_skipped_alone_with_one_warning_and_the_entry_kept()
    {
        _server.WaitForLine("Have ", TimeSpan.FromSeconds(10));

        Assert.Equal(["10.0.0.5"], DigResult.Run(_dns, "mixed.global").Data);
        Assert.Equal("NXDOMAIN", DigResult.Run(_dns, "only-bad.global").Status); // nothing left to serve, no --default-address
        Assert.Contains(_server.Lines, l => l.Contains("ServiceEntry counts/mixed: skipped spec.addresses[0] \"10\": not an IP address or CIDR", StringComparison.Ordinal));
        Assert.Contains(_server.Lines, l => l.Contains("ServiceEntry counts/only-bad: skipped spec.addresses[0] \"10.1.1.300\": not an IP address or CIDR", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_gc_heap_gauge_has_no_labels_as_the_readme_lists_it()
    {
        Dictionary<string, double> metrics = OperabilityTests.Parse(await _http.GetStringAsync("/metrics"));
        string readme = await File.ReadAllTextAsync(Path.Combine(Repo.Root, "README.md"));

        Assert.True(metrics.ContainsKey("dotnet_gc_heap_bytes"));
        Assert.DoesNotContain(metrics.Keys, k => k.StartsWith("dotnet_gc_heap_bytes{", StringComparison.Ordinal));
        Assert.Contains("| `dotnet_gc_heap_bytes` | | ", readme, StringComparison.Ordinal);
        Assert.True(metrics.ContainsKey("dotnet_gc_collections_total{generation=\"0\"}"));
        Assert.Contains("| `dotnet_gc_collections_total` | generation | ", readme, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Have (?<count>\d+) service entries \((?<read>\d+) read;")]
    private static partial Regex HaveLine();
}
