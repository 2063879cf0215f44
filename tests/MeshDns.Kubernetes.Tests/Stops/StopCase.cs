using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MeshDns.IntegrationTests;
using MeshDns.Kubernetes.Tests.ApiServer;

namespace MeshDns.Kubernetes.Tests.Stops;

/// <summary>Which ServiceEntry sources the process follows.</summary>
public enum StopSources
{
    File,
    Kubernetes,
    Both,
}

/// <summary>Where the process is when the signal arrives.</summary>
public enum StopStage
{
    /// <summary>Start-up not finished: a long first file load, or (Kubernetes only) the first output line.</summary>
    Starting,

    /// <summary>The API answers 503 to everything; nothing listed yet (not ready).</summary>
    BeforeFirstList,

    Synced,

    /// <summary>Synced, then every request fails with 503 and the watch is cut.</summary>
    Outage,

    /// <summary>Synced, the watch cut, the signal sent at once.</summary>
    DroppedWatch,

    /// <summary>Synced, then a 410 on the watch made it list again.</summary>
    AfterRelist,
}

/// <summary>
/// One run of the stop matrix: the published binary with its sources, brought to a stage, sent SIGTERM or
/// SIGINT. Asserts exit 0 within the lame duck + 5 s, no unhandled-exception text, and, when the stop
/// comes after start-up, a lame duck in which /readyz says 503 while DNS still answers.
/// </summary>
internal sealed class StopCase : IAsyncDisposable
{
    public const string Host = "stop.mesh.global";
    public const string Address = "10.9.8.7";

    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-stop-").FullName;
    private FakeKubeApiServer? _api;

    public static async Task RunAsync(StopSources sources, StopStage stage, string signal, TimeSpan lameduck)
    {
        await using var run = new StopCase();
        await run.ExecuteAsync(sources, stage, signal, lameduck);
    }

    private async Task ExecuteAsync(StopSources sources, StopStage stage, string signal, TimeSpan lameduck)
    {
        List<string> args = ["--lameduck", $"{(int)lameduck.TotalMilliseconds}ms"];
        if (sources != StopSources.Kubernetes)
        {
            args.AddRange(["--from-file", stage == StopStage.Starting ? BigFile.Path : WriteSmallFile()]);
            if (stage == StopStage.Starting)
            {
                args.AddRange(["--log-level", "debug"]); // "Watching DIR" comes before the first read, at debug level
            }
        }

        if (sources != StopSources.File)
        {
            args.AddRange(["--kubeconfig", await StartApiAsync(stage)]);
        }

        int dns = ServerProcess.FreePort();
        int http = ServerProcess.FreePort();
        args.AddRange(["--dns-listen", $"127.0.0.1:{dns}", "--http-listen", $"127.0.0.1:{http}"]);
        using ServerProcess server = ServerProcess.Start([.. args]);
        using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}"), Timeout = TimeSpan.FromSeconds(5) };
        await ReachAsync(server, stage, sources, dns);

        server.Signal(signal);
        if (stage != StopStage.Starting && lameduck > TimeSpan.Zero)
        {
            server.WaitForLine("lame duck", TimeSpan.FromSeconds(5));
            HttpResponseMessage ready = await probe.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("shutting down", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            DigResult answer = DigResult.Run(dns, ServedName(sources));
            Assert.Equal(stage == StopStage.BeforeFirstList ? "SERVFAIL" : "NOERROR", answer.Status); // still answering
        }

        int code = server.WaitForExit(lameduck + TimeSpan.FromSeconds(5));
        Assert.True(code == 0, $"exit {code} after SIG{signal} at {stage}:\n{server.Output}");
        Assert.DoesNotContain(server.Lines, l => l.Contains("Unhandled exception", StringComparison.Ordinal) || l.StartsWith("   at ", StringComparison.Ordinal));
        if (stage == StopStage.Starting && sources != StopSources.Kubernetes)
        {
            Assert.DoesNotContain(server.Lines, l => l.Contains("meshdns serving", StringComparison.Ordinal)); // it was stopped during the load
        }
    }

    private async Task<string> StartApiAsync(StopStage stage)
    {
        _api = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "stop-token", UseTls = true });
        _api.Create("mesh", "stop", new JsonObject
        {
            ["hosts"] = new JsonArray("kube." + Host),
            ["addresses"] = new JsonArray(Address),
            ["resolution"] = "STATIC",
        });
        if (stage == StopStage.BeforeFirstList)
        {
            _api.FailNextRequests(1_000_000, 503);
        }

        string kubeconfig = Path.Combine(_dir, "kubeconfig");
        _api.WriteKubeconfig(kubeconfig);
        return kubeconfig;
    }

    private async Task ReachAsync(ServerProcess server, StopStage stage, StopSources sources, int dns)
    {
        switch (stage)
        {
            case StopStage.Starting:
                server.WaitForLine(sources == StopSources.Kubernetes ? "" : "Watching", TimeSpan.FromSeconds(30));
                return;
            case StopStage.BeforeFirstList:
                server.WaitForLine("keeping the last good table", TimeSpan.FromSeconds(30));
                return;
        }

        server.WaitForLine("meshdns serving", TimeSpan.FromSeconds(30));
        await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(dns, ServedName(sources)).Data.SequenceEqual([Address]), TimeSpan.FromSeconds(20), "the first answer", TimeSpan.FromMilliseconds(100));
        if (_api is null || stage == StopStage.Synced)
        {
            return;
        }

        await _api.WaitForOpenWatchesAsync(1, TimeSpan.FromSeconds(20));
        switch (stage)
        {
            case StopStage.Outage:
                _api.FailNextRequests(1_000_000, 503);
                _api.DropAllWatches();
                server.WaitForLine("HTTP 503", TimeSpan.FromSeconds(20)); // the watch and its retries fail
                break;
            case StopStage.DroppedWatch:
                _api.DropAllWatches();
                break;
            case StopStage.AfterRelist:
                _api.ExpireNextWatches(1);
                _api.DropAllWatches();
                server.WaitForLine("listing again", TimeSpan.FromSeconds(20));
                await FakeKubeApiServer.WaitUntilAsync(() => server.Lines.Count(l => l.Contains("Listed ", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(20), "the second LIST");
                break;
        }
    }

    private static string ServedName(StopSources sources) => sources == StopSources.File ? Host : "kube." + Host;

    private string WriteSmallFile()
    {
        string path = Path.Combine(_dir, "entries.yaml");
        File.WriteAllText(path, BigFile.Entry("stop", Host, Address));
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        Directory.Delete(_dir, true);
    }

    /// <summary>A YAML file whose first load takes seconds (~30 MB, 100k entries), written once per test run.</summary>
    internal static class BigFile
    {
        private static readonly Lazy<string> Written = new(Write);

        public static string Path => Written.Value;

        public static string Entry(string name, string host, string address) =>
            $"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: {name}\n  namespace: mesh\nspec:\n  hosts: [\"{host}\"]\n  addresses: [\"{address}\"]\n  resolution: STATIC\n  location: MESH_INTERNAL\n  ports:\n  - number: 80\n    name: http\n    protocol: HTTP\n---\n";

        private static string Write()
        {
            string path = System.IO.Path.Combine(Directory.CreateTempSubdirectory("meshdns-stop-big-").FullName, "big.yaml");
            var text = new StringBuilder(32 * 1024 * 1024);
            for (int i = 0; i < 100_000; i++)
            {
                text.Append(Entry($"se{i}", $"h{i}.big.global", $"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"));
            }

            File.WriteAllText(path, text.ToString());
            return path;
        }
    }
}
