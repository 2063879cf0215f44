using k8s;
using MeshDns.Cli;
using MeshDns.Sources.Kubernetes;

namespace MeshDns.Hosting;

/// <summary>A cluster to follow: its name (metrics, logs, /debug/names), how to reach it, and whether it is remote (the first
/// table waits for it only up to --remote-sync-timeout).</summary>
public sealed record ClusterConfig(string Name, KubernetesClientConfiguration Config, bool Remote);

/// <summary>The clusters of the command line: each --kubeconfig [NAME=]PATH (none: the service account or the default
/// kubeconfig), --context applying to the first. Kubeconfig contents are never put in a message, only paths and names.</summary>
public static class ClusterConfigs
{
    /// <summary>Throws <see cref="KubernetesConfigException"/> with one line saying what to fix.</summary>
    public static IReadOnlyList<ClusterConfig> Load(MeshDnsOptions options)
    {
        string requestedBy = options.Context is not null ? "--context" : "--namespace";
        if (options.Kubeconfig.Count == 0)
        {
            KubernetesClientConfiguration config = KubernetesConfiguration.Load(null, options.Context, requestedBy);
            return [new ClusterConfig(config.CurrentContext ?? ClusterNames.InCluster, config, Remote: false)];
        }

        var clusters = new List<ClusterConfig>(options.Kubeconfig.Count);
        var paths = new Dictionary<string, string>(StringComparer.Ordinal); // cluster name: the --kubeconfig that named it
        foreach (string value in options.Kubeconfig)
        {
            (string? given, string path) = ClusterNames.Split(value);
            KubernetesClientConfiguration config = KubernetesConfiguration.Load(path, clusters.Count == 0 ? options.Context : null, requestedBy);
            string name = given ?? config.CurrentContext ?? ClusterNames.InCluster;
            if (given is null && options.Kubeconfig.Count > 1 && ClusterNames.Check(name) is string problem)
            {
                throw new KubernetesConfigException($"--kubeconfig {path}: its context cannot name the cluster ({problem}); write --kubeconfig NAME={path}");
            }

            if (!paths.TryAdd(name, path))
            {
                throw new KubernetesConfigException($"--kubeconfig: two clusters are named \"{name}\" ({paths[name]} and {path}); name them apart with --kubeconfig NAME=PATH");
            }

            clusters.Add(new ClusterConfig(name, config, Remote: clusters.Count > 0));
        }

        return clusters;
    }
}
