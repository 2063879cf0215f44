extern alias server;
using System.Text.Json.Nodes;
using MeshDns.Kubernetes.Tests.ApiServer;
using MeshDns.Models.Json;
using MeshDns.Resolver;
using MeshDns.Sources.Kubernetes;
using MeshDns.Table;
using Microsoft.Extensions.Logging.Abstractions;
using server::MeshDns.Hosting;

namespace MeshDns.IntegrationTests;

/// <summary>The cluster manager in process, as the remote-secret watcher drives it: clusters added, replaced (new credentials
/// or server) and removed at run time, against fake API servers.</summary>
public sealed class KubernetesClustersTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-clusters-").FullName;
    private readonly TableHolder _holder = new();
    private readonly List<FakeKubeApiServer> _servers = [];
    private KubernetesClusters _clusters = null!;

    public Task InitializeAsync()
    {
        var publisher = new TablePublisher(_holder, new TableOptions(), new ResolverOptions(), NullLogger<TablePublisher>.Instance);
        _clusters = new KubernetesClusters(publisher, new ReflectorOptions(), ServiceEntryJson.TryDecode, NullLoggerFactory.Instance, TimeSpan.FromSeconds(30), named: true);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _clusters.StopAsync(CancellationToken.None);
        foreach (FakeKubeApiServer api in _servers)
        {
            await api.DisposeAsync();
        }

        Directory.Delete(_dir, true);
    }

    /// <summary>A fake API server with one ServiceEntry, and the client configuration of its kubeconfig.</summary>
    private async Task<(FakeKubeApiServer Api, k8s.KubernetesClientConfiguration Config)> Cluster(string name, string host, string address)
    {
        FakeKubeApiServer api = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = name + "-token", UseTls = true });
        _servers.Add(api);
        api.Create("mesh", name, new JsonObject { ["hosts"] = new JsonArray(host), ["addresses"] = new JsonArray(address), ["resolution"] = "STATIC" });
        string path = Path.Combine(_dir, name);
        api.WriteKubeconfig(path);
        return (api, KubernetesConfiguration.Load(path, null));
    }

    private string[] Served() => _holder.Current is { } table ? [.. table.Hosts.Select(h => $"{h.Host}={string.Join(',', h.Addresses)} from {string.Join(',', h.Sources)}")] : [];

    private Task Until(params string[] served) =>
        FakeKubeApiServer.WaitUntilAsync(() => Served().SequenceEqual(served), Wait, string.Join("; ", served), TimeSpan.FromMilliseconds(20));

    [Fact]
    public async Task Clusters_are_added_replaced_and_removed_at_run_time()
    {
        (_, k8s.KubernetesClientConfiguration east) = await Cluster("east", "a.global", "10.0.0.1");
        (_, k8s.KubernetesClientConfiguration west) = await Cluster("west", "b.global", "10.0.0.2");
        (FakeKubeApiServer rotatedApi, k8s.KubernetesClientConfiguration rotated) = await Cluster("rotated", "c.global", "10.0.0.3");
        _clusters.Add("east", east, remote: false);
        await _clusters.StartAsync(CancellationToken.None);
        await Until("a.global=10.0.0.1 from east/mesh/east");

        _clusters.Add("west", west, remote: true); // after start: follows at once
        await Until("a.global=10.0.0.1 from east/mesh/east", "b.global=10.0.0.2 from west/mesh/west");
        Assert.Throws<InvalidOperationException>(() => _clusters.Add("west", west, remote: true));

        rotatedApi.FailNextRequests(100_000, 503);
        await _clusters.Replace("west", rotated, remote: true); // another server: its entries take over in one table once it syncs
        string[] failing = ["cluster east (local): synced", "cluster west (remote): new settings not synced yet (API unreachable), serving the entries of the previous ones"];
        await FakeKubeApiServer.WaitUntilAsync(() => _clusters.StatusLines().SequenceEqual(failing), Wait, "the new server failing");
        Assert.Equal(["a.global=10.0.0.1 from east/mesh/east", "b.global=10.0.0.2 from west/mesh/west"], Served()); // meanwhile: the old entries
        rotatedApi.ResetFaults();
        await Until("a.global=10.0.0.1 from east/mesh/east", "c.global=10.0.0.3 from west/mesh/rotated");
        rotatedApi.Update("mesh", "rotated", new JsonObject { ["hosts"] = new JsonArray("c.global"), ["addresses"] = new JsonArray("10.0.0.4"), ["resolution"] = "STATIC" });
        await Until("a.global=10.0.0.1 from east/mesh/east", "c.global=10.0.0.4 from west/mesh/rotated");
        Assert.Equal(["cluster east (local): synced", "cluster west (remote): synced"], _clusters.StatusLines());

        Assert.True(await _clusters.Remove("west"));
        await Until("a.global=10.0.0.1 from east/mesh/east");
        Assert.False(await _clusters.Remove("west"));
        Assert.Equal(["cluster east (local): synced"], _clusters.StatusLines());
    }
}
