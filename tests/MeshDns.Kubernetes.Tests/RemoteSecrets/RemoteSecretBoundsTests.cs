using MeshDns.Sources.Kubernetes.RemoteSecrets;
using static MeshDns.Sources.Kubernetes.RemoteSecrets.RemoteClusterChangeKind;

namespace MeshDns.Kubernetes.Tests.RemoteSecrets;

/// <summary>The bounds on remote secrets: clusters followed, kubeconfig size.</summary>
public sealed class RemoteSecretBoundsTests : RemoteSecretFixture
{
    private const int MaxClusters = 128;

    [Fact]
    public async Task Clusters_over_the_bound_are_ignored_with_a_warning_and_the_rest_kept()
    {
        byte[] kubeconfig = RemoteKubeconfig();
        Dictionary<string, byte[]> data = Enumerable.Range(0, MaxClusters + 2).ToDictionary(i => $"c{i:000}", _ => kubeconfig);
        Home.CreateSecret(Namespace, "many", Labelled, data);
        await StartAndSync();

        var added = new List<string>();
        for (int i = 0; i < MaxClusters; i++)
        {
            RemoteClusterChange change = await Next();
            Assert.Equal(Added, change.Kind);
            added.Add(change.Cluster);
        }

        Assert.Equal(data.Keys.Order(StringComparer.Ordinal).Take(MaxClusters), added);
        Assert.Equal(MaxClusters, Watcher.Stats.Clusters);
        Assert.Equal(
            ["More than 128 remote clusters: cluster c128 of secret istio-system/many is ignored", "More than 128 remote clusters: cluster c129 of secret istio-system/many is ignored"],
            Log.Lines.Where(l => l.StartsWith("More than", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

        // One removed: the first ignored one takes its place.
        data.Remove("c000");
        Home.UpdateSecret(Namespace, "many", Labelled, data);
        Assert.Equal(["c000", "c128"], new[] { await Next(Removed, "c000"), await Next(Added, "c128") }.Select(c => c.Cluster));
    }

    [Fact]
    public async Task A_kubeconfig_over_the_size_bound_is_one_warning_and_skipped()
    {
        byte[] huge = new byte[(256 * 1024) + 1];
        Array.Fill(huge, (byte)'#'); // a YAML comment: only the size makes it bad
        Home.CreateSecret(Namespace, "big", Labelled, new Dictionary<string, byte[]> { ["huge"] = huge, ["fine"] = RemoteKubeconfig() });
        await StartAndSync();
        await Next(Added, "fine");
        Assert.Single(Log.Lines, l => l == "remote secret istio-system/big, cluster huge: the value is not base64 or is over 256 KiB; cluster skipped");
    }
}
