using System.Text.Json.Nodes;
using MeshDns.IntegrationTests;
using MeshDns.Kubernetes.Tests.ApiServer;

namespace MeshDns.Kubernetes.Tests;

/// <summary>The meshdns process following the fake API server through a kubeconfig, queried with dig.</summary>
public sealed class ProcessTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-k8s-proc-").FullName;
    private FakeKubeApiServer _api = null!;

    public async Task InitializeAsync() => _api = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "proc-token", UseTls = true });

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private static JsonObject Spec(string host, string address) => new()
    {
        ["hosts"] = new JsonArray(host),
        ["addresses"] = new JsonArray(address),
        ["resolution"] = "DNS",
        ["location"] = "MESH_INTERNAL",
    };

    [Fact]
    public async Task Serves_the_cluster_over_tls_with_a_token_and_follows_changes()
    {
        _api.Create("istio-system", "seed", Spec("*.test.global", "127.255.0.2"));
        string kubeconfig = Path.Combine(_dir, "kubeconfig");
        _api.WriteKubeconfig(kubeconfig);
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--kubeconfig", kubeconfig, "--dns-listen", $"127.0.0.1:{port}", "--zone", "global");

        await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(port, "service1.test.global").Data.SequenceEqual(["127.255.0.2"]), TimeSpan.FromSeconds(20), "first answer");
        Assert.Equal(["127.255.0.2"], DigResult.Run(port, "service2.test.global", "A", "+tcp").Data);
        Assert.Equal("NOERROR", DigResult.Run(port, "service1.test.global", "AAAA").Status);
        Assert.Equal("NXDOMAIN", DigResult.Run(port, "nothing.global").Status);

        _api.Update("istio-system", "seed", Spec("*.test.global", "127.255.0.3"));
        await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(port, "service1.test.global").Data.SequenceEqual(["127.255.0.3"]), TimeSpan.FromSeconds(20), "update");
        _api.Delete("istio-system", "seed");
        await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(port, "service1.test.global").Status == "NXDOMAIN", TimeSpan.FromSeconds(20), "delete");

        server.WaitForLine("adding DNS mapping: .test.global.->[127.255.0.2]", TimeSpan.FromSeconds(5));
        server.WaitForLine("Using networking.istio.io/v1 ServiceEntries", TimeSpan.FromSeconds(5));
        Assert.All(_api.RequestLog, r => Assert.Equal("Bearer proc-token", r.Authorization));
        Assert.DoesNotContain(server.Lines, l => l.Contains("proc-token", StringComparison.Ordinal)); // never log secrets
    }

    [Fact]
    public async Task Answers_servfail_until_the_first_list_then_keeps_the_table_through_an_outage()
    {
        _api.SetServedVersions(); // networking.istio.io not served yet: no sync
        _api.Create("mesh", "a", Spec("a.mesh.global", "10.0.0.1"));
        string kubeconfig = Path.Combine(_dir, "kubeconfig");
        _api.WriteKubeconfig(kubeconfig);
        int port = ServerProcess.FreePort();
        int http = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--kubeconfig", kubeconfig, "--dns-listen", $"127.0.0.1:{port}", "--http-listen", $"127.0.0.1:{http}");
        using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };

        Assert.Equal("SERVFAIL", DigResult.Run(port, "a.mesh.global").Status);
        HttpResponseMessage notReady = await probe.GetAsync("/readyz");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("first sync", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        _api.SetServedVersions("v1", "v1beta1");
        await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(port, "a.mesh.global").Data.SequenceEqual(["10.0.0.1"]), TimeSpan.FromSeconds(30), "sync");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await probe.GetAsync("/readyz")).StatusCode);

        // An outage: every request fails and the watch drops. The last good table keeps answering.
        _api.FailNextRequests(1000, 503);
        _api.DropAllWatches();
        await FakeKubeApiServer.WaitUntilAsync(() => _api.RequestLog.Count(r => r.StatusCode == 503) >= 3, TimeSpan.FromSeconds(30), "three failed retries");
        Assert.Equal(["10.0.0.1"], DigResult.Run(port, "a.mesh.global").Data);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await probe.GetAsync("/readyz")).StatusCode); // an outage keeps it ready
        _api.ResetFaults();
        _api.Update("mesh", "a", Spec("a.mesh.global", "10.0.0.2"));
        await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(port, "a.mesh.global").Data.SequenceEqual(["10.0.0.2"]), TimeSpan.FromSeconds(60), "recovery");
    }

    [Fact]
    public void Addresses_follow_the_shared_rule_as_with_the_file_source()
    {
        // The same cases as AddressRuleTests.Addresses_follow_the_shared_rule_as_with_the_kubernetes_source.
        foreach ((string name, string host, string[] addresses) in MeshDns.TestCases.AddressCases.Entries())
        {
            _api.Create(MeshDns.TestCases.AddressCases.Namespace, name, new JsonObject
            {
                ["hosts"] = new JsonArray(host),
                ["addresses"] = new JsonArray([.. addresses.Select(a => (JsonNode?)JsonValue.Create(a))]),
                ["resolution"] = "STATIC",
            });
        }

        string kubeconfig = Path.Combine(_dir, "kubeconfig");
        _api.WriteKubeconfig(kubeconfig);
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--kubeconfig", kubeconfig, "--dns-listen", $"127.0.0.1:{port}", "--grpc-listen", "off");

        MeshDns.TestCases.AddressCasesOverDns.Check(server, port);
    }

    [Theory]
    [InlineData("--kubeconfig /nonexistent/kubeconfig", "--kubeconfig /nonexistent/kubeconfig: no such file")]
    [InlineData("--namespace Bad_NS", "invalid value \"Bad_NS\" for --namespace")]
    public void Bad_kubernetes_flags_exit_2(string args, string expected)
    {
        using ServerProcess server = ServerProcess.Start(args.Split(' '));
        Assert.Equal(2, server.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Contains(server.Lines, l => l.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Namespace_without_a_kubeconfig_says_where_it_looked()
    {
        // A HOME without .kube/config, no $KUBECONFIG, not in a pod.
        using ServerProcess server = ServerProcess.StartUnder($"export HOME={_dir} && unset KUBECONFIG KUBERNETES_SERVICE_HOST", 0, "--namespace", "foo");
        Assert.Equal(2, server.WaitForExit(TimeSpan.FromSeconds(30)));
        string line = Assert.Single(server.Lines, l => l.Length > 0);
        Assert.Equal($"meshdns: --namespace needs the Kubernetes source, but there is no kubeconfig: not in a pod (no service account), $KUBECONFIG is unset, {_dir}/.kube/config does not exist; give --kubeconfig PATH", line);
    }

    [Fact]
    public async Task A_kubeconfig_user_without_credentials_works_over_plain_http()
    {
        await using FakeKubeApiServer open = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = null, UseTls = false });
        open.Create("mesh", "a", Spec("a.mesh.global", "10.0.0.7"));
        string kubeconfig = Path.Combine(_dir, "proxy-kubeconfig");
        open.WriteKubeconfig(kubeconfig); // user: {} as kubectl proxy's users have
        Assert.Contains("user: {}", File.ReadAllText(kubeconfig), StringComparison.Ordinal);
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--kubeconfig", kubeconfig, "--dns-listen", $"127.0.0.1:{port}", "--grpc-listen", "off", "--http-listen", "off");

        await FakeKubeApiServer.WaitUntilAsync(() => server.HasExited || DigResult.Run(port, "a.mesh.global").Data.SequenceEqual(["10.0.0.7"]), TimeSpan.FromSeconds(20), "first answer");
        Assert.False(server.HasExited, server.Output);
        Assert.All(open.RequestLog, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public void Unknown_context_exits_2()
    {
        string kubeconfig = Path.Combine(_dir, "kubeconfig");
        _api.WriteKubeconfig(kubeconfig);
        using ServerProcess server = ServerProcess.Start("--kubeconfig", kubeconfig, "--context", "nope");
        Assert.Equal(2, server.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Contains(server.Lines, l => l.StartsWith("meshdns: --context nope", StringComparison.Ordinal));
    }
}
