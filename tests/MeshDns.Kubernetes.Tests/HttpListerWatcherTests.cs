using System.Net;
using System.Text.Json.Nodes;
using MeshDns.Kubernetes.Tests.ApiServer;
using MeshDns.Sources.Kubernetes;

namespace MeshDns.Kubernetes.Tests;

/// <summary>The HTTP contract of the lister-watcher against the fake API server: TLS, token, paging, watch decoding, errors.</summary>
public sealed class HttpListerWatcherTests : IAsyncLifetime
{
    private const string Token = "s3cr3t-token";
    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-k8s-").FullName;
    private readonly RecordingLogger _log = new();
    private readonly ReflectorStats _stats = new();
    private readonly List<KubernetesApi> _clients = [];
    private FakeKubeApiServer _api = null!;

    public async Task InitializeAsync() =>
        _api = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = Token, UseTls = true, BookmarkInterval = TimeSpan.FromMilliseconds(100) });

    public async Task DisposeAsync()
    {
        _clients.ForEach(c => c.Dispose());
        await _api.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private HttpListerWatcher Client(ReflectorOptions? options = null)
    {
        string kubeconfig = Path.Combine(_dir, "kubeconfig");
        _api.WriteKubeconfig(kubeconfig);
        var api = KubernetesApi.FromConfiguration(KubernetesConfiguration.Load(kubeconfig, null));
        _clients.Add(api);
        return new HttpListerWatcher(api, options ?? new ReflectorOptions { PageSize = 2 }, _stats, _log);
    }

    private static JsonObject Spec(string host, string address) => new()
    {
        ["hosts"] = new JsonArray(host),
        ["addresses"] = new JsonArray(address),
        ["resolution"] = "STATIC",
    };

    private static string? Name(WatchEvent e) => e.Object.GetProperty("metadata").GetProperty("name").GetString();

    [Fact]
    public async Task Lists_in_pages_over_tls_sending_the_token()
    {
        for (int i = 0; i < 5; i++)
        {
            _api.Create("mesh", $"se{i}", Spec($"svc{i}.global", $"10.0.0.{i}"));
        }

        HttpListerWatcher client = Client();
        ListResult list = await ListResult.Of(client, null, default);

        Assert.Equal(["se0", "se1", "se2", "se3", "se4"], list.Items.Select(i => i.GetProperty("metadata").GetProperty("name").GetString()));
        Assert.Equal(_api.CurrentResourceVersion, list.ResourceVersion);
        Assert.Equal("v1", client.Version);
        Assert.Contains("Using networking.istio.io/v1 ServiceEntries", _log.Lines);
        Assert.Equal(3, _api.ListRequests); // limit=2: three pages
        Assert.Contains(_api.RequestLog, r => r.PathAndQuery.Contains("continue=", StringComparison.Ordinal));
        Assert.All(_api.RequestLog, r => Assert.Equal("Bearer " + Token, r.Authorization));
    }

    [Theory]
    [InlineData(new[] { "v1beta1", "v1alpha3" }, "v1beta1")]
    [InlineData(new[] { "v1alpha3" }, "v1alpha3")]
    public async Task Uses_the_newest_served_version_in_a_namespace(string[] served, string expected)
    {
        _api.SetServedVersions(served);
        _api.Create("mesh", "a", Spec("a.global", "10.0.0.1"));
        _api.Create("other", "b", Spec("b.global", "10.0.0.2"));
        HttpListerWatcher client = Client();
        ListResult list = await ListResult.Of(client, "mesh", default);
        Assert.Single(list.Items);
        Assert.Equal(expected, client.Version);
        Assert.Contains(_api.RequestLog, r => r.PathAndQuery.StartsWith($"/apis/networking.istio.io/{expected}/namespaces/mesh/serviceentries?limit=2", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(401, "the API server rejected the credentials")]
    [InlineData(403, "the service account lacks get/list/watch on serviceentries.networking.istio.io")]
    [InlineData(500, "discovery failed and listing v1 answered 500")]
    public async Task Error_statuses_are_reported_in_plain_words(int status, string expected)
    {
        _api.FailNextRequests(1000, status);
        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => ListResult.Of(Client(), null));
        Assert.Equal((HttpStatusCode)status, e.Status);
        Assert.Contains(expected, ApiErrors.Describe(e, _api.BaseUri), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unserved_group_asks_whether_the_crds_are_installed()
    {
        _api.SetServedVersions();
        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => ListResult.Of(Client(), null));
        Assert.Equal(HttpStatusCode.NotFound, e.Status);
        Assert.Contains("are Istio's CRDs installed?", ApiErrors.Describe(e, _api.BaseUri), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_decodes_events_and_bookmarks_in_order()
    {
        HttpListerWatcher client = Client();
        ListResult list = await ListResult.Of(client, null, default);
        _api.Create("mesh", "a", Spec("a.global", "10.0.0.1"));
        _api.Update("mesh", "a", Spec("a.global", "10.0.0.2"));
        _api.Delete("mesh", "a");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<string>();
        await foreach (WatchEvent e in client.WatchAsync(null, list.ResourceVersion, timeout.Token))
        {
            if (e.Type != WatchEvent.Bookmark)
            {
                seen.Add(e.Type == WatchEvent.Opened ? e.Type : $"{e.Type} {Name(e)}");
            }
            else if (seen.Count == 4)
            {
                seen.Add(e.Type); // bookmarks come every 100 ms
                break;
            }
        }

        Assert.Equal(["OPENED", "ADDED a", "MODIFIED a", "DELETED a", "BOOKMARK"], seen);
        Assert.Contains(_api.RequestLog, r => r.PathAndQuery.Contains($"watch=1&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion={list.ResourceVersion}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true, "EXPIRED")]
    [InlineData(false, "ERROR")]
    public async Task An_expired_resourceVersion_arrives_as_status_or_error_event(bool asHttpStatus, string expected)
    {
        HttpListerWatcher client = Client();
        ListResult list = await ListResult.Of(client, null, default);
        _api.ExpiredWatchesAsHttpStatus(asHttpStatus);
        _api.ExpireNextWatches(1);
        WatchEvent last = await client.WatchAsync(null, list.ResourceVersion, default).FirstAsync(e => e.Type != WatchEvent.Opened);
        Assert.Equal(expected, last.Type);
        Assert.True(asHttpStatus || last.Object.GetProperty("code").GetInt32() == 410);
    }

    [Fact]
    public async Task A_line_over_the_bound_is_reported_as_oversized()
    {
        HttpListerWatcher client = Client(new ReflectorOptions { MaxEventBytes = 64 * 1024 });
        ListResult list = await ListResult.Of(client, null, default);
        JsonObject big = Spec("a.global", "10.0.0.2");
        big["subjectAltNames"] = new JsonArray([.. Enumerable.Range(0, 2000).Select(i => (JsonNode)$"spiffe://cluster.local/ns/mesh/sa/account-{i:D6}")]);
        _api.Create("mesh", "a", big); // ~100 KB on the watch
        WatchEvent e = await client.WatchAsync(null, list.ResourceVersion, default).FirstAsync(e => e.Type != WatchEvent.Opened);
        Assert.Equal(WatchEvent.Oversized, e.Type);
    }

    [Fact]
    public async Task A_malformed_event_or_a_stalled_stream_fails_the_watch()
    {
        HttpListerWatcher client = Client(new ReflectorOptions { StallTimeout = TimeSpan.FromMilliseconds(500) });
        ListResult list = await ListResult.Of(client, null, default);
        _api.MalformedNextEvent("{\"type\":\"ADDED\",\"object\":{");
        _api.Create("mesh", "a", Spec("a.global", "10.0.0.1"));
        var malformed = await Assert.ThrowsAsync<InvalidDataException>(() => client.WatchAsync(null, list.ResourceVersion, default).CountAsync().AsTask());
        Assert.Equal("a watch event is not JSON: is the server a Kubernetes API server?", ApiErrors.Describe(malformed, _api.BaseUri));

        _api.StallWatches(true);
        var stalled = await Assert.ThrowsAsync<TimeoutException>(() => client.WatchAsync(null, list.ResourceVersion, default).CountAsync().AsTask());
        Assert.StartsWith("the watch ", stalled.Message, StringComparison.Ordinal);
    }
}
