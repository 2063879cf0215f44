using System.Security.Cryptography;
using k8s;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Kubernetes.RemoteSecrets;

/// <summary>Turns the remote secrets into remote clusters and announces what changed. A cluster named by two secrets comes
/// from the first secret by name (warned once). A kubeconfig that does not load is warned once and skipped: a new cluster
/// is not added, a known one keeps its last good kubeconfig. Called by one loop at a time.</summary>
internal sealed partial class RemoteClusterSet(RemoteSecretStats stats, ILogger logger)
{
    /// <summary>Remote clusters followed at most; further ones (later by secret name, then key) are ignored with a warning.</summary>
    internal const int MaxClusters = 128;

    /// <summary>Longest kubeconfig accepted (decoded); real ones, certificates inline, are a few KiB.</summary>
    internal const int MaxKubeconfigBytes = 256 * 1024;

    /// <summary>Warnings remembered so each is written once; forgotten past this many (a flood of rotations).</summary>
    private const int MaxRemembered = 4096;

    private readonly Dictionary<string, Active> _clusters = new(StringComparer.Ordinal);
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public event Action<RemoteClusterChange>? Changed;

    /// <summary>The clusters announced and not removed, with their configuration.</summary>
    public IReadOnlyDictionary<string, KubernetesClientConfiguration> Snapshot()
    {
        lock (_gate)
        {
            return _clusters.ToDictionary(c => c.Key, c => c.Value.Configuration, StringComparer.Ordinal);
        }
    }

    /// <summary>Brings the clusters in line with <paramref name="secrets"/> (in name order), announcing each difference.</summary>
    public void Reconcile(IEnumerable<RemoteSecret> secrets)
    {
        Dictionary<string, (RemoteSecret Secret, byte[]? Kubeconfig)> wanted = Wanted(secrets);
        foreach (string gone in _clusters.Keys.Where(c => !wanted.ContainsKey(c)).ToList())
        {
            Announce(new RemoteClusterChange(RemoteClusterChangeKind.Removed, gone, _clusters[gone].Secret, null), remove: true);
        }

        foreach ((string cluster, (RemoteSecret secret, byte[]? kubeconfig)) in wanted)
        {
            bool known = _clusters.TryGetValue(cluster, out Active? active);
            if (known && kubeconfig is not null && active!.Kubeconfig.AsSpan().SequenceEqual(kubeconfig))
            {
                lock (_gate)
                {
                    _clusters[cluster] = active with { Secret = secret.Id }; // the same bytes, maybe from another secret now
                }

                continue; // unchanged (a resync, or another key of the secret changed)
            }

            if (Load(secret, cluster, kubeconfig) is not { } config)
            {
                continue; // warned; a known cluster keeps its last good kubeconfig
            }

            RemoteClusterChangeKind kind = known ? RemoteClusterChangeKind.Changed : RemoteClusterChangeKind.Added;
            lock (_gate)
            {
                _clusters[cluster] = new Active(secret.Id, kubeconfig!, config);
            }

            Announce(new RemoteClusterChange(kind, cluster, secret.Id, config), remove: false);
        }

        Volatile.Write(ref stats.ClusterCount, _clusters.Count);
    }

    /// <summary>Each cluster's secret and kubeconfig: the first secret by name that names it, within <see cref="MaxClusters"/>.</summary>
    private Dictionary<string, (RemoteSecret, byte[]?)> Wanted(IEnumerable<RemoteSecret> secrets)
    {
        var wanted = new Dictionary<string, (RemoteSecret Secret, byte[]? Kubeconfig)>(StringComparer.Ordinal);
        foreach (RemoteSecret secret in secrets)
        {
            foreach ((string cluster, byte[]? kubeconfig) in secret.Data)
            {
                if (wanted.TryGetValue(cluster, out var first))
                {
                    if (WarnOnce($"conflict {cluster} {secret.Id}"))
                    {
                        Interlocked.Increment(ref stats.Conflicts);
                        LogConflict(logger, first.Secret.Id, secret.Id, cluster);
                    }
                }
                else if (wanted.Count >= MaxClusters)
                {
                    if (WarnOnce($"bound {cluster} {secret.Id}"))
                    {
                        LogTooMany(logger, MaxClusters, cluster, secret.Id);
                    }
                }
                else
                {
                    wanted[cluster] = (secret, kubeconfig);
                }
            }
        }

        return wanted;
    }

    /// <summary>The kubeconfig's configuration; null (warned once per secret, cluster and contents) when it does not load.</summary>
    private KubernetesClientConfiguration? Load(RemoteSecret secret, string cluster, byte[]? kubeconfig)
    {
        string source = $"remote secret {secret.Id}, cluster {cluster}";
        string reason;
        try
        {
            return kubeconfig is null
                ? throw new KubernetesConfigException($"{source}: the value is not base64 or is over {MaxKubeconfigBytes / 1024} KiB")
                : KubernetesConfiguration.FromKubeconfig(kubeconfig, source);
        }
        catch (KubernetesConfigException e)
        {
            reason = e.Message;
        }

        string fingerprint = kubeconfig is null ? "-" : Convert.ToHexString(SHA256.HashData(kubeconfig));
        if (WarnOnce($"load {secret.Id} {cluster} {fingerprint}"))
        {
            Interlocked.Increment(ref stats.InvalidKubeconfigs);
            LogInvalid(logger, reason, _clusters.ContainsKey(cluster) ? "keeping its last good kubeconfig" : "cluster skipped");
        }

        return null;
    }

    private void Announce(RemoteClusterChange change, bool remove)
    {
        if (remove)
        {
            lock (_gate)
            {
                _clusters.Remove(change.Cluster);
            }
        }

        Interlocked.Increment(ref stats.Changes);
        LogChange(logger, change.Cluster, change.Kind, change.Secret);
        try
        {
            Changed?.Invoke(change);
        }
        catch (Exception e)
        {
            LogSubscriberFailed(logger, change.Cluster, e);
        }
    }

    private bool WarnOnce(string key)
    {
        if (_warned.Count >= MaxRemembered)
        {
            _warned.Clear();
        }

        return _warned.Add(key);
    }

    /// <summary>A cluster announced: where from, the bytes compared on the next change, and what they load to.</summary>
    private sealed record Active(string Secret, byte[] Kubeconfig, KubernetesClientConfiguration Configuration);

    [LoggerMessage(Level = LogLevel.Information, Message = "Remote cluster {Cluster}: {Change} (secret {Secret})")]
    private static partial void LogChange(ILogger logger, string cluster, RemoteClusterChangeKind change, string secret);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Reason}; {Outcome}")]
    private static partial void LogInvalid(ILogger logger, string reason, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Remote secrets {First} and {Second} both name cluster {Cluster}: using {First} (the first by name)")]
    private static partial void LogConflict(ILogger logger, string first, string second, string cluster);

    [LoggerMessage(Level = LogLevel.Warning, Message = "More than {Max} remote clusters: cluster {Cluster} of secret {Secret} is ignored")]
    private static partial void LogTooMany(ILogger logger, int max, string cluster, string secret);

    [LoggerMessage(Level = LogLevel.Error, Message = "A subscriber failed on the change of remote cluster {Cluster}")]
    private static partial void LogSubscriberFailed(ILogger logger, string cluster, Exception exception);
}
