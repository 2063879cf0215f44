using System.Text;
using System.Text.Json;
using MeshDns.Kubernetes.Tests.ApiServer;
using MeshDns.Sources.Kubernetes;

namespace MeshDns.Kubernetes.Tests.RemoteSecrets;

/// <summary>The list/watch client on core v1 Secrets through a label selector, against the fake API server over TLS.</summary>
public sealed class SecretApiTests : IAsyncLifetime
{
    private const string Token = "secret-api-token";
    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-secrets-").FullName;
    private readonly RecordingLogger _log = new();
    private readonly Dictionary<string, string> _labelled = new() { ["istio/multiCluster"] = "true" };
    private FakeKubeApiServer _api = null!;
    private KubernetesApi _client = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = Token, UseTls = true, BookmarkInterval = TimeSpan.FromMilliseconds(100) });
        string kubeconfig = Path.Combine(_dir, "kubeconfig");
        _api.WriteKubeconfig(kubeconfig);
        _client = KubernetesApi.FromConfiguration(KubernetesConfiguration.Load(kubeconfig, null));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private HttpListerWatcher Secrets() =>
        new(_client, new ReflectorOptions { PageSize = 2 }, new ReflectorStats(), _log, ApiResource.Secrets("istio/multiCluster=true"));

    private static Dictionary<string, byte[]> Data(string value) => new() { ["c"] = Encoding.UTF8.GetBytes(value) };

    [Fact]
    public async Task A_selector_list_pages_over_the_matching_secrets_of_one_namespace()
    {
        foreach (string name in new[] { "a", "b", "c", "d", "e" })
        {
            _api.CreateSecret("istio-system", name, name == "c" ? new Dictionary<string, string>() : _labelled, Data(name));
        }

        _api.CreateSecret("other", "f", _labelled, Data("f"));
        var names = new List<string>();
        string rv = await Secrets().ListAsync("istio-system", new Sink(names), CancellationToken.None);

        Assert.Equal(["a", "b", "d", "e"], names);
        Assert.Equal(_api.CurrentResourceVersion, rv);
        Assert.Equal(2, _api.RequestLog.Count(r => r.PathAndQuery.StartsWith("/api/v1/namespaces/istio-system/secrets?limit=2&labelSelector=istio%2FmultiCluster%3Dtrue", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_selector_watch_sees_a_label_removed_as_deleted_and_added_as_added()
    {
        _api.CreateSecret("istio-system", "s", _labelled, Data("1"));
        string rv = await Secrets().ListAsync("istio-system", new Sink([]), CancellationToken.None);
        _api.UpdateSecret("istio-system", "s", _labelled, Data("2"));
        _api.UpdateSecret("istio-system", "s", new Dictionary<string, string>(), Data("3"));
        _api.UpdateSecret("istio-system", "s", new Dictionary<string, string>(), Data("4")); // unseen: matches neither before nor after
        _api.UpdateSecret("istio-system", "s", _labelled, Data("5"));
        string deleted = _api.DeleteSecret("istio-system", "s");

        var seen = new List<(string Type, string? Value)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await foreach (WatchEvent e in Secrets().WatchAsync("istio-system", rv, stop.Token))
        {
            if (e.Type is WatchEvent.Added or WatchEvent.Modified or WatchEvent.Deleted)
            {
                string? value = Encoding.UTF8.GetString(e.Object.GetProperty("data").GetProperty("c").GetBytesFromBase64());
                seen.Add((e.Type, value));
                if (e.Object.GetProperty("metadata").GetProperty("resourceVersion").GetString() == deleted)
                {
                    break;
                }
            }
        }

        Assert.Equal([("MODIFIED", "2"), ("DELETED", "2"), ("ADDED", "5"), ("DELETED", "5")], seen);
    }

    private sealed class Sink(List<string> names) : IListSink
    {
        public void Add(JsonElement item) => names.Add(item.GetProperty("metadata").GetProperty("name").GetString()!);

        public void Restart() => names.Clear();
    }
}
