using System.Text;
using MeshDns.Kubernetes.Tests.ApiServer;
using MeshDns.Sources.Kubernetes.RemoteSecrets;
using static MeshDns.Sources.Kubernetes.RemoteSecrets.RemoteClusterChangeKind;

namespace MeshDns.Kubernetes.Tests.RemoteSecrets;

/// <summary>The remote-secret watcher against a fake API server: secrets added, rotated, resynced, deleted and unlabelled
/// become cluster changes whose configuration reaches a second fake API server.</summary>
public sealed class RemoteSecretWatcherTests : RemoteSecretFixture
{
    private static Dictionary<string, byte[]> Data(params (string Cluster, byte[] Kubeconfig)[] keys) => keys.ToDictionary(k => k.Cluster, k => k.Kubeconfig);

    /// <summary>A change the test makes after one that must announce nothing: it must be the next one announced.</summary>
    private async Task Marker(string name)
    {
        Home.CreateSecret(Namespace, "zz-" + name, Labelled, Data((name, RemoteKubeconfig())));
        await Next(Added, name);
    }

    [Fact]
    public async Task A_secret_added_announces_its_cluster_with_a_configuration_that_reaches_it()
    {
        Home.CreateSecret(Namespace, "istio-remote-secret-east", Labelled, Data(("east", RemoteKubeconfig())));
        await StartAndSync();

        RemoteClusterChange change = await Next(Added, "east");
        Assert.Equal("istio-system/istio-remote-secret-east", change.Secret);
        Assert.Equal(["payments"], await ListRemote(change));
        Assert.Equal(["east"], Watcher.Clusters.Keys);
        Assert.Equal((1, 1), (Watcher.Stats.Secrets, Watcher.Stats.Clusters));

        Home.CreateSecret(Namespace, "istio-remote-secret-west", Labelled, Data(("west", RemoteKubeconfig())));
        Assert.Equal(["payments"], await ListRemote(await Next(Added, "west")));
        Assert.Contains(Home.RequestLog, r => r.PathAndQuery.Contains("labelSelector=istio%2FmultiCluster%3Dtrue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rotated_kubeconfig_is_a_change_and_an_unchanged_resync_is_none()
    {
        Home.CreateSecret(Namespace, "remote-a", Labelled, Data(("a", RemoteKubeconfig())));
        await StartAndSync();
        await Next(Added, "a");

        Home.UpdateSecret(Namespace, "remote-a", Labelled, Data(("a", RemoteKubeconfig("rotated"))));
        Assert.Equal(["payments"], await ListRemote(await Next(Changed, "a")));

        // The same bytes written again (MODIFIED), then a relist (410): neither announces anything.
        Home.UpdateSecret(Namespace, "remote-a", Labelled, Data(("a", RemoteKubeconfig("rotated"))));
        long lists = Watcher.Stats.Reflector.Lists;
        Home.Compact();
        Home.ExpireNextWatches(1);
        Home.DropAllWatches();
        await FakeKubeApiServer.WaitUntilAsync(() => Watcher.Stats.Reflector.Lists > lists, Patience, "a relist");
        await Marker("after-resync");
    }

    [Fact]
    public async Task A_deleted_secret_or_a_removed_label_removes_its_clusters()
    {
        Home.CreateSecret(Namespace, "remote-a", Labelled, Data(("a", RemoteKubeconfig())));
        Home.CreateSecret(Namespace, "remote-bc", Labelled, Data(("b", RemoteKubeconfig("b")), ("c", RemoteKubeconfig("c"))));
        Home.CreateSecret(Namespace, "unlabelled", new Dictionary<string, string>(), Data(("ignored", RemoteKubeconfig())));
        await StartAndSync();
        string[] added = [(await Next()).Cluster, (await Next()).Cluster, (await Next()).Cluster];
        Assert.Equal(["a", "b", "c"], added.Order());

        Home.DeleteSecret(Namespace, "remote-a");
        await Next(Removed, "a");

        Home.UpdateSecret(Namespace, "remote-bc", new Dictionary<string, string> { ["istio/multiCluster"] = "false" }, Data(("b", RemoteKubeconfig("b")), ("c", RemoteKubeconfig("c"))));
        Assert.Equal(["b", "c"], new[] { (await Next()).Cluster, (await Next()).Cluster }.Order());
        Assert.Empty(Watcher.Clusters);

        // Labelled again: both back; a key dropped from the secret: that cluster alone goes.
        Home.UpdateSecret(Namespace, "remote-bc", Labelled, Data(("b", RemoteKubeconfig("b")), ("c", RemoteKubeconfig("c"))));
        Assert.Equal(["b", "c"], new[] { (await Next()).Cluster, (await Next()).Cluster }.Order());
        Home.UpdateSecret(Namespace, "remote-bc", Labelled, Data(("b", RemoteKubeconfig("b"))));
        await Next(Removed, "c");
        await Marker("end");
        Assert.Equal(["b", "end"], Watcher.Clusters.Keys.Order());
    }

    [Fact]
    public async Task A_bad_kubeconfig_is_one_warning_naming_secret_and_cluster_and_never_its_contents()
    {
        byte[] garbage = Encoding.UTF8.GetBytes($"users:\n- name: x\n  user: {{token: {RemoteToken}\n  : [unclosed");
        byte[] exec = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(RemoteKubeconfig()).Replace($"token: \"{RemoteToken}\"", $"exec: {{command: /bin/sh, args: [-c, echo {RemoteToken}], apiVersion: client.authentication.k8s.io/v1}}", StringComparison.Ordinal));
        Home.CreateSecret(Namespace, "mixed", Labelled, Data(("good", RemoteKubeconfig()), ("garbage", garbage), ("exec", exec)));
        await StartAndSync();
        await Next(Added, "good");

        // Written again unchanged, then rotated to a good one: still one warning each, and the fixed one is added.
        Home.UpdateSecret(Namespace, "mixed", Labelled, Data(("good", RemoteKubeconfig()), ("garbage", garbage), ("exec", exec)));
        Home.UpdateSecret(Namespace, "mixed", Labelled, Data(("good", RemoteKubeconfig()), ("garbage", RemoteKubeconfig("fixed")), ("exec", exec)));
        Assert.Equal(["payments"], await ListRemote(await Next(Added, "garbage")));

        Assert.Single(Log.Lines, l => l.StartsWith("remote secret istio-system/mixed, cluster garbage: the kubeconfig is not valid YAML", StringComparison.Ordinal));
        Assert.Single(Log.Lines, l => l.StartsWith("remote secret istio-system/mixed, cluster exec: the kubeconfig runs a command (exec)", StringComparison.Ordinal));
        Assert.Equal(2, Watcher.Stats.InvalidKubeconfigs);
        Assert.DoesNotContain(Log.Lines, l => l.Contains(RemoteToken, StringComparison.Ordinal) || l.Contains(HomeToken, StringComparison.Ordinal)
            || l.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal) || l.Contains(Remote.BaseUri.Authority, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_rotation_keeps_the_last_good_kubeconfig()
    {
        Home.CreateSecret(Namespace, "remote-a", Labelled, Data(("a", RemoteKubeconfig())));
        await StartAndSync();
        RemoteClusterChange added = await Next(Added, "a");

        Home.UpdateSecret(Namespace, "remote-a", Labelled, Data(("a", "not: [a kubeconfig"u8.ToArray())));
        const string Warning = "remote secret istio-system/remote-a, cluster a: the kubeconfig is not valid YAML";
        await FakeKubeApiServer.WaitUntilAsync(() => Log.Lines.Any(l => l.StartsWith(Warning, StringComparison.Ordinal)), Patience, "the warning");
        Assert.EndsWith("; keeping its last good kubeconfig", Log.Lines.Single(l => l.StartsWith(Warning, StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Same(added.Configuration, Watcher.Clusters["a"]);
        await Marker("after-bad-rotation");
    }

    [Fact]
    public async Task Two_secrets_naming_one_cluster_take_the_first_by_name_and_warn_once()
    {
        Home.CreateSecret(Namespace, "b-second", Labelled, Data(("shared", RemoteKubeconfig("second"))));
        Home.CreateSecret(Namespace, "a-first", Labelled, Data(("shared", RemoteKubeconfig("first"))));
        await StartAndSync();
        Assert.Equal("istio-system/a-first", (await Next(Added, "shared")).Secret);

        Home.UpdateSecret(Namespace, "b-second", Labelled, Data(("shared", RemoteKubeconfig("second-rotated"))));
        await Marker("conflict-kept");
        Assert.Single(Log.Lines, l => l == "Remote secrets istio-system/a-first and istio-system/b-second both name cluster shared: using istio-system/a-first (the first by name)");

        // The first one deleted: the other one's kubeconfig takes over.
        Home.DeleteSecret(Namespace, "a-first");
        Assert.Equal("istio-system/b-second", (await Next(Changed, "shared")).Secret);
    }

    [Fact]
    public async Task An_api_outage_keeps_the_clusters_and_recovery_catches_up()
    {
        Home.CreateSecret(Namespace, "remote-a", Labelled, Data(("a", RemoteKubeconfig())));
        Home.CreateSecret(Namespace, "remote-b", Labelled, Data(("b", RemoteKubeconfig("b"))));
        await StartAndSync();
        Assert.Equal(["a", "b"], new[] { (await Next()).Cluster, (await Next()).Cluster }.Order());

        Home.FailNextRequests(int.MaxValue, 503);
        Home.DropAllWatches();
        Home.DeleteSecret(Namespace, "remote-b"); // while the API is down
        Home.Compact();
        await FakeKubeApiServer.WaitUntilAsync(() => Watcher.Stats.Reflector.Errors.Values.Sum() >= 3, Patience, "three failed attempts");
        Assert.Equal(["a", "b"], Watcher.Clusters.Keys.Order());
        Assert.True(NothingQueued);
        Assert.Contains(Log.Lines, l => l.StartsWith("Kubernetes API (remote secrets in namespace istio-system): http-error:", StringComparison.Ordinal)
            && l.EndsWith("; keeping the last good remote clusters and retrying", StringComparison.Ordinal));

        Home.FailNextRequests(0, 503);
        await Next(Removed, "b");
        Assert.Equal(["a"], Watcher.Clusters.Keys);
    }

    [Fact]
    public async Task Forbidden_names_the_secrets_of_the_namespace()
    {
        Home.FailNextRequests(1, 403);
        await StartAndSync();
        Assert.Contains(Log.Lines, l => l.Contains("lacks get/list/watch on secrets in namespace istio-system; see RBAC", StringComparison.Ordinal));
        await Marker("after-forbidden");
    }

    [Fact]
    public async Task Stopping_closes_the_watch_and_is_idempotent()
    {
        await StartAndSync();
        await Home.WaitForOpenWatchesAsync(1);
        await Watcher.StopAsync();
        await FakeKubeApiServer.WaitUntilAsync(() => Home.OpenWatches == 0, Patience, "the watch to close");
        await Watcher.StopAsync(); // idempotent
    }
}
