using System.Diagnostics;
using System.Net;

namespace MeshDns.Soak;

/// <summary>
/// The stable hosts, asked again and again over one transport: each answer must be NOERROR with exactly the stable
/// address. Counted per transport as ok, wrong (another address) or missing (no address, another RCODE, or, except
/// over UDP where a lost datagram is the load's doing and counted apart, no answer at all).
/// </summary>
public sealed class StableCheck(IAsker asker, Tally tally)
{
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(20);
    private static readonly (string Host, IPAddress Address)[] Stable =
        [(Names.StableFileHost, Names.StableFileAddress), (Names.StableKubeHost, Names.StableKubeAddress)];

    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                foreach ((string host, IPAddress address) in Stable)
                {
                    Judge(tally, asker.Transport, host, address, await asker.AskAsync(host, DnsMessage.TypeA, stop).ConfigureAwait(false));
                }

                await Task.Delay(Pause, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the run is over
        }
    }

    public static void Judge(Tally tally, string transport, string host, IPAddress expected, DnsAnswer? answer)
    {
        string key = $"stable.{transport}.";
        if (answer is not { } a)
        {
            if (transport == "udp")
            {
                tally.Add(key + "unanswered");
            }
            else
            {
                tally.Problem(key + "missing", $"{host}: no answer");
            }
        }
        else if (a.Rcode != DnsAnswer.NoError || a.Addresses.Count == 0)
        {
            tally.Problem(key + "missing", $"{host}: rcode {a.Rcode}, {a.Addresses.Count} addresses");
        }
        else if (a.Addresses.Count != 1 || !a.Addresses[0].Equals(expected))
        {
            tally.Problem(key + "wrong", $"{host}: {string.Join(",", a.Addresses)} instead of {expected}");
        }
        else
        {
            tally.Add(key + "ok");
        }
    }
}

/// <summary>
/// Every <see cref="Period"/>: the next Kubernetes write and the next file generation must show in the answers
/// within <see cref="Limit"/> (counted as stale otherwise); the time from the write to the first such answer is kept.
/// </summary>
public sealed class PropagationCheck(IAsker asker, KubeChurn kube, FileChurn file, Tally tally)
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private readonly List<double> _kubeMs = [];
    private readonly List<double> _fileMs = [];

    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(Period, stop).ConfigureAwait(false);

                // Timed from the next write on, so that the time measured is the server's, not this loop's.
                KubeWrite? before = kube.Last;
                await UntilAsync(() => kube.Last != before, stop).ConfigureAwait(false);
                KubeWrite write = kube.Last!;
                await WaitAsync("kube", _kubeMs, write.Timestamp, a => Shows(a, write.Expected), write.Host, stop).ConfigureAwait(false);

                int previous = file.Generation;
                await UntilAsync(() => file.Generation != previous, stop).ConfigureAwait(false);
                int generation = file.Generation;
                long at = file.WrittenAt;
                await WaitAsync("file", _fileMs, at, a => a.Addresses.Any(x => Names.FileMarkerGeneration(x) >= generation), Names.FileMarkerHost, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the run is over
        }
    }

    public void Report()
    {
        Percentiles("kube", _kubeMs);
        Percentiles("file", _fileMs);
    }

    private static async Task UntilAsync(Func<bool> condition, CancellationToken stop)
    {
        while (!condition())
        {
            await Task.Delay(Poll / 4, stop).ConfigureAwait(false);
        }
    }

    private static bool Shows(DnsAnswer a, IPAddress? expected) => expected is null
        ? a.Rcode == DnsAnswer.NxDomain
        : a.Rcode == DnsAnswer.NoError && a.Addresses.Count == 1 && a.Addresses[0].Equals(expected);

    private async Task WaitAsync(string source, List<double> times, long writtenAt, Func<DnsAnswer, bool> shows, string host, CancellationToken stop)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < Limit)
        {
            if (await asker.AskAsync(host, DnsMessage.TypeA, stop).ConfigureAwait(false) is { } a && shows(a))
            {
                times.Add(Stopwatch.GetElapsedTime(writtenAt).TotalMilliseconds);
                tally.Add($"propagation.{source}.seen");
                return;
            }

            await Task.Delay(Poll, stop).ConfigureAwait(false);
        }

        tally.Problem($"propagation.{source}.stale", $"{host} did not show its last write within {Limit.TotalSeconds} s");
    }

    private void Percentiles(string source, List<double> times)
    {
        if (times.Count == 0)
        {
            return;
        }

        times.Sort();
        tally.Set($"propagation.{source}.p50_ms", (long)times[times.Count / 2]);
        tally.Set($"propagation.{source}.max_ms", (long)times[^1]);
    }
}
