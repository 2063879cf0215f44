using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using MeshDns.Kubernetes.Tests.ApiServer;
using MeshDns.Models.Json;
using MeshDns.Sources.Kubernetes;
using MeshDns.Table;
using static MeshDns.Kubernetes.Tests.Loop.FakeListerWatcher;

namespace MeshDns.Kubernetes.Tests.Loop;

/// <summary>The reflector's loop and store, driven step by step through an in-memory lister-watcher.</summary>
public sealed class ReflectorLoopTests : IAsyncDisposable
{
    private readonly FakeListerWatcher _fake = new();
    private readonly ConcurrentQueue<IReadOnlyList<ServiceEntryInput>> _snapshots = new();
    private readonly Dictionary<string, ServiceEntryInput> _followed = new(StringComparer.Ordinal);
    private readonly RecordingLogger _log = new();
    private ServiceEntryReflector? _reflector;

    public async ValueTask DisposeAsync()
    {
        if (_reflector is not null)
        {
            await _reflector.DisposeAsync();
        }
    }

    private ServiceEntryReflector Start(ReflectorOptions? options = null, bool start = true)
    {
        _reflector = new ServiceEntryReflector(_fake, new Uri("https://kube.test:6443/"), ServiceEntryJson.TryDecode, options ?? Fast(), _log);
        _reflector.Changed += u => _snapshots.Enqueue(Follow(u));
        if (start)
        {
            _reflector.Start();
        }

        return _reflector;
    }

