using k8s;

namespace MeshDns.Sources.Kubernetes.RemoteSecrets;

public enum RemoteClusterChangeKind
{
    /// <summary>A cluster is named by a remote secret for the first time (or again after it was removed).</summary>
    Added,

    /// <summary>The cluster's kubeconfig bytes changed (a rotated secret) and the new one loads.</summary>
    Changed,

    /// <summary>The cluster's key, its secret, or the secret's label is gone.</summary>
    Removed,
}

/// <summary>A remote cluster to start, replace or stop following.</summary>
/// <param name="Cluster">The cluster's name: the data key of the remote secret.</param>
/// <param name="Secret">The secret it came from, as namespace/name.</param>
/// <param name="Configuration">Its server and credentials; null for <see cref="RemoteClusterChangeKind.Removed"/>.</param>
public sealed record RemoteClusterChange(RemoteClusterChangeKind Kind, string Cluster, string Secret, KubernetesClientConfiguration? Configuration);

/// <summary>Counters of the remote-secret watcher (read by metrics and tests); the list/watch counters are in <see cref="Reflector"/>.</summary>
public sealed class RemoteSecretStats
{
    public ReflectorStats Reflector { get; } = new();

    /// <summary>Remote secrets held now.</summary>
    public int Secrets => Volatile.Read(ref SecretCount);

    /// <summary>Remote clusters announced (added and not removed) now.</summary>
    public int Clusters => Volatile.Read(ref ClusterCount);

    public long Changes;
    public long InvalidKubeconfigs;
    public long Conflicts;

    internal int SecretCount;
    internal int ClusterCount;
}
