using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshDns.IntegrationTests;
using MeshDns.Kubernetes.Tests.ApiServer;

namespace MeshDns.Kubernetes.Tests;

/// <summary>The meshdns process with --remote-secrets: the local fake API server holds Istio remote secrets whose kubeconfigs
/// reach two other fake API servers (each its own token and CA); secrets added, rotated and deleted start, replace and stop
/// following those clusters.</summary>
public sealed class RemoteSecretProcessTests : IAsyncLifetime
{
    private const string Namespace = "istio-system";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly Dictionary<string, string> Labelled = new() { ["istio/multiCluster"] = "true" };
    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-remote-secrets-").FullName;
    private FakeKubeApiServer _local = null!;
    private FakeKubeApiServer _east = null!;
    private FakeKubeApiServer _east2 = null!;

    public async Task InitializeAsync()
    {
        _local = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "local-token", UseTls = true });
        _east = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "east-token", UseTls = true });
        _east2 = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "east2-token", UseTls = true });
    }

    public async Task DisposeAsync()
    {
        await _local.DisposeAsync();
        await _east.DisposeAsync();
        await _east2.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private static JsonObject Spec(string host, string address) => new()
    {
        ["hosts"] = new JsonArray(host),
        ["addresses"] = new JsonArray(address),
        ["resolution"] = "STATIC",
    };

    /// <summary>A kubeconfig as istioctl create-remote-secret writes it: inline CA and token.</summary>
    private static Dictionary<string, byte[]> Kubeconfig(string cluster, FakeKubeApiServer server, string token) =>
        new() { [cluster] = Encoding.UTF8.GetBytes(KubeconfigWriter.Render(server.BaseUri, token, server.CaCertificatePem, contextName: cluster)) };

    private (ServerProcess Server, int Dns, HttpClient Http) Start(params string[] more)
    {
        string local = Path.Combine(_dir, "local");
        _local.WriteKubeconfig(local);
        int dns = ServerProcess.FreePort(), http = ServerProcess.FreePort();
        ServerProcess server = ServerProcess.Start(dns, ["--kubeconfig", $"home={local}", "--remote-secrets", Namespace, "--dns-listen", $"127.0.0.1:{dns}",
            "--http-listen", $"127.0.0.1:{http}", "--round-robin=false", "--lameduck", "0s", .. more]);
        return (server, dns, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") });
    }

    [Fact]
    public async Task A_secret_added_rotated_and_deleted_starts_replaces_and_stops_its_cluster()
    {
        _local.Create("mesh", "a", Spec("a.mesh.global", "10.0.0.1"));
        _east.Create("mesh", "b", Spec("b.mesh.global", "10.0.0.2"));
        _east2.Create("mesh", "b", Spec("b.mesh.global", "10.0.0.3"));
        _local.CreateSecret(Namespace, "istio-remote-secret-east", Labelled, Kubeconfig("east", _east, "east-token"));
        (ServerProcess server, int dns, HttpClient http) = Start();
        using (server)
        using (http)
        {
            // The first table waits for the secrets and the cluster they name: no answer without east's entries.
            await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(dns, "b.mesh.global").Data.SequenceEqual(["10.0.0.2"]), Wait, "the remote cluster's host");
            Assert.Equal(["10.0.0.1"], DigResult.Run(dns, "a.mesh.global").Data);
            using (JsonDocument names = JsonDocument.Parse(await http.GetStringAsync("/debug/names")))
            {
                Assert.Contains(names.RootElement.GetProperty("hosts").EnumerateArray(),
                    h => h.GetProperty("sources").EnumerateArray().Select(s => s.GetString()).SequenceEqual(["east/mesh/b"]));
            }

            Assert.Equal("ready\ncluster home (local): synced\ncluster east (remote): synced\n", await http.GetStringAsync("/readyz"));
            Assert.Contains("meshdns_remote_secrets_clusters 1\n", await http.GetStringAsync("/metrics"), StringComparison.Ordinal);

            // Rotated: the same cluster name now reaches another server with another token.
            _local.UpdateSecret(Namespace, "istio-remote-secret-east", Labelled, Kubeconfig("east", _east2, "east2-token"));
            await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(dns, "b.mesh.global").Data.SequenceEqual(["10.0.0.3"]), Wait, "the rotated cluster's entries");

            // Deleted: the cluster's entries leave the table; the local ones stay.
            _local.DeleteSecret(Namespace, "istio-remote-secret-east");
            await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(dns, "b.mesh.global").Status == "NXDOMAIN", Wait, "the removed cluster's entries gone");
            Assert.Equal(["10.0.0.1"], DigResult.Run(dns, "a.mesh.global").Data);
            Assert.Equal("ready\ncluster home (local): synced\n", await http.GetStringAsync("/readyz"));

            server.Signal("TERM");
            Assert.Equal(0, server.WaitForExit(Wait));
        }

        Assert.All(_east2.RequestLog, r => Assert.Equal("Bearer east2-token", r.Authorization));
        Assert.DoesNotContain(server.Lines, l => l.Contains("-token", StringComparison.Ordinal) || l.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal));
        Assert.Contains(server.Lines, l => l.Contains("Remote cluster east removed (secret istio-system/istio-remote-secret-east)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Secrets_that_cannot_be_listed_hold_the_first_table_only_until_the_timeout()
    {
        _local.Create("mesh", "a", Spec("a.mesh.global", "10.0.0.1"));
        _local.ForbidSecrets(); // the Role is missing: 403 on every request for secrets
        (ServerProcess server, int dns, HttpClient http) = Start("--remote-sync-timeout", "2s");
        using (server)
        using (http)
        {
            server.WaitForLine("have not been listed within --remote-sync-timeout (2s): serving without remote clusters until they are", Wait);
            await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(dns, "a.mesh.global").Data.SequenceEqual(["10.0.0.1"]), Wait, "the local cluster served");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
            string metrics = await http.GetStringAsync("/metrics");
            Assert.Contains("meshdns_remote_secrets_synced 0\n", metrics, StringComparison.Ordinal);
            Assert.Contains("meshdns_remote_secrets_reachable 0\n", metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_bad_namespace_exits_2_with_one_line()
    {
        string local = Path.Combine(_dir, "local");
        _local.WriteKubeconfig(local);
        using ServerProcess server = ServerProcess.Start("--kubeconfig", local, "--remote-secrets", "Istio_System");
        Assert.Equal(2, server.WaitForExit(Wait));
        Assert.Equal("meshdns: invalid value \"Istio_System\" for --remote-secrets: must be one namespace name (lower-case letters, digits and '-'), such as istio-system",
            Assert.Single(server.Lines, l => l.Length > 0));
    }
}