    private static ReflectorOptions Fast(params string[] namespaces) => new()
    {
        Namespaces = namespaces,
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>The entries after an update, as a consumer applying each update in turn holds them.</summary>
    private IReadOnlyList<ServiceEntryInput> Follow(SourceUpdate update)
    {
        lock (_followed)
        {
            foreach ((string id, ServiceEntryInput? entry) in update.Changes)
            {
                if (entry is null)
                {
                    _followed.Remove(id);
                }
                else
                {
                    _followed[id] = entry;
                }
            }

            return [.. _followed.Values];
        }
    }

    private IReadOnlyList<ServiceEntryInput> Latest => _snapshots.LastOrDefault() ?? [];

    private string? AddressOf(string name) => Latest.FirstOrDefault(e => e.Name == name)?.Addresses.FirstOrDefault();

    private static Task Until(Func<bool> condition, string what) => FakeKubeApiServer.WaitUntilAsync(condition, TimeSpan.FromSeconds(20), what);

    private async Task<ServiceEntryReflector> Synced(params JsonObject[] items)
    {
        ServiceEntryReflector reflector = Start();
        _fake.AnswerList(null, "10", items);
        await Until(() => reflector.HasSynced, "sync");
        return reflector;
    }

    [Fact]
    public async Task Lists_then_watches_from_the_lists_resourceVersion_and_renews_from_the_last_one_seen()
    {
        ServiceEntryReflector reflector = await Synced(Entry("a", "8", "10.0.0.1"), Entry("b", "9", "10.0.0.2"));
        Assert.Equal(["a", "b"], Latest.Select(e => e.Name).Order());
        Assert.Single(_snapshots); // the first publish waits for the whole list

        FakeWatch watch = _fake.AnswerWatch();
        watch.Send(WatchEvent.Added, Entry("c", "11", "10.0.0.3"));
        watch.Send(WatchEvent.Modified, Entry("a", "12", "10.0.1.1"));
        watch.Send(WatchEvent.Deleted, Entry("b", "13", "10.0.0.2"));
        await Until(() => AddressOf("c") == "10.0.0.3" && AddressOf("a") == "10.0.1.1" && AddressOf("b") is null, "add, update, delete");

        watch.Bookmark("20");
        watch.End(); // the server's timeout: renewed at once, from the bookmark
        _fake.AnswerWatch();
        await Until(() => _fake.WatchCalls() == 2, "the renewed watch");
        Assert.Equal(["10", "20"], _fake.Calls.Where(c => c.Kind == "watch").Select(c => c.ResourceVersion));
        Assert.Equal(4, Interlocked.Read(ref reflector.Stats.Events));
        Assert.Equal(0, Interlocked.Read(ref reflector.Stats.WatchRestarts));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_410_as_http_status_or_error_event_lists_again_keeping_the_entries_meanwhile(bool asHttpStatus)
    {
        ServiceEntryReflector reflector = await Synced(Entry("a", "8", "10.0.0.1"));
        FakeWatch watch = _fake.AnswerWatch();
        if (asHttpStatus)
        {
            watch.Send(WatchEvent.Expired);
        }
        else
        {
            watch.Send(WatchEvent.Error, new JsonObject { ["kind"] = "Status", ["code"] = 410, ["message"] = "too old resource version" });
        }

        await Until(() => _fake.ListCalls() == 2, "the second LIST");
        Assert.Equal("10.0.0.1", AddressOf("a"));
        _fake.AnswerList(null, "30", Entry("a", "25", "10.0.0.9"), Entry("c", "26", "10.0.0.3"));
        await Until(() => AddressOf("a") == "10.0.0.9" && AddressOf("c") == "10.0.0.3", "the relisted state");
        _fake.AnswerWatch();
        await Until(() => _fake.WatchCalls() == 2, "the watch after the relist");
        Assert.Equal("30", _fake.Calls[^1].ResourceVersion);
        Assert.Equal(1, Interlocked.Read(ref reflector.Stats.Relists));
        Assert.Contains(_log.Lines, l => l == "Watch of all namespaces: resourceVersion expired (410), listing again");
        Assert.All(_snapshots, s => Assert.NotEmpty(s));
    }

    [Fact]
    public async Task An_oversized_event_lists_again()
    {
        ServiceEntryReflector reflector = await Synced(Entry("a", "8", "10.0.0.1"));
        _fake.AnswerWatch().Send(WatchEvent.Oversized);
        await Until(() => _fake.ListCalls() == 2, "the second LIST");
        Assert.Equal(1, Interlocked.Read(ref reflector.Stats.OversizedEvents));
        Assert.Equal(1, Interlocked.Read(ref reflector.Stats.Relists));
        Assert.Contains(_log.Lines, l => l.Contains("skipped an event longer than 8192 KiB", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failures_in_a_row_grow_the_backoff_and_a_watch_that_worked_starts_it_over()
    {
        ReflectorOptions options = Fast() with { InitialBackoff = TimeSpan.FromMilliseconds(40), MaxBackoff = TimeSpan.FromMilliseconds(160) };
        ServiceEntryReflector reflector = Start(options);
        for (int failures = 1; failures <= 5; failures++)
        {
            _fake.FailList(null, new HttpRequestException("refused"));
            await Until(() => Interlocked.Read(ref reflector.Stats.WatchRestarts) == failures, $"retry {failures}");
            double step = Math.Min(160, 40 * Math.Pow(2, failures - 1)); // 40, 80, 160, 160, 160: capped
            Assert.Equal(failures, Interlocked.Read(ref reflector.Stats.ConsecutiveFailures));
            Assert.InRange(reflector.Stats.LastBackoff.TotalMilliseconds, step / 2, step); // jitter in [d/2, d]
        }

        _fake.AnswerList(null, "10", Entry("a", "8", "10.0.0.1"));
        for (int failures = 1; failures <= 2; failures++)
        {
            _fake.FailWatch(null, new HttpRequestException("refused")); // listed, then watches failing in a row
            await Until(() => Interlocked.Read(ref reflector.Stats.WatchRestarts) == 5 + failures, $"watch retry {failures}");
            Assert.Equal(failures, Interlocked.Read(ref reflector.Stats.ConsecutiveFailures));
        }

        FakeWatch watch = _fake.AnswerWatch();
        watch.Send(WatchEvent.Modified, Entry("a", "11", "10.0.0.2"));
        await Until(() => AddressOf("a") == "10.0.0.2", "an event through the watch");
        watch.Fail(new IOException("reset"));
        await Until(() => Interlocked.Read(ref reflector.Stats.WatchRestarts) == 8, "retry after the watch broke");
        Assert.Equal(1, Interlocked.Read(ref reflector.Stats.ConsecutiveFailures)); // not 3
        Assert.InRange(reflector.Stats.LastBackoff.TotalMilliseconds, 20, 40);

        _fake.AnswerWatch().End(); // closed at once with nothing delivered: one more in a row
        await Until(() => Interlocked.Read(ref reflector.Stats.WatchRestarts) == 9, "retry after an empty watch");
        Assert.Equal(2, Interlocked.Read(ref reflector.Stats.ConsecutiveFailures));
        Assert.Equal(1, reflector.Stats.Errors["closed"]);
    }

    [Fact]
    public async Task An_outage_keeps_the_last_good_entries_and_a_404_lists_again()
    {
        ServiceEntryReflector reflector = await Synced(Entry("a", "8", "10.0.0.1"));
        for (int i = 0; i < 3; i++)
        {
            _fake.FailWatch(null, new HttpRequestException("refused"));
        }

        await Until(() => _fake.WatchCalls() == 4, "three failed watches and a fourth attempt");
        Assert.Equal(3, reflector.Stats.Errors["connection"]);
        Assert.True(reflector.HasSynced);
        Assert.Equal("10.0.0.1", AddressOf("a"));
        Assert.Contains(_log.Lines, l => l == "Kubernetes API (all namespaces): connection: cannot reach kube.test:6443; keeping the last good table and retrying");

        _fake.FailWatch(null, new KubernetesApiException(HttpStatusCode.NotFound, "HTTP 404 Not Found"));
        _fake.FailList(null, new KubernetesApiException(HttpStatusCode.ServiceUnavailable, "HTTP 503 Service Unavailable"));
        await Until(() => _fake.ListCalls() == 3, "LISTs after the 404");
        Assert.Equal("10.0.0.1", AddressOf("a"));
        _fake.AnswerList(null, "40", Entry("a", "39", "10.0.0.4"));
        await Until(() => AddressOf("a") == "10.0.0.4", "the state after the outage");
        Assert.All(_snapshots, s => Assert.NotEmpty(s));
        Assert.Equal(1, reflector.Stats.Errors["http-error"]);
    }

    [Fact]
    public async Task An_invalid_update_keeps_the_last_good_version_and_is_named_once_per_resourceVersion()
    {
        JsonObject bad = Entry("bad", "7", "10.0.0.9");
        bad["spec"]!["hosts"] = "not-a-list";
        ServiceEntryReflector reflector = await Synced(Entry("a", "8", "10.0.0.1"), bad);
        Assert.Equal(["a"], Latest.Select(e => e.Name));

        JsonObject broken = Entry("a", "11", "10.0.0.2");
        broken["spec"]!["hosts"] = "not-a-list";
        FakeWatch watch = _fake.AnswerWatch();
        watch.Send(WatchEvent.Modified, broken);
        watch.Send(WatchEvent.Modified, broken); // the same resourceVersion again: not logged again
        watch.Send(WatchEvent.Added, Entry("later", "12", "10.0.0.5"));
        await Until(() => AddressOf("later") == "10.0.0.5", "the event after the invalid ones");
        Assert.Equal("10.0.0.1", AddressOf("a"));
        Assert.Equal(3, Interlocked.Read(ref reflector.Stats.InvalidObjects));
        Assert.Single(_log.Lines, l => l.StartsWith("ServiceEntry mesh/a skipped: ", StringComparison.Ordinal) && l.Contains("hosts", StringComparison.Ordinal));
        Assert.Single(_log.Lines, l => l.StartsWith("ServiceEntry mesh/bad skipped: ", StringComparison.Ordinal));

        watch.Send(WatchEvent.Modified, Entry("a", "13", "10.0.0.3"));
        await Until(() => AddressOf("a") == "10.0.0.3", "the next valid version");
    }

    [Fact]
    public async Task A_burst_of_changes_is_coalesced_into_one_publish()
    {
        using var entered = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim();
        int publishes = 0;
        ServiceEntryReflector reflector = Start(start: false);
        reflector.Changed += _ =>
        {
            if (Interlocked.Increment(ref publishes) == 2)
            {
                entered.Release();
                release.Wait(); // hold the second publish while the burst arrives
            }
        };
        reflector.Start();
        _fake.AnswerList(null, "10");
        FakeWatch watch = _fake.AnswerWatch();
        try
        {
            watch.Send(WatchEvent.Added, Entry("e0", "11", "10.1.0.0"));
            Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(20)), "the second publish");
            for (int i = 1; i < 100; i++)
            {
                watch.Send(WatchEvent.Added, Entry($"e{i}", $"{11 + i}", "10.1.0.1"));
            }

            watch.Bookmark("200"); // counted once every event before it is applied
            await Until(() => Interlocked.Read(ref reflector.Stats.Events) == 101, "the burst applied");
        }
        finally
        {
            release.Set();
        }

        await Until(() => Volatile.Read(ref publishes) == 3, "one publish for the burst");
        Assert.Equal(100, Latest.Count);
        Assert.Equal(3, Interlocked.Read(ref reflector.Stats.Publishes));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stop_ends_a_blocked_watch_at_once_and_is_idempotent(bool opened)
    {
        ServiceEntryReflector reflector = await Synced(Entry("a", "8", "10.0.0.1"));
        if (opened)
        {
            _fake.AnswerWatch(); // open, and silent
        }

        await Until(() => _fake.WatchCalls() == 1, "the watch");
        Task stop = reflector.StopAsync();
        Assert.Same(stop, reflector.StopAsync());
        await stop.WaitAsync(TimeSpan.FromSeconds(20));
        await reflector.DisposeAsync();
    }

    [Fact]
    public async Task Stop_before_start_completes()
    {
        ServiceEntryReflector reflector = Start(start: false);
        await reflector.StopAsync().WaitAsync(TimeSpan.FromSeconds(20));
        reflector.Start(); // after a stop: nothing starts
        await reflector.DisposeAsync();
    }

    [Fact]
    public async Task Each_namespace_is_listed_and_watched_on_its_own_and_published_once_all_are_synced()
    {
        ServiceEntryReflector reflector = Start(Fast("a", "b"));
        _fake.AnswerList("a", "10", Entry("one", "8", "10.0.0.1", ns: "a"));
        await Until(() => _fake.WatchCalls("a") == 1, "namespace a listed");
        Assert.False(reflector.HasSynced);
        Assert.Empty(_snapshots);

        _fake.AnswerList("b", "20", Entry("two", "9", "10.0.0.2", ns: "b"));
        await Until(() => reflector.HasSynced, "both listed");
        Assert.Equal(["one", "two"], Assert.Single(_snapshots).Select(e => e.Name).Order());

        _fake.AnswerWatch("a").Send(WatchEvent.Expired);
        _fake.AnswerList("a", "30", Entry("three", "28", "10.0.0.3", ns: "a"));
        await Until(() => AddressOf("three") == "10.0.0.3" && AddressOf("one") is null, "namespace a listed again");
        Assert.Equal("10.0.0.2", AddressOf("two"));
        Assert.Equal(1, _fake.ListCalls("b"));
        Assert.Equal(0, _fake.ListCalls(null));
    }

    [Fact]
    public async Task Addresses_follow_the_shared_rule_bad_ones_skipped_alone_the_entry_kept()
    {
        // The same case list as the file source (MeshDns.Sources.Tests): every entry arrives, the table decides.
        JsonObject[] entries = [.. TestCases.AddressCases.Entries().Select((c, i) =>
        {
            JsonObject entry = Entry(c.Name, $"{i + 1}", "", TestCases.AddressCases.Namespace, c.Host);
            entry["spec"]!["addresses"] = new JsonArray([.. c.Addresses.Select(a => (JsonNode?)JsonValue.Create(a))]);
            return entry;
        })];
        await Synced(entries);

        Assert.Equal(entries.Length, Latest.Count);
        Assert.Equal(["10.1.1.300", TestCases.AddressCases.Good], Latest.Single(e => e.Name == "mixed-5").Addresses);
        TestCases.AddressCases.AssertTable(NameTableBuilder.Build(Latest, new TableOptions(), 0));
    }
}
