using System.Diagnostics;
using System.Text.Json;
using MeshDns.Models.Json;
using MeshDns.Sources.Files;
using MeshDns.Table;

// dotnet run -c Release --project bench/MeshDns.Footprint -- [--zone ZONE]... [entries...]   (default 1 1000 10000 100000)
// Loads N generated ServiceEntries (one YAML text, 90 % exact hosts, 10 % wildcards) the way the file source and the table
// do, then the same entries as Kubernetes List items the way the Kubernetes source decodes them, stage by stage, and prints
// per stage its time, the bytes it allocated, and the managed heap each structure keeps (measured after a full collection,
// with the earlier stages still alive, as they are in the server).
// --zone as the server's: no zone (the default) keeps a reverse name per served address, zones only those inside them.
string[] zones = [.. args.Where((a, i) => i > 0 && args[i - 1] == "--zone")];
string[] counts = [.. args.Where((a, i) => a != "--zone" && (i == 0 || args[i - 1] != "--zone"))];
int[] sizes = counts.Length > 0 ? [.. counts.Select(int.Parse)] : [1, 1000, 10_000, 100_000];
Stages.Options = new TableOptions { Zones = zones.Length > 0 ? zones : null };
Console.WriteLine("| entries | stage | time | allocated | kept afterwards | kept per entry |");
Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: |");
foreach (int n in sizes)
{
    Stages.Run(n);
    Stages.Json(n);
}

internal static class Stages
{
    public static TableOptions Options { get; set; } = new();

    public static void Run(int n)
    {
        string yaml = Generate(n);
        long baseline = Live();
        FileParseResult parsed = Measure(n, "YAML → entries (strings, lists, records)", () => ServiceEntryYaml.Parse(yaml, "bench.yaml"), ref baseline);
        var model = new TableModel(Options);
        TableBuildResult first = Measure(n, "entries → model and table", () =>
        {
            model.Replace("files", parsed.Entries);
            return model.Build();
        }, ref baseline, keep: first => first.Changes.Count); // the change list is dropped after logging, as the server does
        NameTable table = first.Table;
        first = null!;
        var random = new Random(2026);
        Measure(n, "200 single changes", () =>
        {
            for (int u = 0; u < 200; u++)
            {
                int i = random.Next(n);
                ServiceEntryInput old = parsed.Entries[i];
                model.Apply("files", [new(old.Id, old with { Addresses = [$"10.{u % 200}.0.{i % 250}"] })]);
                table = model.Build().Table;
            }

            return table;
        }, ref baseline);
        var dropped = new WeakReference(model);
        long withModel = Live();
        model = null!;
        long tableOnly = Live();
        Console.Error.WriteLine($"model collected: {!dropped.IsAlive}");
        Console.WriteLine($"| {n} | of which the model (dropping it frees) | | | {Bytes(withModel - tableOnly)} | {PerEntry(withModel - tableOnly, n)} |");
        GC.KeepAlive(table);
        GC.KeepAlive(parsed);
        GC.KeepAlive(yaml);
    }

    /// <summary>The Kubernetes source's decode: N List items (as the API serves them) checked and mapped to entries.</summary>
    public static void Json(int n)
    {
        using JsonDocument list = JsonDocument.Parse(GenerateJson(n));
        long baseline = Live();
        Measure(n, "JSON items → entries (Kubernetes decode)", () =>
        {
            var entries = new List<ServiceEntryInput>(n);
            foreach (JsonElement item in list.RootElement.GetProperty("items").EnumerateArray())
            {
                entries.Add(ServiceEntryJson.TryDecode(item, out ServiceEntryInput? entry, out _, out string? error)
                    ? entry : throw new InvalidDataException(error));
            }

            return entries;
        }, ref baseline);
    }

    private static T Measure<T>(int n, string stage, Func<T> work, ref long baseline, Func<T, int>? keep = null)
    {
        long total = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        T result = work();
        double ms = clock.Elapsed.TotalMilliseconds;
        long bytes = GC.GetTotalAllocatedBytes(precise: true) - total;
        keep?.Invoke(result);
        long live = Live();
        Console.WriteLine($"| {n} | {stage} | {ms:0.0} ms | {Bytes(bytes)} | {Bytes(live - baseline)} | {PerEntry(live - baseline, n)} |");
        baseline = live;
        return result;
    }

    private static long Live()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    private static string Bytes(long b) => b >= 10L << 20 ? $"{b / (1024.0 * 1024):0} MiB" : b >= 10 << 10 ? $"{b / 1024.0:0} KiB" : $"{b} B";

    private static string PerEntry(long b, int n) => $"{(double)b / n:0} B";

    /// <summary>The same entries as a Kubernetes List, each item with the metadata the API server adds.</summary>
    private static string GenerateJson(int n)
    {
        var text = new System.Text.StringBuilder("{\"kind\":\"ServiceEntryList\",\"items\":[");
        for (int i = 0; i < n; i++)
        {
            string host = i % 10 == 9 ? $"*.w{i}.bench.global" : $"h{i}.bench.global";
            text.Append(i == 0 ? "" : ",")
                .Append("{\"apiVersion\":\"networking.istio.io/v1\",\"kind\":\"ServiceEntry\",\"metadata\":{")
                .Append($"\"name\":\"e{i}\",\"namespace\":\"ns{i % 20}\",\"uid\":\"{Guid.NewGuid()}\",\"resourceVersion\":\"{i + 1}\",")
                .Append("\"generation\":1,\"creationTimestamp\":\"2026-11-30T00:00:00Z\"},")
                .Append($"\"spec\":{{\"hosts\":[\"{host}\"],\"addresses\":[\"240.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}\"],\"resolution\":\"STATIC\"}}}}");
        }

        return text.Append("]}").ToString();
    }

    /// <summary>As bench/startup.sh: entry i serves h&lt;i&gt;.bench.global (every tenth *.w&lt;i&gt;.bench.global) at one address.</summary>
    private static string Generate(int n)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < n; i++)
        {
            string host = i % 10 == 9 ? $"\"*.w{i}.bench.global\"" : $"h{i}.bench.global";
            text.Append($"---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: e{i}\n  namespace: bench\n")
                .Append($"spec:\n  hosts: [{host}]\n  addresses: [240.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}]\n  resolution: STATIC\n");
        }

        return text.ToString();
    }
}
