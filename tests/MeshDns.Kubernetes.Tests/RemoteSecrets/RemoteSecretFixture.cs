using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshDns.Kubernetes.Tests.ApiServer;
using MeshDns.Sources.Kubernetes;
using MeshDns.Sources.Kubernetes.RemoteSecrets;

namespace MeshDns.Kubernetes.Tests.RemoteSecrets;

/// <summary>Two fake API servers over TLS: "home" holds the remote secrets, "remote" is the cluster a secret points at
/// (its own CA and token, one ServiceEntry). A <see cref="RemoteSecretWatcher"/> follows home; its changes are queued.</summary>
public abstract class RemoteSecretFixture : IAsyncLifetime
{
    protected const string Namespace = "istio-system";
    protected const string HomeToken = "home-token-5f1c";
    protected const string RemoteToken = "remote-token-9b7e";
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-rs-").FullName;
    private readonly ConcurrentQueue<RemoteClusterChange> _changes = new();
    private readonly List<KubernetesApi> _clients = [];

    private protected RecordingLogger Log { get; } = new();

    protected FakeKubeApiServer Home { get; private set; } = null!;

    protected FakeKubeApiServer Remote { get; private set; } = null!;

    protected RemoteSecretWatcher Watcher { get; private set; } = null!;

    protected static IReadOnlyDictionary<string, string> Labelled { get; } = new Dictionary<string, string> { ["istio/multiCluster"] = "true" };

    public async Task InitializeAsync()
    {
        Home = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = HomeToken, UseTls = true, BookmarkInterval = TimeSpan.FromMilliseconds(100) });
        Remote = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = RemoteToken, UseTls = true });
        Remote.Create("shop", "payments", new JsonObject { ["hosts"] = new JsonArray("payments.example.com"), ["resolution"] = "DNS" });
        string kubeconfig = Path.Combine(_dir, "home");
        Home.WriteKubeconfig(kubeconfig);
        KubernetesApi api = Client(KubernetesConfiguration.Load(kubeconfig, null));
        var reflector = new ReflectorOptions { InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200), PageSize = 1 };
        Watcher = new RemoteSecretWatcher(api, Namespace, reflector, Log);
        Watcher.Changed += _changes.Enqueue;
    }

    public async Task DisposeAsync()
    {
        await Watcher.DisposeAsync();
        _clients.ForEach(c => c.Dispose());
        await Home.DisposeAsync();
        await Remote.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    /// <summary>A kubeconfig of the remote server, as istioctl create-remote-secret writes one (inline CA and token).</summary>
    protected byte[] RemoteKubeconfig(string context = "remote") =>
        Encoding.UTF8.GetBytes(KubeconfigWriter.Render(Remote.BaseUri, RemoteToken, Remote.CaCertificatePem, contextName: context));

    protected async Task StartAndSync()
    {
        await Watcher.StartAsync();
        await FakeKubeApiServer.WaitUntilAsync(() => Watcher.Synced, Patience, "the first LIST of the remote secrets");
    }

    /// <summary>The next change, waited for.</summary>
    protected async Task<RemoteClusterChange> Next()
    {
        RemoteClusterChange? change = null;
        await FakeKubeApiServer.WaitUntilAsync(() => _changes.TryDequeue(out change), Patience, "a remote cluster change");
        return change!;
    }

    protected async Task<RemoteClusterChange> Next(RemoteClusterChangeKind kind, string cluster)
    {
        RemoteClusterChange change = await Next();
        Assert.Equal((kind, cluster), (change.Kind, change.Cluster));
        Assert.Equal(kind == RemoteClusterChangeKind.Removed, change.Configuration is null);
        return change;
    }

    protected bool NothingQueued => _changes.IsEmpty;

    /// <summary>The ServiceEntries the remote server serves, listed with <paramref name="change"/>'s configuration: proves
    /// its server URL, CA and token.</summary>
    protected async Task<List<string?>> ListRemote(RemoteClusterChange change)
    {
        KubernetesApi api = Client(change.Configuration!);
        var names = new List<string?>();
        var lister = new HttpListerWatcher(api, new ReflectorOptions(), new ReflectorStats(), Log);
        await lister.ListAsync(null, new NameSink(names), CancellationToken.None);
        return names;
    }

    private KubernetesApi Client(k8s.KubernetesClientConfiguration config)
    {
        KubernetesApi api = KubernetesApi.FromConfiguration(config);
        _clients.Add(api);
        return api;
    }

    private sealed class NameSink(List<string?> names) : IListSink
    {
        public void Add(JsonElement item) => names.Add(item.GetProperty("metadata").GetProperty("name").GetString());

        public void Restart() => names.Clear();
    }
}
