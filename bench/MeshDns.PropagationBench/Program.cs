using System.Diagnostics;
using System.Text.Json.Nodes;
using MeshDns.Kubernetes.Tests.ApiServer;

// dotnet run -c Release --project bench/MeshDns.PropagationBench -- [kubernetes|remote|files] [entries] [changes]   (MESHDNS_BINARY: the server)
// Starts meshdns on N ServiceEntries (the test suite's Kubernetes API server, or one YAML file), times exec → the first right
// answer for the last entry, then makes single changes 20–50 ms apart and times each from the write to the new answer.
// "remote": two API servers given as two --kubeconfig (local and remote cluster), the entries split between them, every
// change made in the remote one.
// Prints one table row; mode "header" prints the table's header (BENCH_LABEL set: with a first column for it).
string mode = args.Length > 0 && !char.IsDigit(args[0][0]) ? args[0] : "kubernetes";
string[] rest = mode == args.FirstOrDefault() ? args[1..] : args;
int entries = rest.Length > 0 ? int.Parse(rest[0]) : 10_000;
int changes = rest.Length > 1 ? int.Parse(rest[1]) : 200;
string binary = Environment.GetEnvironmentVariable("MESHDNS_BINARY") ?? "out/meshdns";
if (mode == "header")
{
    Console.WriteLine(Figures.Header);
    return;
}

Figures figures = mode switch
{
    "kubernetes" => await Runs.Kubernetes(binary, entries, changes),
    "remote" => await Runs.Remote(binary, entries, changes),
    "files" => Runs.Files(binary, entries, changes),
    _ => throw new ArgumentException($"unknown mode {mode}: kubernetes, remote or files"),
};
Console.WriteLine(figures);

