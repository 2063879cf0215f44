using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace MeshDns.Kubernetes.Tests.ApiServer;

/// <summary>The fake API server, exercised with plain HttpClient.</summary>
public sealed class FakeKubeApiServerTests
{
    private const string V1 = "apis/networking.istio.io/v1";
    private const string AllV1 = V1 + "/serviceentries";

    private static JsonObject Spec(params string[] hosts)
    {
        var list = new JsonArray();
        foreach (string host in hosts)
        {
            list.Add(host);
        }

        return new JsonObject { ["hosts"] = list, ["resolution"] = "STATIC", ["location"] = "MESH_INTERNAL" };
    }

    private static async Task<JsonObject> GetJsonAsync(HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using HttpResponseMessage response = await client.GetAsync(path);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"GET {path}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!.AsObject();
    }

    private static void AssertStatus(JsonObject status, int code, string reason)
    {
        Assert.Equal("Status", (string?)status["kind"]);
        Assert.Equal("v1", (string?)status["apiVersion"]);
        Assert.Equal("Failure", (string?)status["status"]);
        Assert.Equal(reason, (string?)status["reason"]);
        Assert.Equal(code, (int?)status["code"]);
        Assert.False(string.IsNullOrEmpty((string?)status["message"]));
    }

    private static long Rv(JsonNode? o) => long.Parse((string)o!["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture);

    private static string[] Names(JsonObject list) => [.. list["items"]!.AsArray().Select(i => (string)i!["metadata"]!["namespace"]! + "/" + (string)i["metadata"]!["name"]!)];

    private static string Watch(string rv, string extra = "") => $"{AllV1}?watch=1&resourceVersion={rv}{extra}";

    // ------------------------------------------------------------------------------------------------
    // Authentication, discovery, versions
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Token_is_required_on_every_request()
    {
        await using var server = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "s3cret" });
        using HttpClient anonymous = server.CreateHttpClient(authenticate: false);
        using HttpClient client = server.CreateHttpClient();

        AssertStatus(await GetJsonAsync(anonymous, AllV1, HttpStatusCode.Unauthorized), 401, "Unauthorized");
        AssertStatus(await GetJsonAsync(anonymous, "apis", HttpStatusCode.Unauthorized), 401, "Unauthorized");
        AssertStatus(await GetJsonAsync(anonymous, Watch("0"), HttpStatusCode.Unauthorized), 401, "Unauthorized");

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, AllV1))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
            using HttpResponseMessage response = await anonymous.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal("ServiceEntryList", (string?)(await GetJsonAsync(client, AllV1))["kind"]);

        IReadOnlyList<RequestLogEntry> log = server.RequestLog;
        Assert.Equal([401, 401, 401, 401, 200], log.Select(e => e.StatusCode));
        Assert.Equal([null, null, null, "Bearer wrong", "Bearer s3cret"], log.Select(e => e.Authorization));
        Assert.Equal("/" + AllV1, log[0].PathAndQuery);
        Assert.Equal([FakeRequestKind.List, FakeRequestKind.Discovery, FakeRequestKind.Watch, FakeRequestKind.List, FakeRequestKind.List], log.Select(e => e.Kind));
        Assert.All(log, e => Assert.Equal("GET", e.Method));
        Assert.Equal(0, server.OpenWatches);
    }

    [Fact]
    public async Task Discovery_documents_list_the_group_its_versions_and_the_resource()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();

        JsonObject groups = await GetJsonAsync(client, "apis");
        Assert.Equal("APIGroupList", (string?)groups["kind"]);
        JsonObject group = Assert.Single(groups["groups"]!.AsArray())!.AsObject();
        Assert.Equal("networking.istio.io", (string?)group["name"]);
        Assert.Equal(["v1", "v1beta1", "v1alpha3"], group["versions"]!.AsArray().Select(v => (string)v!["version"]!));
        Assert.Equal(["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"], group["versions"]!.AsArray().Select(v => (string)v!["groupVersion"]!));
        Assert.Equal("networking.istio.io/v1", (string?)group["preferredVersion"]!["groupVersion"]);

        JsonObject apiGroup = await GetJsonAsync(client, "apis/networking.istio.io");
        Assert.Equal("APIGroup", (string?)apiGroup["kind"]);
        Assert.Equal("v1", (string?)apiGroup["preferredVersion"]!["version"]);
        Assert.Equal(3, apiGroup["versions"]!.AsArray().Count);

        JsonObject resources = await GetJsonAsync(client, "apis/networking.istio.io/v1alpha3");
        Assert.Equal("APIResourceList", (string?)resources["kind"]);
        Assert.Equal("networking.istio.io/v1alpha3", (string?)resources["groupVersion"]);
        JsonNode serviceEntries = resources["resources"]!.AsArray().Single(r => (string?)r!["name"] == "serviceentries")!;
        Assert.Equal("ServiceEntry", (string?)serviceEntries["kind"]);
        Assert.True((bool?)serviceEntries["namespaced"]);
        Assert.Contains("list", serviceEntries["verbs"]!.AsArray().Select(v => (string?)v));
        Assert.Contains("watch", serviceEntries["verbs"]!.AsArray().Select(v => (string?)v));

        Assert.Equal("APIVersions", (string?)(await GetJsonAsync(client, "api"))["kind"]);
        Assert.False(string.IsNullOrEmpty((string?)(await GetJsonAsync(client, "version"))["gitVersion"]));
        Assert.Equal("ok", await client.GetStringAsync("healthz"));
        Assert.All(server.RequestLog, e => Assert.Equal(FakeRequestKind.Discovery, e.Kind));
    }

    [Fact]
    public async Task Unserved_versions_answer_404_and_the_served_set_can_change()
    {
        await using var server = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { ServedVersions = ["v1"] });
        using HttpClient client = server.CreateHttpClient();
        server.Create("default", "a", Spec("a.example"));

        Assert.Single((await GetJsonAsync(client, AllV1))["items"]!.AsArray());
        AssertStatus(await GetJsonAsync(client, "apis/networking.istio.io/v1beta1/serviceentries", HttpStatusCode.NotFound), 404, "NotFound");
        AssertStatus(await GetJsonAsync(client, "apis/networking.istio.io/v1alpha3", HttpStatusCode.NotFound), 404, "NotFound");
        AssertStatus(await GetJsonAsync(client, "apis/networking.istio.io/v1alpha3/serviceentries?watch=1", HttpStatusCode.NotFound), 404, "NotFound");
        AssertStatus(await GetJsonAsync(client, "apis/networking.istio.io/v1/gateways", HttpStatusCode.NotFound), 404, "NotFound");
        AssertStatus(await GetJsonAsync(client, "apis/example.com/v1/serviceentries", HttpStatusCode.NotFound), 404, "NotFound");
        Assert.Equal(["v1"], (await GetJsonAsync(client, "apis/networking.istio.io"))["versions"]!.AsArray().Select(v => (string)v!["version"]!));

        server.SetServedVersions("v1beta1", "v1alpha3");
        AssertStatus(await GetJsonAsync(client, AllV1, HttpStatusCode.NotFound), 404, "NotFound");
        JsonObject list = await GetJsonAsync(client, "apis/networking.istio.io/v1beta1/serviceentries");
        Assert.Equal("networking.istio.io/v1beta1", (string?)list["apiVersion"]);
        Assert.Equal("networking.istio.io/v1beta1", (string?)list["items"]![0]!["apiVersion"]);
        Assert.Equal("v1beta1", (string?)(await GetJsonAsync(client, "apis/networking.istio.io"))["preferredVersion"]!["version"]);

        server.SetServedVersions();
        AssertStatus(await GetJsonAsync(client, "apis/networking.istio.io", HttpStatusCode.NotFound), 404, "NotFound");
        Assert.Empty((await GetJsonAsync(client, "apis"))["groups"]!.AsArray());
    }

    [Fact]
    public async Task Writes_through_http_and_unknown_paths_are_refused()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();

        using HttpResponseMessage post = await client.PostAsync(AllV1, new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        AssertStatus(JsonNode.Parse(await post.Content.ReadAsStringAsync())!.AsObject(), 405, "MethodNotAllowed");
        AssertStatus(await GetJsonAsync(client, "nothing/here", HttpStatusCode.NotFound), 404, "NotFound");
        Assert.Equal([FakeRequestKind.Other, FakeRequestKind.Other], server.RequestLog.Select(e => e.Kind));
    }

    // ------------------------------------------------------------------------------------------------
    // Store, LIST, GET
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task List_serves_every_object_with_full_metadata_under_the_requested_version()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        DateTimeOffset before = DateTimeOffset.UtcNow.AddSeconds(-2);
        string rvB = server.Create("ns-b", "one", Spec("one.b.example"));
        string rvA2 = server.Create("ns-a", "two", Spec("two.a.example"), new JsonObject { ["conditions"] = new JsonArray() });
        string rvA1 = server.Create("ns-a", "one", Spec("one.a.example"));
        Assert.Equal("1001", rvB); // InitialResourceVersion (1000) + 1
        Assert.True(long.Parse(rvA2, CultureInfo.InvariantCulture) < long.Parse(rvA1, CultureInfo.InvariantCulture));

        JsonObject list = await GetJsonAsync(client, "apis/networking.istio.io/v1alpha3/serviceentries");
        Assert.Equal("networking.istio.io/v1alpha3", (string?)list["apiVersion"]);
        Assert.Equal("ServiceEntryList", (string?)list["kind"]);
        Assert.Equal(server.CurrentResourceVersion, (string?)list["metadata"]!["resourceVersion"]);
        Assert.Null(list["metadata"]!["continue"]);
        Assert.Equal(["ns-a/one", "ns-a/two", "ns-b/one"], Names(list)); // etcd key order

        JsonObject item = list["items"]![1]!.AsObject();
        Assert.Equal("networking.istio.io/v1alpha3", (string?)item["apiVersion"]);
        Assert.Equal("ServiceEntry", (string?)item["kind"]);
        JsonObject metadata = item["metadata"]!.AsObject();
        Assert.Equal("two", (string?)metadata["name"]);
        Assert.Equal("ns-a", (string?)metadata["namespace"]);
        Assert.True(Guid.TryParse((string?)metadata["uid"], out _));
        Assert.Equal(rvA2, (string?)metadata["resourceVersion"]);
        Assert.Equal(1, (long?)metadata["generation"]);
        DateTimeOffset created = DateTimeOffset.ParseExact((string)metadata["creationTimestamp"]!, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Assert.InRange(created, before, DateTimeOffset.UtcNow.AddSeconds(2));
        Assert.True(JsonNode.DeepEquals(Spec("two.a.example"), item["spec"]));
        Assert.NotNull(item["status"]);
        Assert.Null(list["items"]![0]!["status"]);
    }

    [Fact]
    public async Task Update_bumps_generation_only_when_the_spec_changes_and_keeps_identity()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        server.Create("default", "se", Spec("a.example"));
        JsonObject first = server.Get("default", "se")!;

        string rv2 = server.Update("default", "se", Spec("a.example"), new JsonObject { ["observedGeneration"] = 1 });
        JsonObject second = server.Get("default", "se")!;
        Assert.Equal(rv2, (string?)second["metadata"]!["resourceVersion"]);
        Assert.Equal(1, (long?)second["metadata"]!["generation"]);

        server.Update("default", "se", Spec("b.example"));
        JsonObject third = server.Get("default", "se", "v1beta1")!;
        Assert.Equal("networking.istio.io/v1beta1", (string?)third["apiVersion"]);
        Assert.Equal(2, (long?)third["metadata"]!["generation"]);
        Assert.Null(third["status"]);
        Assert.Equal((string?)first["metadata"]!["uid"], (string?)third["metadata"]!["uid"]);
        Assert.Equal((string?)first["metadata"]!["creationTimestamp"], (string?)third["metadata"]!["creationTimestamp"]);

        Assert.Throws<InvalidOperationException>(() => server.Create("default", "se", Spec("c.example")));
        Assert.Throws<KeyNotFoundException>(() => server.Update("default", "missing", Spec("c.example")));
        Assert.Throws<KeyNotFoundException>(() => server.Delete("default", "missing"));
        Assert.Throws<ArgumentException>(() => server.CreateRaw("default", "raw", "[1,2]"));

        string deleted = server.Delete("default", "se");
        Assert.Equal(deleted, server.CurrentResourceVersion);
        Assert.Null(server.Get("default", "se"));
        Assert.Equal(0, server.Count);
    }

    [Fact]
    public async Task CreateRaw_serves_wrong_shapes_as_given_with_metadata_filled_in()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        await using WatchStreamReader watch = await WatchStreamReader.OpenAsync(client, Watch(server.CurrentResourceVersion));
        await server.WaitForOpenWatchesAsync(1);

        server.CreateRaw("default", "bad", """{"apiVersion":"x/y","metadata":{"name":"ignored","labels":{"app":"x"}},"spec":{"hosts":"not-a-list"}}""");

        JsonObject item = Assert.Single((await GetJsonAsync(client, AllV1))["items"]!.AsArray())!.AsObject();
        Assert.Equal("networking.istio.io/v1", (string?)item["apiVersion"]);
        Assert.Equal("bad", (string?)item["metadata"]!["name"]);
        Assert.Equal("x", (string?)item["metadata"]!["labels"]!["app"]);
        Assert.Equal("not-a-list", (string?)item["spec"]!["hosts"]);

        JsonObject added = await watch.NextEventAsync();
        Assert.Equal("ADDED", (string?)added["type"]);
        Assert.Equal("not-a-list", (string?)added["object"]!["spec"]!["hosts"]);

        server.UpdateRaw("default", "bad", """{"spec":17}""");
        JsonObject modified = await watch.NextEventAsync();
        Assert.Equal("MODIFIED", (string?)modified["type"]);
        Assert.Equal(17, (int?)modified["object"]!["spec"]);
    }

    [Fact]
    public async Task Get_by_name_returns_the_object_or_a_NotFound_status()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        server.Create("default", "se", Spec("a.example"));

        JsonObject found = await GetJsonAsync(client, V1 + "/namespaces/default/serviceentries/se");
        Assert.Equal("se", (string?)found["metadata"]!["name"]);
        JsonObject missing = await GetJsonAsync(client, V1 + "/namespaces/other/serviceentries/se", HttpStatusCode.NotFound);
        AssertStatus(missing, 404, "NotFound");
        Assert.Equal("se", (string?)missing["details"]!["name"]);
        Assert.Equal([FakeRequestKind.Get, FakeRequestKind.Get], server.RequestLog.Select(e => e.Kind));
    }

    [Fact]
    public async Task Namespaced_list_holds_only_that_namespace()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        server.Create("a", "x", Spec("x.a"));
        server.Create("b", "x", Spec("x.b"));
        server.Create("a", "y", Spec("y.a"));

        Assert.Equal(["a/x", "a/y"], Names(await GetJsonAsync(client, V1 + "/namespaces/a/serviceentries")));
        Assert.Equal(["b/x"], Names(await GetJsonAsync(client, V1 + "/namespaces/b/serviceentries")));
        Assert.Empty(Names(await GetJsonAsync(client, V1 + "/namespaces/c/serviceentries")));
        Assert.Equal(3, server.ListRequests);
    }

    [Fact]
    public async Task Paging_with_limit_and_continue_serves_one_consistent_snapshot()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        for (int i = 1; i <= 5; i++)
        {
            server.Create("default", $"se-{i}", Spec($"h{i}.example"));
        }

        JsonObject page1 = await GetJsonAsync(client, AllV1 + "?limit=2");
        string snapshot = (string)page1["metadata"]!["resourceVersion"]!;
        Assert.Equal(server.CurrentResourceVersion, snapshot);
        Assert.Equal(["default/se-1", "default/se-2"], Names(page1));
        Assert.Equal(3, (int?)page1["metadata"]!["remainingItemCount"]);
        string token = (string)page1["metadata"]!["continue"]!;

        // Changes after the first page do not show in the following pages.
        server.Delete("default", "se-3");
        server.Update("default", "se-4", Spec("changed.example"));
        server.Create("default", "se-6", Spec("h6.example"));

        JsonObject page2 = await GetJsonAsync(client, AllV1 + "?limit=2&continue=" + Uri.EscapeDataString(token));
        Assert.Equal(snapshot, (string?)page2["metadata"]!["resourceVersion"]);
        Assert.Equal(["default/se-3", "default/se-4"], Names(page2));
        Assert.Equal("h4.example", (string?)page2["items"]![1]!["spec"]!["hosts"]![0]);
        Assert.Equal(1, (int?)page2["metadata"]!["remainingItemCount"]);

        JsonObject page3 = await GetJsonAsync(client, AllV1 + "?limit=2&continue=" + Uri.EscapeDataString((string)page2["metadata"]!["continue"]!));
        Assert.Equal(["default/se-5"], Names(page3));
        Assert.Null(page3["metadata"]!["continue"]);
        Assert.Null(page3["metadata"]!["remainingItemCount"]);

        JsonObject fresh = await GetJsonAsync(client, AllV1);
        Assert.Equal(["default/se-1", "default/se-2", "default/se-4", "default/se-5", "default/se-6"], Names(fresh));
        Assert.Equal(server.CurrentResourceVersion, (string?)fresh["metadata"]!["resourceVersion"]);

        AssertStatus(await GetJsonAsync(client, AllV1 + "?limit=2&continue=garbage", HttpStatusCode.BadRequest), 400, "BadRequest");
        AssertStatus(await GetJsonAsync(client, AllV1 + "?limit=2&resourceVersion=1001&continue=" + Uri.EscapeDataString(token), HttpStatusCode.BadRequest), 400, "BadRequest");
    }

    [Fact]
    public async Task List_at_an_exact_resourceVersion_serves_that_snapshot()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        string rv = server.Create("default", "a", Spec("a.example"));
        server.Create("default", "b", Spec("b.example"));

        JsonObject exact = await GetJsonAsync(client, $"{AllV1}?resourceVersion={rv}&resourceVersionMatch=Exact");
        Assert.Equal(["default/a"], Names(exact));
        Assert.Equal(rv, (string?)exact["metadata"]!["resourceVersion"]);
        Assert.Equal(2, Names(await GetJsonAsync(client, $"{AllV1}?resourceVersion={rv}")).Length);
        Assert.Equal(2, Names(await GetJsonAsync(client, $"{AllV1}?resourceVersion=0")).Length);
        AssertStatus(await GetJsonAsync(client, $"{AllV1}?resourceVersion=99999", HttpStatusCode.GatewayTimeout), 504, "Timeout");

        server.Compact();
        AssertStatus(await GetJsonAsync(client, $"{AllV1}?resourceVersion={rv}&resourceVersionMatch=Exact", HttpStatusCode.Gone), 410, "Expired");
    }

    [Fact]
    public async Task MaxPageSize_caps_pages_even_without_limit()
    {
        await using var server = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { MaxPageSize = 2 });
        using HttpClient client = server.CreateHttpClient();
        for (int i = 1; i <= 5; i++)
        {
            server.Create("default", $"se-{i}", Spec($"h{i}.example"));
        }

        JsonObject unlimited = await GetJsonAsync(client, AllV1);
        Assert.Equal(2, Names(unlimited).Length);
        Assert.NotNull(unlimited["metadata"]!["continue"]);
        Assert.Equal(2, Names(await GetJsonAsync(client, AllV1 + "?limit=10")).Length);
        Assert.Single(Names(await GetJsonAsync(client, AllV1 + "?limit=1")));

        var all = new List<string>();
        string? token = null;
        do
        {
            JsonObject page = await GetJsonAsync(client, AllV1 + (token is null ? "" : "?continue=" + Uri.EscapeDataString(token)));
            all.AddRange(Names(page));
            token = (string?)page["metadata"]!["continue"];
        }
        while (token is not null);

        Assert.Equal(5, all.Count);
    }

    // ------------------------------------------------------------------------------------------------
    // WATCH
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Watch_streams_added_modified_deleted_in_order_with_increasing_resourceVersions()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        await using WatchStreamReader watch = await WatchStreamReader.OpenAsync(client, Watch(server.CurrentResourceVersion));
        Assert.Equal(HttpStatusCode.OK, watch.Response.StatusCode);
        Assert.Equal("application/json", watch.Response.Content.Headers.ContentType?.MediaType);
        await server.WaitForOpenWatchesAsync(1);

        server.Create("default", "se", Spec("a.example"));
        server.Update("default", "se", Spec("b.example"));
        server.Delete("default", "se");

        JsonObject added = await watch.NextEventAsync();
        JsonObject modified = await watch.NextEventAsync();
        JsonObject deleted = await watch.NextEventAsync();
        Assert.Equal(["ADDED", "MODIFIED", "DELETED"], new[] { added, modified, deleted }.Select(e => (string?)e["type"]));
        Assert.True(Rv(added["object"]) < Rv(modified["object"]));
        Assert.True(Rv(modified["object"]) < Rv(deleted["object"]));
        Assert.Equal(server.CurrentResourceVersion, Rv(deleted["object"]).ToString(CultureInfo.InvariantCulture));
        Assert.Equal("networking.istio.io/v1", (string?)added["object"]!["apiVersion"]);
        Assert.Equal("ServiceEntry", (string?)added["object"]!["kind"]);
        Assert.Equal("a.example", (string?)added["object"]!["spec"]!["hosts"]![0]);
        Assert.Equal("b.example", (string?)modified["object"]!["spec"]!["hosts"]![0]);
        Assert.Equal(2, (long?)modified["object"]!["metadata"]!["generation"]);
        Assert.Equal("b.example", (string?)deleted["object"]!["spec"]!["hosts"]![0]); // the last state
        Assert.Equal((string?)added["object"]!["metadata"]!["uid"], (string?)deleted["object"]!["metadata"]!["uid"]);
        Assert.Equal(1, server.WatchRequests);
    }

    [Fact]
    public async Task Watch_from_a_resourceVersion_replays_what_came_after_it_then_follows_live()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        string rv1 = server.Create("default", "one", Spec("one.example"));
        string rv2 = server.Create("default", "two", Spec("two.example"));
        server.Update("default", "one", Spec("one-b.example"));

        await using WatchStreamReader watch = await WatchStreamReader.OpenAsync(client, $"{AllV1}?watch=true&resourceVersion={rv1}");
        JsonObject first = await watch.NextEventAsync();
        Assert.Equal("ADDED", (string?)first["type"]);
        Assert.Equal(rv2, (string?)first["object"]!["metadata"]!["resourceVersion"]);
        Assert.Equal("MODIFIED", (string?)(await watch.NextEventAsync())["type"]);

        server.Create("default", "three", Spec("three.example"));
        JsonObject live = await watch.NextEventAsync();
        Assert.Equal("three", (string?)live["object"]!["metadata"]!["name"]);
    }

    [Fact]
    public async Task Watch_from_zero_starts_with_synthetic_ADDED_events_for_the_current_state()
    {
        await using var server = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { BookmarkInterval = TimeSpan.FromMinutes(5) });
        using HttpClient client = server.CreateHttpClient();
        server.Create("default", "b", Spec("b.example"));
        server.Create("default", "a", Spec("a.example"));
        server.Create("default", "gone", Spec("gone.example"));
        server.Delete("default", "gone");

        await using (WatchStreamReader watch = await WatchStreamReader.OpenAsync(client, Watch("0")))
        {
            JsonObject a = await watch.NextEventAsync();
            JsonObject b = await watch.NextEventAsync();
            Assert.Equal(["ADDED", "ADDED"], new[] { a, b }.Select(e => (string?)e["type"]));
            Assert.Equal(["a", "b"], new[] { a, b }.Select(e => (string?)e["object"]!["metadata"]!["name"]));
            Assert.True(await watch.IsSilentForAsync(TimeSpan.FromMilliseconds(300)));
            server.Create("default", "c", Spec("c.example"));
            Assert.Equal("c", (string?)(await watch.NextEventAsync())["object"]!["metadata"]!["name"]);
        }

        // sendInitialEvents: the initial state ends with a bookmark annotated k8s.io/initial-events-end.
        string current = server.CurrentResourceVersion;
        await using WatchStreamReader streaming = await WatchStreamReader.OpenAsync(client, $"{AllV1}?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan");
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("ADDED", (string?)(await streaming.ReadEventAsync())!["type"]);
        }

        JsonObject end = (await streaming.ReadEventAsync())!;
        Assert.Equal("BOOKMARK", (string?)end["type"]);
        Assert.Equal(current, (string?)end["object"]!["metadata"]!["resourceVersion"]);
        Assert.Equal("true", (string?)end["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"]);
    }

    [Fact]
    public async Task Namespaced_watch_sees_only_that_namespace()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        server.Create("a", "before", Spec("before.a"));
        server.Create("b", "before", Spec("before.b"));

        await using WatchStreamReader fromZero = await WatchStreamReader.OpenAsync(client, V1 + "/namespaces/a/serviceentries?watch=1&resourceVersion=0");
        await using WatchStreamReader live = await WatchStreamReader.OpenAsync(client, V1 + "/namespaces/a/serviceentries?watch=1&resourceVersion=" + server.CurrentResourceVersion);
        await server.WaitForOpenWatchesAsync(2);
        Assert.Equal("a", (string?)(await fromZero.NextEventAsync())["object"]!["metadata"]!["namespace"]);

        server.Create("b", "x", Spec("x.b"));
        server.Create("a", "x", Spec("x.a"));
        server.Delete("b", "before");
        server.Delete("a", "before");

        foreach (WatchStreamReader watch in new[] { fromZero, live })
        {
            JsonObject added = await watch.NextEventAsync();
            JsonObject deleted = await watch.NextEventAsync();
            Assert.Equal(("ADDED", "a", "x"), ((string?)added["type"], (string?)added["object"]!["metadata"]!["namespace"], (string?)added["object"]!["metadata"]!["name"]));
            Assert.Equal(("DELETED", "a", "before"), ((string?)deleted["type"], (string?)deleted["object"]!["metadata"]!["namespace"], (string?)deleted["object"]!["metadata"]!["name"]));
        }
    }

    [Fact]
    public async Task Bookmarks_arrive_when_allowed_and_carry_the_latest_resourceVersion()
    {
        await using var server = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        using HttpClient client = server.CreateHttpClient();
        server.Create("default", "se", Spec("a.example"));

        await using WatchStreamReader watch = await WatchStreamReader.OpenAsync(client, V1 + "/namespaces/default/serviceentries?watch=1&allowWatchBookmarks=true&resourceVersion=" + server.CurrentResourceVersion);
        JsonObject bookmark = (await watch.ReadEventAsync())!;
        Assert.Equal("BOOKMARK", (string?)bookmark["type"]);
        JsonObject o = bookmark["object"]!.AsObject();
        Assert.Equal(["apiVersion", "kind", "metadata"], o.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("ServiceEntry", (string?)o["kind"]);
        Assert.Equal("networking.istio.io/v1", (string?)o["apiVersion"]);
        Assert.Equal(["resourceVersion"], o["metadata"]!.AsObject().Select(p => p.Key));
        Assert.Equal(server.CurrentResourceVersion, (string?)o["metadata"]!["resourceVersion"]);

        // Writes in other namespaces send no event to this watch, but move its bookmarks forward.
        string later = server.Create("other", "se", Spec("b.example"));
        string? seen = null;
        for (int i = 0; i < 20 && seen != later; i++)
        {
            seen = (string?)(await watch.ReadEventAsync())!["object"]!["metadata"]!["resourceVersion"];
        }

        Assert.Equal(later, seen);

        string mine = server.Create("default", "se-2", Spec("c.example"));
        JsonObject added = await watch.NextEventAsync();
        Assert.Equal(mine, (string?)added["object"]!["metadata"]!["resourceVersion"]);
        Assert.True(long.Parse(mine, CultureInfo.InvariantCulture) > long.Parse(later, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task No_bookmarks_unless_allowed()
    {
        await using var server = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { BookmarkInterval = TimeSpan.FromMilliseconds(50) });
        using HttpClient client = server.CreateHttpClient();
        await using WatchStreamReader watch = await WatchStreamReader.OpenAsync(client, Watch(server.CurrentResourceVersion, "&allowWatchBookmarks=false"));
        Assert.True(await watch.IsSilentForAsync(TimeSpan.FromMilliseconds(500)));
        server.Create("default", "se", Spec("a.example"));
        Assert.Equal("ADDED", (string?)(await watch.ReadEventAsync())!["type"]);
    }

    [Fact]
    public async Task Watch_ends_gracefully_after_timeoutSeconds()
    {
        await using var server = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { BookmarkInterval = TimeSpan.FromMilliseconds(300) });
        using HttpClient client = server.CreateHttpClient();
        var clock = Stopwatch.StartNew();
        await using WatchStreamReader watch = await WatchStreamReader.OpenAsync(client, Watch(server.CurrentResourceVersion, "&timeoutSeconds=1&allowWatchBookmarks=true"));
        (WatchStreamEnd end, IReadOnlyList<string> lines) = await watch.ReadToEndAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(WatchStreamEnd.Graceful, end);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(15));
        Assert.All(lines, l => Assert.Contains("BOOKMARK", l, StringComparison.Ordinal));
        await FakeKubeApiServer.WaitUntilAsync(() => server.OpenWatches == 0, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Disposing_the_server_ends_open_watches()
    {
        var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        await using WatchStreamReader watch = await WatchStreamReader.OpenAsync(client, Watch(server.CurrentResourceVersion));
        await server.WaitForOpenWatchesAsync(1);
        await server.DisposeAsync();
        (WatchStreamEnd end, _) = await watch.ReadToEndAsync();
        Assert.Equal(WatchStreamEnd.Graceful, end);
    }

    // ------------------------------------------------------------------------------------------------
    // Compaction
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Watch_from_a_compacted_resourceVersion_gets_one_410_ERROR_event_then_the_end()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        string old = server.Create("default", "one", Spec("one.example"));
        server.Create("default", "two", Spec("two.example"));

        await using WatchStreamReader open = await WatchStreamReader.OpenAsync(client, Watch(old));
        Assert.Equal("two", (string?)(await open.NextEventAsync())["object"]!["metadata"]!["name"]);

        server.Compact();

        await using (WatchStreamReader stale = await WatchStreamReader.OpenAsync(client, Watch(old)))
        {
            Assert.Equal(HttpStatusCode.OK, stale.Response.StatusCode);
            (WatchStreamEnd end, IReadOnlyList<string> lines) = await stale.ReadToEndAsync();
            Assert.Equal(WatchStreamEnd.Graceful, end);
            JsonObject error = JsonNode.Parse(Assert.Single(lines))!.AsObject();
            Assert.Equal("ERROR", (string?)error["type"]);
            AssertStatus(error["object"]!.AsObject(), 410, "Expired");
            Assert.Contains("too old resource version", (string?)error["object"]!["message"], StringComparison.Ordinal);
        }

        // The switch to a plain HTTP 410.
        server.ExpiredWatchesAsHttpStatus(true);
        AssertStatus(await GetJsonAsync(client, Watch(old), HttpStatusCode.Gone), 410, "Expired");
        server.ExpiredWatchesAsHttpStatus(false);

        // From the compaction point on, watching works; the watch open across the compaction keeps going.
        await using WatchStreamReader fresh = await WatchStreamReader.OpenAsync(client, Watch(server.CurrentResourceVersion));
        await server.WaitForOpenWatchesAsync(2);
        server.Create("default", "three", Spec("three.example"));
        Assert.Equal("three", (string?)(await fresh.NextEventAsync())["object"]!["metadata"]!["name"]);
        Assert.Equal("three", (string?)(await open.NextEventAsync())["object"]!["metadata"]!["name"]);
    }

    [Fact]
    public async Task Continue_token_of_a_compacted_snapshot_gets_410()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        for (int i = 1; i <= 3; i++)
        {
            server.Create("default", $"se-{i}", Spec($"h{i}.example"));
        }

        string token = (string)(await GetJsonAsync(client, AllV1 + "?limit=1"))["metadata"]!["continue"]!;
        server.Compact(); // nothing written since the snapshot: still servable
        Assert.Single(Names(await GetJsonAsync(client, AllV1 + "?limit=1&continue=" + Uri.EscapeDataString(token))));

        server.Create("default", "se-4", Spec("h4.example"));
        server.Compact();
        JsonObject status = await GetJsonAsync(client, AllV1 + "?limit=1&continue=" + Uri.EscapeDataString(token), HttpStatusCode.Gone);
        AssertStatus(status, 410, "Expired");
    }

    [Fact]
    public async Task ExpireNextWatches_forces_410_whatever_the_resourceVersion()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        server.ExpireNextWatches(1);

        await using (WatchStreamReader expired = await WatchStreamReader.OpenAsync(client, Watch(server.CurrentResourceVersion)))
        {
            JsonObject error = (await expired.ReadEventAsync())!;
            Assert.Equal("ERROR", (string?)error["type"]);
            Assert.Equal(410, (int?)error["object"]!["code"]);
            Assert.Null(await expired.ReadEventAsync());
        }

        await using WatchStreamReader ok = await WatchStreamReader.OpenAsync(client, Watch(server.CurrentResourceVersion));
        await server.WaitForOpenWatchesAsync(1);
        server.Create("default", "se", Spec("a.example"));
        Assert.Equal("ADDED", (string?)(await ok.NextEventAsync())["type"]);
    }

    // ------------------------------------------------------------------------------------------------
    // Faults
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task DropWatchesAfterEvents_cuts_streams_after_n_events()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        string start = server.CurrentResourceVersion;
        server.DropWatchesAfterEvents(2);

        await using (WatchStreamReader watch = await WatchStreamReader.OpenAsync(client, Watch(start)))
        {
            await server.WaitForOpenWatchesAsync(1);
            for (int i = 1; i <= 3; i++)
            {
                server.Create("default", $"se-{i}", Spec($"h{i}.example"));
            }

            (WatchStreamEnd end, IReadOnlyList<string> lines) = await watch.ReadToEndAsync();
            Assert.Equal(WatchStreamEnd.Aborted, end);
            Assert.Equal(2, lines.Count);
            start = Rv(JsonNode.Parse(lines[^1])!["object"]).ToString(CultureInfo.InvariantCulture);
        }

        // Still on: the next watch is cut after its first 2 events as well (replayed ones count).
        server.Create("default", "se-4", Spec("h4.example"));
        await using (WatchStreamReader again = await WatchStreamReader.OpenAsync(client, Watch(start)))
        {
            (WatchStreamEnd end, IReadOnlyList<string> lines) = await again.ReadToEndAsync();
            Assert.Equal(WatchStreamEnd.Aborted, end);
            Assert.Equal(["se-3", "se-4"], lines.Select(l => (string?)JsonNode.Parse(l)!["object"]!["metadata"]!["name"]));
        }

        server.DropWatchesAfterEvents(-1);
        await using WatchStreamReader resumed = await WatchStreamReader.OpenAsync(client, Watch(start));
        Assert.Equal("se-3", (string?)(await resumed.NextEventAsync())["object"]!["metadata"]!["name"]);
        Assert.Equal("se-4", (string?)(await resumed.NextEventAsync())["object"]!["metadata"]!["name"]);
        Assert.True(await resumed.IsSilentForAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task DropAllWatches_aborts_every_open_watch_now()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        await using WatchStreamReader first = await WatchStreamReader.OpenAsync(client, Watch(server.CurrentResourceVersion));
        await using WatchStreamReader second = await WatchStreamReader.OpenAsync(client, V1 + "/namespaces/x/serviceentries?watch=1&resourceVersion=0");
        await server.WaitForOpenWatchesAsync(2);

        server.DropAllWatches();

        Assert.Equal(WatchStreamEnd.Aborted, (await first.ReadToEndAsync()).End);
        Assert.Equal(WatchStreamEnd.Aborted, (await second.ReadToEndAsync()).End);
        await FakeKubeApiServer.WaitUntilAsync(() => server.OpenWatches == 0, TimeSpan.FromSeconds(10));

        await using WatchStreamReader third = await WatchStreamReader.OpenAsync(client, Watch(server.CurrentResourceVersion));
        await server.WaitForOpenWatchesAsync(1);
        server.Create("default", "se", Spec("a.example"));
        Assert.Equal("ADDED", (string?)(await third.NextEventAsync())["type"]);
        Assert.Equal(3, server.WatchRequests);
    }

    [Fact]
    public async Task StallWatches_keeps_streams_open_and_silent_until_released()
    {
        await using var server = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100) });
        using HttpClient client = server.CreateHttpClient();
        await using WatchStreamReader watch = await WatchStreamReader.OpenAsync(client, Watch(server.CurrentResourceVersion, "&allowWatchBookmarks=true&timeoutSeconds=2"));
        await watch.NextBookmarkAsync();

        server.StallWatches(true);
        for (int i = 0; i < 50 && !await watch.IsSilentForAsync(TimeSpan.FromMilliseconds(400)); i++)
        {
            await watch.ReadLineAsync(); // a line already in flight when the stall began
        }

        server.Create("default", "se", Spec("a.example"));
        await using WatchStreamReader newcomer = await WatchStreamReader.OpenAsync(client, Watch("0", "&allowWatchBookmarks=true"));
        Assert.Equal(HttpStatusCode.OK, newcomer.Response.StatusCode);

        // No events, no bookmarks, and no end either, although timeoutSeconds=2 has passed.
        Assert.True(await watch.IsSilentForAsync(TimeSpan.FromMilliseconds(2500)));
        Assert.True(await newcomer.IsSilentForAsync(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(2, server.OpenWatches);

        server.StallWatches(false);
        Assert.Equal("se", (string?)(await watch.NextEventAsync())["object"]!["metadata"]!["name"]);
        Assert.Equal("se", (string?)(await newcomer.NextEventAsync())["object"]!["metadata"]!["name"]);
        Assert.Equal(WatchStreamEnd.Graceful, (await watch.ReadToEndAsync()).End);
    }

    [Fact]
    public async Task FailNextRequests_answers_status_errors_then_recovers()
    {
        await using var server = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "t" });
        using HttpClient client = server.CreateHttpClient();

        server.FailNextRequests(2, 503);
        for (int i = 0; i < 2; i++)
        {
            using HttpResponseMessage failed = await client.GetAsync(AllV1);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), failed.Headers.RetryAfter?.Delta);
            AssertStatus(JsonNode.Parse(await failed.Content.ReadAsStringAsync())!.AsObject(), 503, "ServiceUnavailable");
        }

        await GetJsonAsync(client, AllV1);

        server.FailNextRequests(1, 500);
        AssertStatus(await GetJsonAsync(client, "apis", HttpStatusCode.InternalServerError), 500, "InternalError");
        await GetJsonAsync(client, "apis");

        // Only watches: lists pass, the next watch fails, the one after streams.
        server.FailNextRequests(1, 429, FakeRequestKind.Watch);
        await GetJsonAsync(client, AllV1);
        AssertStatus(await GetJsonAsync(client, Watch(server.CurrentResourceVersion), HttpStatusCode.TooManyRequests), 429, "TooManyRequests");
        await using WatchStreamReader watch = await WatchStreamReader.OpenAsync(client, Watch(server.CurrentResourceVersion));
        Assert.Equal(HttpStatusCode.OK, watch.Response.StatusCode);

        Assert.Equal(4, server.ListRequests);
        Assert.Equal(2, server.WatchRequests);
        Assert.Equal([503, 503, 200, 500, 200, 200, 429, 200], server.RequestLog.Select(e => e.StatusCode));
    }

    [Fact]
    public async Task MalformedNextEvent_writes_the_raw_line_before_the_next_event()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        await using WatchStreamReader watch = await WatchStreamReader.OpenAsync(client, Watch(server.CurrentResourceVersion));
        await server.WaitForOpenWatchesAsync(1);

        const string Truncated = """{"type":"ADDED","object":{""";
        const string WrongShape = """{"type":"ADDED","object":{"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"name":"x","namespace":"default","resourceVersion":"5"},"spec":{"hosts":"not-a-list"}}}""";
        server.MalformedNextEvent(Truncated);
        server.MalformedNextEvent(WrongShape);
        server.Create("default", "se", Spec("a.example"));

        Assert.Equal(Truncated, await watch.ReadLineAsync());
        Assert.Equal(WrongShape, await watch.ReadLineAsync());
        JsonObject added = (await watch.ReadEventAsync())!;
        Assert.Equal("se", (string?)added["object"]!["metadata"]!["name"]);
    }

    [Fact]
    public async Task DelayResponses_delays_every_response_until_turned_off()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        server.DelayResponses(TimeSpan.FromMilliseconds(400));
        var clock = Stopwatch.StartNew();
        await GetJsonAsync(client, AllV1);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(350), $"took {clock.Elapsed}");

        server.DelayResponses(TimeSpan.Zero);
        await GetJsonAsync(client, AllV1);
    }

    [Fact]
    public async Task ResetFaults_turns_every_switch_off()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using HttpClient client = server.CreateHttpClient();
        server.FailNextRequests(5, 500);
        server.DropWatchesAfterEvents(0);
        server.StallWatches(true);
        server.ExpireNextWatches(3);
        server.MalformedNextEvent("junk");
        server.ResetFaults();

        await GetJsonAsync(client, AllV1);
        await using WatchStreamReader watch = await WatchStreamReader.OpenAsync(client, Watch(server.CurrentResourceVersion));
        await server.WaitForOpenWatchesAsync(1);
        server.Create("default", "se", Spec("a.example"));
        Assert.Equal("ADDED", (string?)(await watch.ReadEventAsync())!["type"]);
    }

    // ------------------------------------------------------------------------------------------------
    // TLS and kubeconfig
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Tls_serves_a_certificate_issued_by_the_exposed_CA()
    {
        await using var server = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { UseTls = true, Token = "t" });
        Assert.Equal("https", server.BaseUri.Scheme);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", server.CaCertificatePem, StringComparison.Ordinal);

        using HttpClient trusting = server.CreateHttpClient();
        Assert.Equal("ServiceEntryList", (string?)(await GetJsonAsync(trusting, AllV1))["kind"]);
        await using (WatchStreamReader watch = await WatchStreamReader.OpenAsync(trusting, Watch(server.CurrentResourceVersion)))
        {
            await server.WaitForOpenWatchesAsync(1);
            server.Create("default", "se", Spec("a.example"));
            Assert.Equal("ADDED", (string?)(await watch.NextEventAsync())["type"]);
        }

        // HTTP/2 (as negotiated by ALPN) streams watches too, and a dropped watch is a reset stream.
        using HttpClient http2 = server.CreateHttpClient();
        http2.DefaultRequestVersion = HttpVersion.Version20;
        http2.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        await using (WatchStreamReader watch = await WatchStreamReader.OpenAsync(http2, Watch(server.CurrentResourceVersion)))
        {
            Assert.Equal(HttpVersion.Version20, watch.Response.Version);
            await server.WaitForOpenWatchesAsync(1);
            server.Update("default", "se", Spec("b.example"));
            Assert.Equal("MODIFIED", (string?)(await watch.NextEventAsync())["type"]);
            server.DropAllWatches();
            Assert.Equal(WatchStreamEnd.Aborted, (await watch.ReadToEndAsync()).End);
        }

        using var untrusting = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(AllV1));
    }

    [Fact]
    public void Kubeconfig_is_valid_yaml_with_cluster_user_and_context()
    {
        const string Pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        string yaml = KubeconfigWriter.Render(new Uri("https://127.0.0.1:6443/"), "to\"ken\\x", Pem, contextName: "kind", ns: "istio-system");

        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        string Scalar(YamlNode node, params string[] path)
        {
            foreach (string key in path)
            {
                node = node is YamlSequenceNode sequence ? sequence[int.Parse(key, CultureInfo.InvariantCulture)] : ((YamlMappingNode)node)[key];
            }

            return ((YamlScalarNode)node).Value!;
        }

        Assert.Equal("v1", Scalar(root, "apiVersion"));
        Assert.Equal("Config", Scalar(root, "kind"));
        Assert.Equal("kind", Scalar(root, "current-context"));
        Assert.Equal("kind", Scalar(root, "contexts", "0", "name"));
        string clusterName = Scalar(root, "contexts", "0", "context", "cluster");
        string userName = Scalar(root, "contexts", "0", "context", "user");
        Assert.Equal("istio-system", Scalar(root, "contexts", "0", "context", "namespace"));
        Assert.Equal(clusterName, Scalar(root, "clusters", "0", "name"));
        Assert.Equal(userName, Scalar(root, "users", "0", "name"));
        Assert.Equal("https://127.0.0.1:6443", Scalar(root, "clusters", "0", "cluster", "server"));
        Assert.Equal(Pem, Encoding.ASCII.GetString(Convert.FromBase64String(Scalar(root, "clusters", "0", "cluster", "certificate-authority-data"))));
        Assert.Equal("to\"ken\\x", Scalar(root, "users", "0", "user", "token"));

        string insecure = KubeconfigWriter.Render(new Uri("http://127.0.0.1:1234"), null, insecureSkipTlsVerify: true);
        Assert.Contains("insecure-skip-tls-verify: true", insecure, StringComparison.Ordinal);
        Assert.Contains("user: {}", insecure, StringComparison.Ordinal);
        Assert.DoesNotContain("namespace", insecure, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => KubeconfigWriter.Render(new Uri("https://x"), "t", Pem, insecureSkipTlsVerify: true));
    }

    [Fact]
    public async Task WriteKubeconfig_writes_the_servers_url_token_and_CA()
    {
        await using var server = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { UseTls = true, Token = "abc" });
        string path = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}.yaml");
        try
        {
            server.WriteKubeconfig(path, ns: "default");
            string yaml = await File.ReadAllTextAsync(path);
            Assert.Contains($"server: \"{server.BaseUri.GetLeftPart(UriPartial.Authority)}\"", yaml, StringComparison.Ordinal);
            Assert.Contains("token: \"abc\"", yaml, StringComparison.Ordinal);
            Assert.Contains("certificate-authority-data: " + Convert.ToBase64String(Encoding.ASCII.GetBytes(server.CaCertificatePem!)), yaml, StringComparison.Ordinal);

            // The client library MeshDns reads kubeconfigs with follows the context to the cluster and user.
            k8s.KubernetesClientConfiguration config = k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
            Assert.Equal(server.BaseUri.GetLeftPart(UriPartial.Authority), config.Host.TrimEnd('/'));
            Assert.Equal("abc", config.AccessToken);
            Assert.Equal("default", config.Namespace);
            Assert.False(config.SkipTlsVerify);
            Assert.Equal(server.CaCertificate!.Thumbprint, Assert.Single(config.SslCaCerts).Thumbprint);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
