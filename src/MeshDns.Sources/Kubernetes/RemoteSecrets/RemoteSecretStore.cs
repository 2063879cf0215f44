using System.Text.Json;
using MeshDns.Models.Json;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Kubernetes.RemoteSecrets;

/// <summary>The remote secrets of one namespace by name, each as its data keys (cluster names) and decoded values
/// (kubeconfigs), with the resourceVersion reached. Only what the loop reads is kept: a secret's other fields are dropped.
/// Every change is handed to <see cref="RemoteClusterSet"/>, which turns the secrets into cluster changes.</summary>
internal sealed partial class RemoteSecretStore(string ns, RemoteClusterSet clusters, RemoteSecretStats stats, ILogger logger) : IReflectorTarget
{
    /// <summary>Secrets held at most; further ones (later by name in a LIST, or added later) are ignored with a warning.</summary>
    internal const int MaxSecrets = 256;

    private SortedDictionary<string, RemoteSecret> _secrets = new(StringComparer.Ordinal);
    private bool _overflowReported;

    public string? Namespace => ns;

    public string Display => $"remote secrets in namespace {ns}";

    public string? ResourceVersion { get; private set; }

    private volatile bool _synced;
    private readonly TaskCompletionSource _listed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when <see cref="Synced"/> first turns true.</summary>
    public Task Listed => _listed.Task;

    /// <summary>True once a LIST has completed and its clusters were announced.</summary>
    public bool Synced => _synced;

    public IListSink StartList() => new ListBuilder(this);

    public void Replace(IListSink list, string resourceVersion)
    {
        _secrets = ((ListBuilder)list).Items;
        ResourceVersion = resourceVersion;
        Volatile.Write(ref stats.SecretCount, _secrets.Count);
        LogListed(logger, _secrets.Count, ns, resourceVersion);
        clusters.Reconcile(_secrets.Values);
        _synced = true; // after the clusters were announced: a reader that sees it sees them
        _listed.TrySetResult();
    }

    public void Apply(WatchEvent e)
    {
        if (e.Type is not (WatchEvent.Added or WatchEvent.Modified or WatchEvent.Deleted or WatchEvent.Bookmark))
        {
            throw new InvalidDataException($"unknown watch event type \"{e.Type}\"");
        }

        JsonElement metadata = ServiceEntryJson.Metadata(e.Object);
        ResourceVersion = ServiceEntryJson.StringProperty(metadata, "resourceVersion") ?? ResourceVersion;
        string? name = ServiceEntryJson.StringProperty(metadata, "name");
        if (e.Type == WatchEvent.Bookmark || string.IsNullOrEmpty(name))
        {
            return;
        }

        bool changed = e.Type == WatchEvent.Deleted ? _secrets.Remove(name) : Put(_secrets, Decode(name, e.Object));
        if (changed)
        {
            Volatile.Write(ref stats.SecretCount, _secrets.Count);
            clusters.Reconcile(_secrets.Values);
        }
    }

    /// <summary>Adds or replaces a secret within <see cref="MaxSecrets"/>; false when it was over the bound.</summary>
    private bool Put(SortedDictionary<string, RemoteSecret> into, RemoteSecret secret)
    {
        if (into.Count >= MaxSecrets && !into.ContainsKey(secret.Name))
        {
            if (!_overflowReported)
            {
                _overflowReported = true;
                LogTooMany(logger, ns, MaxSecrets, secret.Name);
            }

            return false;
        }

        into[secret.Name] = secret;
        return true;
    }

    /// <summary>A secret's data: each key a cluster, each value base64 (null when it is not, or is over the size bound).</summary>
    private RemoteSecret Decode(string name, JsonElement item)
    {
        var data = new SortedDictionary<string, byte[]?>(StringComparer.Ordinal);
        if (item.TryGetProperty("data", out JsonElement map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty key in map.EnumerateObject())
            {
                data[key.Name] = key.Value.ValueKind == JsonValueKind.String && key.Value.TryGetBytesFromBase64(out byte[]? bytes)
                    && bytes.Length <= RemoteClusterSet.MaxKubeconfigBytes ? bytes : null;
            }
        }

        return new RemoteSecret($"{ns}/{name}", name, data);
    }

    /// <summary>A LIST as its pages arrive; replaces the secrets only once complete.</summary>
    private sealed class ListBuilder(RemoteSecretStore store) : IListSink
    {
        public SortedDictionary<string, RemoteSecret> Items { get; } = new(StringComparer.Ordinal);

        public void Add(JsonElement item)
        {
            if (ServiceEntryJson.StringProperty(ServiceEntryJson.Metadata(item), "name") is { Length: > 0 } name)
            {
                store.Put(Items, store.Decode(name, item));
            }
        }

        public void Restart() => Items.Clear();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Count} remote secrets in namespace {Namespace} at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, int count, string @namespace, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Namespace {Namespace} holds more than {Max} remote secrets: {Secret} and any further ones are ignored")]
    private static partial void LogTooMany(ILogger logger, string @namespace, int max, string secret);
}

/// <summary>One remote secret: its id (namespace/name), name, and per data key (cluster name) the kubeconfig bytes, or null
/// when the value is not base64 or over the size bound.</summary>
internal sealed record RemoteSecret(string Id, string Name, SortedDictionary<string, byte[]?> Data);
