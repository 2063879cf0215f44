using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using k8s;
using MeshDns.Kubernetes.Tests.ApiServer;
using MeshDns.Models.Json;
using MeshDns.Sources.Kubernetes;
using MeshDns.Table;
using Microsoft.Extensions.Logging;

namespace MeshDns.Kubernetes.Tests;

/// <summary>The reflector against the fake API server: sync, propagation, and recovery from every fault.</summary>
public sealed class ReflectorTests : IAsyncLifetime
{
    private const string Token = "s3cr3t-token";
    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-k8s-").FullName;
    private readonly ConcurrentQueue<IReadOnlyList<ServiceEntryInput>> _snapshots = new();
    private readonly RecordingLogger _log = new();
    private FakeKubeApiServer _api = null!;
    private ServiceEntryReflector? _reflector;

    public async Task InitializeAsync() => _api = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = Token, BookmarkInterval = TimeSpan.FromMilliseconds(300) });

    public async Task DisposeAsync()
    {
        if (_reflector is not null)
        {
            await _reflector.DisposeAsync();
        }

        await _api.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private static JsonObject Spec(string host, string address, string resolution = "STATIC") => new()
    {
        ["hosts"] = new JsonArray(host),
        ["addresses"] = new JsonArray(address),
        ["resolution"] = resolution,
    };

    private ServiceEntryReflector StartReflector(ReflectorOptions? options = null, string? ns = null)
    {
        string kubeconfig = Path.Combine(_dir, "kubeconfig");
        _api.WriteKubeconfig(kubeconfig);
        KubernetesClientConfiguration config = KubernetesConfiguration.Load(kubeconfig, null);
        var api = KubernetesApi.FromConfiguration(config);
        _reflector = new ServiceEntryReflector(api, ServiceEntryJson.TryDecode, options ?? Fast(), _log);
        _reflector.Changed += s => _snapshots.Enqueue(s);
        _reflector.Start();
        return _reflector;
    }

    private static ReflectorOptions Fast(params string[] namespaces) => new()
    {
        Namespaces = namespaces,
        PageSize = 2,
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
        StallTimeout = TimeSpan.FromSeconds(2),
        WatchTimeout = TimeSpan.FromSeconds(30),
    };

    private IReadOnlyList<ServiceEntryInput> Latest => _snapshots.LastOrDefault() ?? [];

    private string? AddressOf(string host) =>
        Latest.FirstOrDefault(e => e.Hosts.Contains(host))?.Addresses.FirstOrDefault();

    private Task Until(Func<bool> condition, string what) => FakeKubeApiServer.WaitUntilAsync(condition, TimeSpan.FromSeconds(20), what);

    [Fact]
    public async Task Syncs_pages_of_the_initial_list_and_sends_the_token_to_the_kubeconfig_server()
    {
        for (int i = 0; i < 5; i++)
        {
            _api.Create("mesh", $"se{i}", Spec($"svc{i}.global", $"10.0.0.{i}"));
        }

        ServiceEntryReflector reflector = StartReflector();
        await Until(() => reflector.HasSynced && Latest.Count == 5, "initial sync");

        Assert.Equal("v1", reflector.Version);
        Assert.All(_api.RequestLog, r => Assert.Equal("Bearer " + Token, r.Authorization));
        Assert.Contains(_api.RequestLog, r => r.PathAndQuery.Contains("continue=", StringComparison.Ordinal)); // paged with limit 2
        Assert.Single(_snapshots); // the first publish waits for the whole list
        Assert.Equal(["10.0.0.3"], Latest.Single(e => e.Name == "se3").Addresses);
    }

    [Fact]
    public async Task Addresses_follow_the_shared_rule_bad_ones_skipped_alone_the_entry_kept()
    {
        // The same case list as the file source (MeshDns.Sources.Tests): every entry arrives, the table decides.
        int count = 0;
        foreach ((string name, string host, string[] addresses) in MeshDns.TestCases.AddressCases.Entries())
        {
            _api.Create(MeshDns.TestCases.AddressCases.Namespace, name, new JsonObject
            {
                ["hosts"] = new JsonArray(host),
                ["addresses"] = new JsonArray([.. addresses.Select(a => (JsonNode?)JsonValue.Create(a))]),
                ["resolution"] = "STATIC",
            });
            count++;
        }

        ServiceEntryReflector reflector = StartReflector();
        await Until(() => reflector.HasSynced && Latest.Count == count, "initial sync");

        Assert.Equal(["10.1.1.300", MeshDns.TestCases.AddressCases.Good], Latest.Single(e => e.Name == "mixed-5").Addresses);
        MeshDns.TestCases.AddressCases.AssertTable(NameTableBuilder.Build(Latest, new TableOptions(), 0));
    }

    [Fact]
    public async Task Adds_updates_and_deletes_propagate()
    {
        _api.Create("mesh", "a", Spec("a.global", "10.0.0.1"));
        ServiceEntryReflector reflector = StartReflector();
        await Until(() => reflector.HasSynced, "sync");
        await _api.WaitForOpenWatchesAsync(1);

        _api.Create("mesh", "b", Spec("b.global", "10.0.0.2"));
        await Until(() => AddressOf("b.global") == "10.0.0.2", "add");
        _api.Update("mesh", "a", Spec("a.global", "10.0.1.1"));
        await Until(() => AddressOf("a.global") == "10.0.1.1", "update");
        _api.Delete("mesh", "b");
        await Until(() => AddressOf("b.global") is null && AddressOf("a.global") == "10.0.1.1", "delete");
    }

    [Fact]
    public async Task A_410_relists_without_losing_the_updates_made_meanwhile()
    {
        _api.Create("mesh", "a", Spec("a.global", "10.0.0.1"));
        ServiceEntryReflector reflector = StartReflector();
        await Until(() => reflector.HasSynced, "sync");
        await _api.WaitForOpenWatchesAsync(1);

        // Changes happen while the watch is down and history is compacted: the reconnect gets 410.
        _api.FailNextRequests(3, 503, FakeRequestKind.Watch);
        _api.DropAllWatches();
        _api.Update("mesh", "a", Spec("a.global", "10.0.0.9"));
        _api.Create("mesh", "c", Spec("c.global", "10.0.0.3"));
        _api.Compact();

        await Until(() => AddressOf("a.global") == "10.0.0.9" && AddressOf("c.global") == "10.0.0.3", "relist after 410");
        Assert.True(reflector.Stats.Relists >= 1);
        Assert.True(_api.ListRequests >= 2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_410_as_an_error_event_or_as_http_status_both_relist(bool asHttpStatus)
    {
        _api.Create("mesh", "a", Spec("a.global", "10.0.0.1"));
        ServiceEntryReflector reflector = StartReflector();
        await Until(() => reflector.HasSynced, "sync");
        await _api.WaitForOpenWatchesAsync(1);

        _api.ExpiredWatchesAsHttpStatus(asHttpStatus);
        _api.ExpireNextWatches(1);
        _api.DropAllWatches();
        _api.Update("mesh", "a", Spec("a.global", "10.0.0.7"));
        await Until(() => AddressOf("a.global") == "10.0.0.7", "update after relist");
        Assert.True(reflector.Stats.Relists >= 1);
    }

    [Fact]
    public async Task Server_errors_storms_keep_the_last_good_table_and_recover()
    {
        _api.Create("mesh", "a", Spec("a.global", "10.0.0.1"));
        ServiceEntryReflector reflector = StartReflector();
        await Until(() => reflector.HasSynced, "sync");
        await _api.WaitForOpenWatchesAsync(1);

        _api.FailNextRequests(20, 500);
        _api.DropAllWatches();
        _api.FailNextRequests(20, 503);
        await Task.Delay(500);
        _api.Update("mesh", "a", Spec("a.global", "10.0.0.2"));
        await Until(() => AddressOf("a.global") == "10.0.0.2", "recovery");
        Assert.All(_snapshots, s => Assert.NotEmpty(s)); // never emptied by an error
        Assert.True(reflector.Stats.Errors.Values.Sum() > 0);
    }

    [Fact]
    public async Task Dropped_and_stalled_watches_are_renewed()
    {
        _api.Create("mesh", "a", Spec("a.global", "10.0.0.1"));
        ServiceEntryReflector reflector = StartReflector();
        await Until(() => reflector.HasSynced, "sync");
        await _api.WaitForOpenWatchesAsync(1);

        _api.DropWatchesAfterEvents(1);
        _api.Update("mesh", "a", Spec("a.global", "10.0.0.2"));
        _api.Update("mesh", "a", Spec("a.global", "10.0.0.3"));
        await Until(() => AddressOf("a.global") == "10.0.0.3", "after drop");

        int watches = _api.WatchRequests;
        _api.StallWatches(true);
        await Until(() => _api.WatchRequests > watches + 1, "stall detected and watch renewed");
        _api.StallWatches(false);
        _api.Update("mesh", "a", Spec("a.global", "10.0.0.4"));
        await Until(() => AddressOf("a.global") == "10.0.0.4", "after stall");
        Assert.All(_snapshots, s => Assert.NotEmpty(s));
    }

    [Fact]
    public async Task Malformed_events_and_invalid_objects_are_skipped_and_named()
    {
        _api.Create("mesh", "good", Spec("good.global", "10.0.0.1"));
        _api.CreateRaw("mesh", "bad", """{"spec": {"hosts": "not-a-list", "resolution": "STATIC"}}""");
        ServiceEntryReflector reflector = StartReflector();
        await Until(() => reflector.HasSynced, "sync");
        Assert.Equal(["good"], Latest.Select(e => e.Name));
        Assert.Contains(_log.Lines, l => l.Contains("mesh/bad", StringComparison.Ordinal) && l.Contains("hosts", StringComparison.Ordinal));

        await _api.WaitForOpenWatchesAsync(1);
        _api.MalformedNextEvent("{\"type\":\"ADDED\",\"object\":{");
        _api.Create("mesh", "later", Spec("later.global", "10.0.0.5"));
        await Until(() => AddressOf("later.global") == "10.0.0.5", "event after a malformed one");
        Assert.True(reflector.Stats.Errors.ContainsKey("malformed"));
    }

    [Theory]
    [InlineData(new[] { "v1beta1", "v1alpha3" }, "v1beta1")]
    [InlineData(new[] { "v1alpha3" }, "v1alpha3")]
    public async Task Uses_the_newest_served_version(string[] served, string expected)
    {
        _api.SetServedVersions(served);
        _api.Create("mesh", "a", Spec("a.global", "10.0.0.1"));
        ServiceEntryReflector reflector = StartReflector();
        await Until(() => reflector.HasSynced && Latest.Count == 1, "sync");
        Assert.Equal(expected, reflector.Version);
        Assert.DoesNotContain(_api.RequestLog, r => r.PathAndQuery.Contains("/v1/serviceentries", StringComparison.Ordinal) && r.StatusCode == 200);
    }

    [Fact]
    public async Task Unserved_group_keeps_it_unsynced_until_it_appears()
    {
        _api.SetServedVersions();
        _api.Create("mesh", "a", Spec("a.global", "10.0.0.1"));
        ServiceEntryReflector reflector = StartReflector();
        await Task.Delay(500);
        Assert.False(reflector.HasSynced);
        Assert.Empty(_snapshots);
        _api.SetServedVersions("v1");
        await Until(() => reflector.HasSynced && Latest.Count == 1, "sync once served");
    }

    [Fact]
    public async Task Follows_only_the_given_namespaces()
    {
        _api.Create("a", "one", Spec("one.global", "10.0.0.1"));
        _api.Create("b", "two", Spec("two.global", "10.0.0.2"));
        _api.Create("c", "three", Spec("three.global", "10.0.0.3"));
        ServiceEntryReflector reflector = StartReflector(Fast("a", "b"));
        await Until(() => reflector.HasSynced && Latest.Count == 2, "sync of two namespaces");
        _api.Create("c", "four", Spec("four.global", "10.0.0.4"));
        _api.Create("b", "five", Spec("five.global", "10.0.0.5"));
        await Until(() => AddressOf("five.global") == "10.0.0.5", "namespaced watch");
        Assert.Null(AddressOf("four.global"));
        Assert.Null(AddressOf("three.global"));
        Assert.DoesNotContain(_api.RequestLog, r => r.PathAndQuery.StartsWith("/apis/networking.istio.io/v1/serviceentries", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_burst_of_events_is_coalesced_into_few_rebuilds()
    {
        ServiceEntryReflector reflector = StartReflector(Fast() with { Debounce = TimeSpan.FromMilliseconds(200) });
        await Until(() => reflector.HasSynced, "sync");
        await _api.WaitForOpenWatchesAsync(1);
        int before = _snapshots.Count;
        for (int i = 0; i < 200; i++)
        {
            _api.Create("mesh", $"burst{i}", Spec($"burst{i}.global", "10.1.0.1"));
        }

        await Until(() => Latest.Count == 200, "burst applied");
        Assert.True(_snapshots.Count - before < 20, $"{_snapshots.Count - before} publishes for 200 events");
    }

    [Fact]
    public async Task A_watch_that_worked_then_broke_restarts_the_backoff()
    {
        // Real backoff steps: without the reset the tenth drop would wait 0.2 s * 2^9, capped at 30 s.
        ReflectorOptions options = Fast() with { InitialBackoff = TimeSpan.FromMilliseconds(200), MaxBackoff = TimeSpan.FromSeconds(30) };
        _api.Create("mesh", "a", Spec("a.global", "10.0.1.100"));
        ServiceEntryReflector reflector = StartReflector(options);
        await Until(() => reflector.HasSynced, "sync");
        for (int i = 0; i < 10; i++)
        {
            await _api.WaitForOpenWatchesAsync(1);
            _api.Update("mesh", "a", Spec("a.global", $"10.0.1.{i}"));
            await Until(() => AddressOf("a.global") == $"10.0.1.{i}", $"change {i} through the watch");
            long restarts = Interlocked.Read(ref reflector.Stats.WatchRestarts);
            _api.DropAllWatches();
            await Until(() => Interlocked.Read(ref reflector.Stats.WatchRestarts) > restarts, $"retry after drop {i}");
            Assert.Equal(1, Interlocked.Read(ref reflector.Stats.ConsecutiveFailures));
            Assert.True(reflector.Stats.LastBackoff <= options.InitialBackoff, $"drop {i}: backoff {reflector.Stats.LastBackoff}");
            _api.Update("mesh", "a", Spec("a.global", $"10.0.2.{i}"));
            await Until(() => AddressOf("a.global") == $"10.0.2.{i}", $"change {i} after the drop");
        }
    }

    [Fact]
    public async Task An_event_over_the_size_bound_is_skipped_and_the_namespace_listed_again()
    {
        _api.Create("mesh", "a", Spec("a.global", "10.0.0.1"));
        ServiceEntryReflector reflector = StartReflector(Fast() with { MaxEventBytes = 64 * 1024 });
        await Until(() => reflector.HasSynced, "sync");
        await _api.WaitForOpenWatchesAsync(1);
        int lists = _api.ListRequests;

        JsonObject big = Spec("a.global", "10.0.0.2");
        big["subjectAltNames"] = new JsonArray([.. Enumerable.Range(0, 2000).Select(i => (JsonNode)$"spiffe://cluster.local/ns/mesh/sa/account-{i:D6}")]);
        _api.Update("mesh", "a", big); // ~100 KB on the watch: over the bound
        _api.Create("mesh", "b", Spec("b.global", "10.0.0.3"));

        await Until(() => AddressOf("b.global") == "10.0.0.3", "a later event");
        await Until(() => AddressOf("a.global") == "10.0.0.2", "the skipped object, from the LIST");
        Assert.Equal(1, Interlocked.Read(ref reflector.Stats.OversizedEvents));
        Assert.True(_api.ListRequests > lists, "listed again");
        Assert.Contains(_log.Lines, l => l.Contains("skipped an event longer than 64 KiB", StringComparison.Ordinal));
    }

    /// <summary>Collects formatted log lines.</summary>
    private sealed class RecordingLogger : ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue(formatter(state, exception));
    }
}
