using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MeshDns.Kubernetes.Tests.ApiServer;

// dotnet run -c Release --project bench/MeshDns.PropagationBench -- [entries] [updates]   (MESHDNS_BINARY: the server)
int entries = args.Length > 0 ? int.Parse(args[0]) : 10_000;
int updates = args.Length > 1 ? int.Parse(args[1]) : 200;
string binary = Environment.GetEnvironmentVariable("MESHDNS_BINARY") ?? "out/meshdns";

await using FakeKubeApiServer api = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "bench" });
static JsonObject Spec(int i, int generation) => new()
{
    ["hosts"] = new JsonArray($"svc{i}.bench.global"),
    ["addresses"] = new JsonArray(Address(i, generation)),
    ["resolution"] = "STATIC",
};
static string Address(int i, int generation) => $"{10 + generation}.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}";

for (int i = 0; i < entries; i++)
{
    api.Create($"ns{i % 20}", $"se{i}", Spec(i, 0));
}

string kubeconfig = Path.Combine(Path.GetTempPath(), $"meshdns-bench-{Environment.ProcessId}.kubeconfig");
api.WriteKubeconfig(kubeconfig);
int port = FreePort();
var lines = new List<string>();
var clock = Stopwatch.StartNew();
using var server = Process.Start(new ProcessStartInfo(binary, ["--kubeconfig", kubeconfig, "--dns-listen", $"127.0.0.1:{port}", "--zone", "bench.global"])
{
    RedirectStandardOutput = true,
    RedirectStandardError = true,
})!;
server.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (lines) { lines.Add(e.Data); } } };
server.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (lines) { lines.Add(e.Data); } } };
server.BeginOutputReadLine();
server.BeginErrorReadLine();

using var udp = new UdpClient(AddressFamily.InterNetwork);
udp.Connect(IPAddress.Loopback, port);
udp.Client.ReceiveTimeout = 50;
ushort id = 0;
string? Ask(string name)
{
    var q = new List<byte> { (byte)(++id >> 8), (byte)id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
    foreach (string label in name.Split('.'))
    {
        q.Add((byte)label.Length);
        q.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
    }

    q.AddRange([0, 0, 1, 0, 1]);
    try
    {
        udp.Send([.. q]);
        IPEndPoint? from = null;
        byte[] r;
        do
        {
            r = udp.Receive(ref from);
        }
        while (r.Length >= 2 && ((r[0] << 8) | r[1]) != id); // skip late answers to earlier polls
        return (r[3] & 0xF) == 0 && r.Length >= 4 && ((r[6] << 8) | r[7]) > 0 ? $"{r[^4]}.{r[^3]}.{r[^2]}.{r[^1]}" : null;
    }
    catch (SocketException)
    {
        return null;
    }
}

string last = $"svc{entries - 1}.bench.global";
while (Ask(last) != Address(entries - 1, 0))
{
    if (clock.Elapsed > TimeSpan.FromMinutes(3) || server.HasExited)
    {
        throw new InvalidOperationException("meshdns did not sync:\n" + string.Join('\n', lines));
    }

    Thread.Sleep(5);
}

double syncMs = clock.Elapsed.TotalMilliseconds;
Thread.Sleep(1000);
long rss = long.Parse(Regex.Match(File.ReadAllText($"/proc/{server.Id}/status"), @"VmRSS:\s+(\d+)").Groups[1].Value) / 1024;
string? build;
lock (lines)
{
    build = lines.Select(l => Regex.Match(l, @"table built in ([\d.]+) ms")).Where(m => m.Success).Select(m => m.Groups[1].Value).FirstOrDefault();
}

var latencies = new List<double>();
var random = new Random(42);
for (int u = 1; u <= updates; u++)
{
    int i = random.Next(entries);
    string expected = Address(i, u % 200 + 1);
    string name = $"svc{i}.bench.global";
    Thread.Sleep(20 + random.Next(30)); // changes arrive one by one, not in a burst
    var watch = Stopwatch.StartNew();
    api.Update($"ns{i % 20}", $"se{i}", new JsonObject
    {
        ["hosts"] = new JsonArray(name),
        ["addresses"] = new JsonArray(expected),
        ["resolution"] = "STATIC",
    });
    while (Ask(name) != expected)
    {
        if (watch.Elapsed > TimeSpan.FromSeconds(10))
        {
            throw new InvalidOperationException($"update {u} not seen in 10 s");
        }
    }

    latencies.Add(watch.Elapsed.TotalMilliseconds);
}

// A burst: 1000 changes written as fast as the API takes them; count the rebuilds they cost.
int rebuildsBefore;
lock (lines)
{
    rebuildsBefore = lines.Count(l => l.Contains("table built in", StringComparison.Ordinal));
}

var burst = Stopwatch.StartNew();
for (int b = 0; b < 1000; b++)
{
    int i = (b * 7919) % entries;
    api.Update($"ns{i % 20}", $"se{i}", Spec(i, 240));
}

double burstWrite = burst.Elapsed.TotalMilliseconds;
int lastBurst = (999 * 7919) % entries;
while (Ask($"svc{lastBurst}.bench.global") != Address(lastBurst, 240))
{
    Thread.Sleep(1);
}

double burstDone = burst.Elapsed.TotalMilliseconds;
Thread.Sleep(1000);
int burstRebuilds;
lock (lines)
{
    burstRebuilds = lines.Count(l => l.Contains("table built in", StringComparison.Ordinal)) - rebuildsBefore;
}

Console.Error.WriteLine($"burst: 1000 changes written in {burstWrite:0} ms, all answered after {burstDone:0} ms, {burstRebuilds} rebuilds");

long rssAfter = long.Parse(Regex.Match(File.ReadAllText($"/proc/{server.Id}/status"), @"VmRSS:\s+(\d+)").Groups[1].Value) / 1024;
server.Kill();
latencies.Sort();
double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
List<double> builds;
lock (lines)
{
    builds = lines.Select(l => Regex.Match(l, @"table built in ([\d.]+) ms")).Where(m => m.Success).Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Skip(1).Order().ToList();
}

Console.Error.WriteLine($"rebuilds after sync: {builds.Count}, build ms p50 {(builds.Count > 0 ? builds[builds.Count / 2] : 0):0.0} max {(builds.Count > 0 ? builds[^1] : 0):0.0}");
Console.WriteLine($"| {entries} | {syncMs:0} ms | {build ?? "?"} ms | {rss} MiB | {rssAfter} MiB | {P(0.5):0.0} ms | {P(0.9):0.0} ms | {P(0.99):0.0} ms | {latencies[^1]:0.0} ms |");

static int FreePort()
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
}
