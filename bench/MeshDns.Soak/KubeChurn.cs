using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using MeshDns.Kubernetes.Tests.ApiServer;

namespace MeshDns.Soak;

/// <summary>The last write: the host it touched and the address it should now have (null: deleted), and when.</summary>
public sealed record KubeWrite(string Host, IPAddress? Expected, long Timestamp);

/// <summary>
/// ServiceEntries in the fake API server: one stable, <see cref="Count"/> churned in turn, one write every
/// <see cref="Interval"/> (create when absent, else update or delete), a dropped watch every minute and, half a minute
/// later, a watch answered 410 Gone (the server then lists again).
/// </summary>
public sealed class KubeChurn(FakeKubeApiServer api, Random random, Tally tally)
{
    public const int Count = 1000;
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FaultPeriod = TimeSpan.FromMinutes(1);
    private const int Namespaces = 10;
    private readonly int[] _versions = new int[Count]; // -1: deleted
    private KubeWrite? _last;

    public KubeWrite? Last => Volatile.Read(ref _last);

    public void Seed()
    {
        api.Create("soak-stable", "stable-kube", Spec(Names.StableKubeHost, Names.StableKubeAddress));
        for (int i = 0; i < Count; i++)
        {
            api.Create(Namespace(i), Name(i), Spec(Names.KubeHost(i), Names.KubeAddress(i, 0)));
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Interval);
        var clock = Stopwatch.StartNew();
        TimeSpan nextDrop = FaultPeriod / 2, nextGone = FaultPeriod;
        try
        {
            for (long tick = 0; await timer.WaitForNextTickAsync(stop).ConfigureAwait(false); tick++)
            {
                Write((int)(tick % Count));
                if (clock.Elapsed >= nextDrop)
                {
                    api.DropAllWatches();
                    tally.Add("kube.watch_drops");
                    nextDrop += FaultPeriod;
                }

                if (clock.Elapsed >= nextGone)
                {
                    api.ExpireNextWatches(1); // the watch opened after this drop gets 410 Gone
                    api.DropAllWatches();
                    tally.Add("kube.gone_410");
                    nextGone += FaultPeriod;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the run is over
        }
    }

    private void Write(int i)
    {
        string ns = Namespace(i), name = Name(i), host = Names.KubeHost(i);
        IPAddress? expected;
        if (_versions[i] < 0)
        {
            _versions[i] = 1;
            expected = Names.KubeAddress(i, _versions[i]);
            api.Create(ns, name, Spec(host, expected));
            tally.Add("kube.creates");
        }
        else if (random.Next(2) == 0)
        {
            expected = Names.KubeAddress(i, ++_versions[i]);
            api.Update(ns, name, Spec(host, expected));
            tally.Add("kube.updates");
        }
        else
        {
            _versions[i] = -1;
            expected = null;
            api.Delete(ns, name);
            tally.Add("kube.deletes");
        }

        Volatile.Write(ref _last, new KubeWrite(host, expected, Stopwatch.GetTimestamp()));
    }

    private static string Namespace(int i) => $"soak-{i % Namespaces}";

    private static string Name(int i) => $"kube-{i}";

    private static JsonObject Spec(string host, IPAddress address) => new()
    {
        ["hosts"] = new JsonArray(host),
        ["addresses"] = new JsonArray(address.ToString()),
        ["resolution"] = "STATIC",
    };
}
