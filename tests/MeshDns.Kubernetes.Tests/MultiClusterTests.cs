using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshDns.IntegrationTests;
using MeshDns.Kubernetes.Tests.ApiServer;

namespace MeshDns.Kubernetes.Tests;

/// <summary>The meshdns process following two fake API servers (each its own token and CA) through repeated --kubeconfig:
/// the first is the local cluster, the second remote.</summary>
public sealed class MultiClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-multi-").FullName;
    private FakeKubeApiServer _east = null!;
    private FakeKubeApiServer _west = null!;

    public async Task InitializeAsync()
    {
        _east = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "east-token", UseTls = true });
        _west = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "west-token", UseTls = true });
    }

    public async Task DisposeAsync()
    {
        await _east.DisposeAsync();
        await _west.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private static JsonObject Spec(string host, string address) => new()
    {
        ["hosts"] = new JsonArray(host),
        ["addresses"] = new JsonArray(address),
        ["resolution"] = "STATIC",
    };

    /// <summary>meshdns on --kubeconfig east=... --kubeconfig west=... (contexts "test"), its DNS port and an HTTP client.</summary>
    private (ServerProcess Server, int Dns, HttpClient Http) Start(params string[] more)
    {
        string east = Path.Combine(_dir, "east"), west = Path.Combine(_dir, "west");
        _east.WriteKubeconfig(east);
        _west.WriteKubeconfig(west);
        int dns = ServerProcess.FreePort(), http = ServerProcess.FreePort();
        ServerProcess server = ServerProcess.Start(dns, ["--kubeconfig", $"east={east}", "--kubeconfig", $"west={west}", "--dns-listen", $"127.0.0.1:{dns}",
            "--http-listen", $"127.0.0.1:{http}", "--round-robin=false", .. more]);
        return (server, dns, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") });
    }

    private static async Task<string> Metrics(HttpClient http) => await http.GetStringAsync("/metrics");

    [Fact]
    public async Task Serves_the_union_merges_a_host_of_both_and_names_each_source_by_cluster()
    {
        _east.Create("mesh", "a", Spec("a.mesh.global", "10.0.0.1"));
        _east.Create("mesh", "shared", Spec("shared.mesh.global", "10.0.1.1"));
        _west.Create("mesh", "b", Spec("b.mesh.global", "10.0.0.2"));
        _west.Create("mesh", "shared", Spec("shared.mesh.global", "10.0.1.2"));
        _west.Create("other", "twice", Spec("shared.mesh.global", "10.0.1.1")); // an address both clusters give: served once
        (ServerProcess server, int dns, HttpClient http) = Start();
        using (server)
        using (http)
        {
            await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(dns, "b.mesh.global").Data.SequenceEqual(["10.0.0.2"]), Wait, "the remote cluster's host");
            Assert.Equal(["10.0.0.1"], DigResult.Run(dns, "a.mesh.global").Data);
            Assert.Equal(["10.0.1.1", "10.0.1.2"], DigResult.Run(dns, "shared.mesh.global").Data);

            using JsonDocument names = JsonDocument.Parse(await http.GetStringAsync("/debug/names"));
            JsonElement shared = names.RootElement.GetProperty("hosts").EnumerateArray().Single(h => h.GetProperty("host").GetString() == "shared.mesh.global");
            Assert.Equal(["10.0.1.1", "10.0.1.2"], shared.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
            Assert.Equal(["east/mesh/shared", "west/mesh/shared", "west/other/twice"], shared.GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
            Assert.Equal(5, names.RootElement.GetProperty("serviceEntries").GetInt32());

            string metrics = await Metrics(http);
            Assert.Contains("meshdns_kubernetes_cluster_synced{cluster=\"east\"} 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains("meshdns_kubernetes_cluster_synced{cluster=\"west\"} 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains("meshdns_kubernetes_cluster_remote{cluster=\"west\"} 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains("meshdns_kubernetes_lists_total{cluster=\"west\"} 1\n", metrics, StringComparison.Ordinal);
            Assert.Equal("ready\ncluster east (local): synced\ncluster west (remote): synced\n", await http.GetStringAsync("/readyz"));

            _west.Update("mesh", "b", Spec("b.mesh.global", "10.0.0.3")); // the remote is followed, not only listed
            await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(dns, "b.mesh.global").Data.SequenceEqual(["10.0.0.3"]), Wait, "the remote's update");
        }

        Assert.All(_east.RequestLog, r => Assert.Equal("Bearer east-token", r.Authorization));
        Assert.All(_west.RequestLog, r => Assert.Equal("Bearer west-token", r.Authorization));
        Assert.DoesNotContain(server.Lines, l => l.Contains("-token", StringComparison.Ordinal) || l.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_remote_down_at_start_is_waited_for_until_the_timeout_then_joins_when_it_syncs()
    {
        _east.Create("mesh", "a", Spec("a.mesh.global", "10.0.0.1"));
        _west.Create("mesh", "b", Spec("b.mesh.global", "10.0.0.2"));
        _west.FailNextRequests(100_000, 503);
        (ServerProcess server, int dns, HttpClient http) = Start("--remote-sync-timeout", "5s");
        using (server)
        using (http)
        {
            HttpResponseMessage waiting = await http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, waiting.StatusCode);
            Assert.Contains("cluster west (remote): waiting for its first sync", await waiting.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal("SERVFAIL", DigResult.Run(dns, "a.mesh.global").Status); // no half table before the timeout

            server.WaitForLine("Cluster west has not synced within --remote-sync-timeout (5s): serving without it until it does", Wait);
            await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(dns, "a.mesh.global").Data.SequenceEqual(["10.0.0.1"]), Wait, "the local cluster served");
            Assert.Equal("NXDOMAIN", DigResult.Run(dns, "b.mesh.global").Status);
            HttpResponseMessage ready = await http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("cluster west (remote): not synced within --remote-sync-timeout 5s", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Contains("meshdns_kubernetes_cluster_synced{cluster=\"west\"} 0\n", await Metrics(http), StringComparison.Ordinal);

            _west.ResetFaults();
            await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(dns, "b.mesh.global").Data.SequenceEqual(["10.0.0.2"]), TimeSpan.FromSeconds(60), "the remote folded in");
            Assert.Contains("meshdns_kubernetes_cluster_synced{cluster=\"west\"} 1\n", await Metrics(http), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_remote_that_goes_down_keeps_its_entries_and_is_reported()
    {
        _east.Create("mesh", "a", Spec("a.mesh.global", "10.0.0.1"));
        _west.Create("mesh", "b", Spec("b.mesh.global", "10.0.0.2"));
        (ServerProcess server, int dns, HttpClient http) = Start();
        using (server)
        using (http)
        {
            await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(dns, "b.mesh.global").Data.SequenceEqual(["10.0.0.2"]), Wait, "both synced");
            _west.FailNextRequests(100_000, 503);
            _west.DropAllWatches();
            await FakeKubeApiServer.WaitUntilAsync(
                () => Metrics(http).Result.Contains("meshdns_kubernetes_cluster_reachable{cluster=\"west\"} 0\n", StringComparison.Ordinal), Wait, "west reported unreachable", TimeSpan.FromMilliseconds(100));

            Assert.Equal(["10.0.0.2"], DigResult.Run(dns, "b.mesh.global").Data);
            Assert.Equal(["10.0.0.1"], DigResult.Run(dns, "a.mesh.global").Data);
            string metrics = await Metrics(http);
            Assert.Contains("meshdns_kubernetes_cluster_reachable{cluster=\"east\"} 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains("meshdns_kubernetes_errors_total{cluster=\"west\",reason=", metrics, StringComparison.Ordinal);
            HttpResponseMessage ready = await http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("cluster west (remote): API unreachable, serving its last good entries while retrying", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            _east.Update("mesh", "a", Spec("a.mesh.global", "10.0.0.9")); // the local cluster is followed meanwhile
            await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(dns, "a.mesh.global").Data.SequenceEqual(["10.0.0.9"]), Wait, "the local update");
            Assert.Equal(["10.0.0.2"], DigResult.Run(dns, "b.mesh.global").Data);
        }
    }

    [Theory]
    [InlineData("TERM", false)]
    [InlineData("INT", true)]
    public async Task Stops_with_exit_0_while_a_remote_is_down(string signal, bool pastTheTimeout)
    {
        _east.Create("mesh", "a", Spec("a.mesh.global", "10.0.0.1"));
        _west.FailNextRequests(100_000, 503);
        (ServerProcess server, int dns, HttpClient http) = Start("--remote-sync-timeout", pastTheTimeout ? "1s" : "10m", "--lameduck", "1s");
        using (server)
        using (http)
        {
            await FakeKubeApiServer.WaitUntilAsync(() => _west.RequestLog.Any(r => r.StatusCode == 503), Wait, "the remote failing");
            if (pastTheTimeout)
            {
                await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(dns, "a.mesh.global").Data.SequenceEqual(["10.0.0.1"]), Wait, "served without the remote");
            }

            server.Signal(signal);
            Assert.Equal(0, server.WaitForExit(Wait));
        }
    }

    [Fact]
    public async Task One_cluster_keeps_namespace_name_in_debug_names_and_a_cluster_label_in_metrics()
    {
        _east.Create("mesh", "a", Spec("a.mesh.global", "10.0.0.1"));
        string east = Path.Combine(_dir, "east");
        _east.WriteKubeconfig(east, contextName: "prod-east");
        int dns = ServerProcess.FreePort(), httpPort = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(dns, "--kubeconfig", east, "--dns-listen", $"127.0.0.1:{dns}", "--http-listen", $"127.0.0.1:{httpPort}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(dns, "a.mesh.global").Data.SequenceEqual(["10.0.0.1"]), Wait, "first answer");

        using JsonDocument names = JsonDocument.Parse(await http.GetStringAsync("/debug/names"));
        JsonElement host = Assert.Single(names.RootElement.GetProperty("hosts").EnumerateArray());
        Assert.Equal(["mesh/a"], host.GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("ready\n", await http.GetStringAsync("/readyz"));
        Assert.Contains("meshdns_kubernetes_cluster_synced{cluster=\"prod-east\"} 1\n", await Metrics(http), StringComparison.Ordinal); // named by its context
    }

    [Fact]
    public void Flag_errors_exit_2_with_one_line()
    {
        string a = Path.Combine(_dir, "a"), b = Path.Combine(_dir, "b"), eks = Path.Combine(_dir, "eks");
        _east.WriteKubeconfig(a);
        _west.WriteKubeconfig(b); // context "test" too
        _west.WriteKubeconfig(eks, contextName: "arn:aws:eks:eu-west-1:1:cluster/west");
        (string[] Args, string Line)[] cases =
        [
            (["--kubeconfig", "=" + a], "meshdns: invalid value \"=" + a + "\" for --kubeconfig: the cluster name before '=' is empty: write NAME=PATH or PATH"),
            (["--kubeconfig", "east="], "meshdns: invalid value \"east=\" for --kubeconfig: the path after \"east=\" is empty: write NAME=PATH or PATH"),
            (["--kubeconfig", "we st=" + a], "meshdns: invalid value \"we st=" + a + "\" for --kubeconfig: the cluster name \"we st\" must be letters, digits, '-', '_' or '.'"),
            (["--kubeconfig", a, "--kubeconfig", b], $"meshdns: --kubeconfig: two clusters are named \"test\" ({a} and {b}); name them apart with --kubeconfig NAME=PATH"),
            (["--kubeconfig", "x=" + a, "--kubeconfig", "x=" + b], $"meshdns: --kubeconfig: two clusters are named \"x\" ({a} and {b}); name them apart with --kubeconfig NAME=PATH"),
            (["--kubeconfig", a, "--kubeconfig", eks], $"meshdns: --kubeconfig {eks}: its context cannot name the cluster (the cluster name \"arn:aws:eks:eu-west-1:1:cluster/west\" must be letters, digits, '-', '_' or '.'); write --kubeconfig NAME={eks}"),
            (["--kubeconfig", a, "--remote-sync-timeout", "soon"], "meshdns: invalid value \"soon\" for --remote-sync-timeout: "),
            (["--kubeconfig", a, "--remote-sync-timeout", "2h"], "meshdns: invalid value \"2h\" for --remote-sync-timeout: must be at most 1h"),
        ];
        foreach ((string[] args, string expected) in cases)
        {
            using ServerProcess server = ServerProcess.Start(args);
            Assert.Equal(2, server.WaitForExit(Wait));
            string line = Assert.Single(server.Lines, l => l.Length > 0);
            Assert.StartsWith(expected, line, StringComparison.Ordinal);
        }
    }
}