internal static class Runs
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private static string Address(int i, int generation) => $"{10 + generation}.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}";

    /// <summary>Entry i: host svc&lt;i&gt;.bench.global, or every tenth a wildcard *.w&lt;i&gt;.bench.global.</summary>
    private static string Host(int i) => i % 10 == 9 ? $"*.w{i}.bench.global" : $"svc{i}.bench.global";

    private static string Query(int i) => Host(i).Replace("*", "x", StringComparison.Ordinal);

    private static JsonObject Spec(int i, int generation) => new()
    {
        ["hosts"] = new JsonArray(Host(i)),
        ["addresses"] = new JsonArray(Address(i, generation)),
        ["resolution"] = "STATIC",
    };

    public static async Task<Figures> Kubernetes(string binary, int entries, int changes)
    {
        await using FakeKubeApiServer api = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "bench" });
        for (int i = 0; i < entries; i++)
        {
            api.Create($"ns{i % 20}", $"se{i}", Spec(i, 0));
        }

        string kubeconfig = Path.Combine(Path.GetTempPath(), $"meshdns-bench-{Environment.ProcessId}.kubeconfig");
        api.WriteKubeconfig(kubeconfig);
        return Measure("kubernetes", binary, ["--kubeconfig", kubeconfig, "--zone", "bench.global"], entries, changes, (u, random) =>
        {
            int i = random.Next(entries);
            return (Query(i), Address(i, u % 200 + 1), () => api.Update($"ns{i % 20}", $"se{i}", Spec(i, u % 200 + 1)));
        }, server => Burst(api, server, entries));
    }

    /// <summary>Two clusters: odd entries in the remote one (the last entry too, for an even N: the start waits for both),
    /// even ones in the local one; each change updates an entry of the remote cluster.</summary>
    public static async Task<Figures> Remote(string binary, int entries, int changes)
    {
        await using FakeKubeApiServer local = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "bench-local" });
        await using FakeKubeApiServer remote = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "bench-remote" });
        for (int i = 0; i < entries; i++)
        {
            (i % 2 == 1 ? remote : local).Create($"ns{i % 20}", $"se{i}", Spec(i, 0));
        }

        string localConfig = Path.Combine(Path.GetTempPath(), $"meshdns-bench-{Environment.ProcessId}-local.kubeconfig");
        string remoteConfig = Path.Combine(Path.GetTempPath(), $"meshdns-bench-{Environment.ProcessId}-remote.kubeconfig");
        local.WriteKubeconfig(localConfig);
        remote.WriteKubeconfig(remoteConfig);
        return Measure("kubernetes, remote cluster", binary, ["--kubeconfig", $"local={localConfig}", "--kubeconfig", $"remote={remoteConfig}", "--zone", "bench.global"], entries, changes, (u, random) =>
        {
            int i = (random.Next(entries / 2) * 2) + 1;
            return (Query(i), Address(i, u % 200 + 1), () => remote.Update($"ns{i % 20}", $"se{i}", Spec(i, u % 200 + 1)));
        });
    }

    /// <summary>Starts meshdns, times exec → the last entry's answer, then each change from its write to its answer.
    /// <paramref name="change"/> gives change u: the name to ask, the address it must answer, and the write.</summary>
    private static Figures Measure(string source, string binary, string[] args, int entries, int changes,
        Func<int, Random, (string Name, string Expected, Action Write)> change, Action<Server>? after = null)
    {
        var clock = Stopwatch.StartNew();
        using var server = new Server(binary, args);
        server.WaitFor(Query(entries - 1), Address(entries - 1, 0), Limit, pause: 5);
        double startMs = clock.Elapsed.TotalMilliseconds, startCpu = server.CpuMs;
        Thread.Sleep(1000);
        long rss = server.RssMiB;
        string split = server.RssSplit();
        var random = new Random(42);
        var latencies = new List<double>();
        for (int u = 1; u <= changes; u++)
        {
            (string name, string expected, Action write) = change(u, random);
            Thread.Sleep(20 + random.Next(30)); // changes arrive one by one, not in a burst
            var watch = Stopwatch.StartNew();
            write();
            server.WaitFor(name, expected, TimeSpan.FromSeconds(10));
            latencies.Add(watch.Elapsed.TotalMilliseconds);
        }

        after?.Invoke(server);
        return new Figures(source, entries, startMs, startCpu, server.Builds().FirstOrDefault(), rss, split, server.RssMiB, latencies);
    }

    /// <summary>1000 changes written as fast as the API takes them: how long until all are answered, and the tables they cost.</summary>
    private static void Burst(FakeKubeApiServer api, Server server, int entries)
    {
        int tablesBefore = server.Builds().Count;
        var burst = Stopwatch.StartNew();
        for (int b = 0; b < 1000; b++)
        {
            int i = (b * 7919) % entries;
            api.Update($"ns{i % 20}", $"se{i}", Spec(i, 240));
        }

        double written = burst.Elapsed.TotalMilliseconds;
        int last = (999 * 7919) % entries;
        server.WaitFor(Query(last), Address(last, 240), Limit);
        double answered = burst.Elapsed.TotalMilliseconds;
        Thread.Sleep(1000);
        Console.Error.WriteLine($"burst: 1000 changes written in {written:0} ms, all answered after {answered:0} ms, {server.Builds().Count - tablesBefore} tables");
    }

    /// <summary>N entries in one big file of a watched directory; the changes rewrite a small second file (atomic rename)
    /// whose 10 entries take turns changing address, as an operator editing one file among many would.</summary>
    public static Figures Files(string binary, int entries, int changes)
    {
        string dir = Directory.CreateTempSubdirectory("meshdns-bench-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "big.yaml"), string.Concat(Enumerable.Range(0, entries).Select(i => Yaml($"se{i}", Host(i), Address(i, 0)))));
            WriteSmall(dir, 0);
            foreach (string file in Directory.GetFiles(dir))
            {
                // Written well before the server starts, as a mounted ConfigMap is: a file written within the debounce time
                // (200 ms) would be waited for as one still being written.
                File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-1));
            }

            return Measure("files", binary, ["--from-file", dir, "--zone", "bench.global"], entries, changes,
                (u, _) => ($"c{u % 10}.bench.global", Address(u % 10, Generation(u % 10, u)), () => WriteSmall(dir, u)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Version <paramref name="u"/> of small.yaml: entry c&lt;u % 10&gt; at its generation-u address, the others as before.</summary>
    private static void WriteSmall(string dir, int u)
    {
        string text = string.Concat(Enumerable.Range(0, 10).Select(j => Yaml($"c{j}", $"c{j}.bench.global", Address(j, Generation(j, u)))));
        File.WriteAllText(Path.Combine(dir, ".small.tmp"), text);
        File.Move(Path.Combine(dir, ".small.tmp"), Path.Combine(dir, "small.yaml"), overwrite: true);
    }

    /// <summary>The address generation of entry j after change u: from the last change v ≤ u with v % 10 == j (0 before any).</summary>
    private static int Generation(int j, int u)
    {
        int v = u - ((((u - j) % 10) + 10) % 10);
        return v < 1 ? 0 : (v % 200) + 1;
    }

    private static string Yaml(string name, string host, string address) =>
        $"---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: {name}\n  namespace: bench\nspec:\n  hosts: [\"{host}\"]\n  addresses: [{address}]\n  resolution: STATIC\n";
}
