using System.Diagnostics;
using System.Globalization;
using System.Net;
using MeshDns.Kubernetes.Tests.ApiServer;
using MeshDns.Soak;

// The churn, TCP clients and answer checks of bench/soak.sh. In --work it writes files/ (the --from-file
// directory), kubeconfig, queries.txt (dnsperf), grpc-body.bin (h2load), then "ready" (what the script needs to know, key=value); once meshdns answers both
// stable hosts it writes "serving", runs --seconds, and prints key=value counters.
Dictionary<string, string> options = Options.Parse(args);
string work = options["work"];
IPEndPoint dns = IPEndPoint.Parse(options["dns"]);
var grpc = new Uri($"http://{options["grpc"]}/");
int seconds = int.Parse(options["seconds"], CultureInfo.InvariantCulture);
int seed = int.Parse(options.GetValueOrDefault("seed", "11"), CultureInfo.InvariantCulture);
int tcpQps = int.Parse(options.GetValueOrDefault("tcp-qps", "2000"), CultureInfo.InvariantCulture);
Console.WriteLine($"seed={seed}");

var tally = new Tally();
var random = new Random(seed);
await using FakeKubeApiServer api = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "soak" });
var kube = new KubeChurn(api, new Random(random.Next()), tally);
kube.Seed();
string files = Directory.CreateDirectory(Path.Combine(work, "files")).FullName;
var file = new FileChurn(files, tally);
file.Seed();
api.WriteKubeconfig(Path.Combine(work, "kubeconfig"));
string[] names = Load.Names();
Load.WriteQueries(Path.Combine(work, "queries.txt"), names, new Random(random.Next()));
File.WriteAllBytes(Path.Combine(work, "grpc-body.bin"), GrpcAsker.Frame(DnsMessage.Query(0x1234, Names.StableKubeHost)));
File.WriteAllLines(Path.Combine(work, "ready"),
[
    $"zone={Names.Zone}",
    $"grpc_path=/{GrpcAsker.QueryPath}",
    $"propagation_limit_s={PropagationCheck.Limit.TotalSeconds}",
]);

await using (var probe = new UdpAsker(dns, TimeSpan.FromMilliseconds(200)))
{
    var waiting = Stopwatch.StartNew();
    while (!await Load.AnswersStableAsync(probe))
    {
        if (waiting.Elapsed > TimeSpan.FromMinutes(2))
        {
            Console.Error.WriteLine("soak: meshdns did not answer both stable hosts within 2 minutes");
            return 1;
        }

        await Task.Delay(50);
    }
}

File.WriteAllText(Path.Combine(work, "serving"), "");
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
await using var udp = new UdpAsker(dns, TimeSpan.FromSeconds(1));
await using var tcp = new TcpAsker(dns, TimeSpan.FromSeconds(5), tally);
await using var h2 = new GrpcAsker(grpc, TimeSpan.FromSeconds(5), tally);
await using var propagationUdp = new UdpAsker(dns, TimeSpan.FromSeconds(1));
var propagation = new PropagationCheck(propagationUdp, kube, file, tally);
var clients = new TcpClients(dns, tally, new Random(random.Next()), names);
List<Task> running =
[
    kube.RunAsync(stop.Token),
    file.RunAsync(stop.Token),
    new StableCheck(udp, tally).RunAsync(stop.Token),
    new StableCheck(tcp, tally).RunAsync(stop.Token),
    new StableCheck(h2, tally).RunAsync(stop.Token),
    propagation.RunAsync(stop.Token),
    .. clients.Start(tcpQps, stop.Token),
];
await Task.WhenAll(running);

propagation.Report();
tally.Set("kube.api_lists", api.ListRequests);
tally.Set("kube.api_watches", api.WatchRequests);
tally.Print(Console.Out);
Console.Out.Flush();

// The fake API stays up until the script has stopped meshdns, so that its last minutes log no refused connections.
File.WriteAllText(Path.Combine(work, "finished"), "");
var lingering = Stopwatch.StartNew();
while (!File.Exists(Path.Combine(work, "done")) && lingering.Elapsed < TimeSpan.FromMinutes(1))
{
    await Task.Delay(100);
}

return 0;
