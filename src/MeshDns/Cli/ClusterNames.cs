namespace MeshDns.Cli;

/// <summary>How clusters are named: <c>--kubeconfig NAME=PATH</c>, else the kubeconfig's context. A name shows in metrics
/// labels and in /debug/names as <c>cluster/namespace/name</c>, so it holds no '/' and is short.</summary>
public static class ClusterNames
{
    public const int MaxLength = 63;

    /// <summary>The local cluster's name when it is the pod's service account (there is no context to name it).</summary>
    public const string InCluster = "in-cluster";

    public static readonly TimeSpan MaxRemoteSyncTimeout = TimeSpan.FromHours(1);

    /// <summary>NAME=PATH when the text before the first '=' has no '/' (a path may hold '=' in a directory name); else PATH.</summary>
    public static (string? Name, string Path) Split(string value)
    {
        int equals = value.IndexOf('=');
        return equals >= 0 && !value.AsSpan(0, equals).Contains('/') ? (value[..equals], value[(equals + 1)..]) : (null, value);
    }

    /// <summary>Null when <paramref name="name"/> can name a cluster, else what is wrong with it.</summary>
    public static string? Check(string name) =>
        name.Length == 0 ? "the cluster name before '=' is empty: write NAME=PATH or PATH"
        : name.Length > MaxLength ? $"the cluster name \"{name[..16]}...\" is longer than {MaxLength} characters"
        : name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? null
        : $"the cluster name \"{name}\" must be letters, digits, '-', '_' or '.'";
}
