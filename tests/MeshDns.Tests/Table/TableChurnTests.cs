using System.Net;
using MeshDns.Resolver;
using MeshDns.Table;
using MeshDns.Tests.Support;
using Xunit.Abstractions;

namespace MeshDns.Tests.Table;

/// <summary>Readers during heavy churn: every table they see is whole. Stable hosts are always there with their own
/// addresses; a churning host is either absent or has both addresses of one version, never a mix or a stranger's.</summary>
public sealed class TableChurnTests(ITestOutputHelper output)
{
    private const int Seed = 7031;
    private const int StableHosts = 6000; // enough names for many shards, so churn rebuilds some and shares the rest
    private const int ChurnHosts = 200;
    private const int Publishes = 1000;
    private const int Readers = 2;

    [Fact]
    public void Readers_never_see_a_missing_or_half_updated_host()
    {
        output.WriteLine($"seed {Seed}");
        var model = new TableModel(new TableOptions());
        var holder = new TableHolder();
        model.Replace("stable", [.. Enumerable.Range(0, StableHosts).Select(i => Fixtures.Se($"s{i}", [$"s{i}.stable.global"], [Stable(i)]))]);
        model.Build();
        model.Replace("churn", []);
        holder.Publish(model.Build().Table);

        using var done = new CancellationTokenSource();
        using var started = new CountdownEvent(Readers);
        var results = new (long Lookups, int Serials, string? Error)[Readers];
        Thread[] readers = [.. Enumerable.Range(0, Readers).Select(r => new Thread(() => results[r] = Read(holder, r, started, done.Token)))];
        Array.ForEach(readers, r => r.Start());
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)), "the readers did not start");
        var random = new Random(Seed);
        for (int n = 0; n < Publishes; n++)
        {
            var changes = new List<KeyValuePair<string, ServiceEntryInput?>>();
            for (int k = random.Next(1, 6); k > 0; k--)
            {
                int host = random.Next(ChurnHosts);
                string id = $"istio-system/c{host}";
                changes.Add(new(id, random.Next(4) == 0 ? null : Fixtures.Se($"c{host}", [$"c{host}.churn.global", $"*.w{host}.churn.global"], Versioned(host, n))));
            }

            model.Apply("churn", changes);
            holder.Publish(model.Build().Table);
        }

        done.Cancel();
        Array.ForEach(readers, r => r.Join());
        foreach ((long lookups, int serials, string? error) in results)
        {
            output.WriteLine($"reader: {lookups} lookups over {serials} tables");
            Assert.Null(error);
            Assert.True(serials > 10, $"a reader saw only {serials} tables: it did not run during the churn");
        }
    }

    private static string Stable(int i) => new IPAddress(0x0A000000u + (uint)i).ToString();

    /// <summary>Version <paramref name="n"/> of churning host <paramref name="h"/>: 172.(h).(n / 256).(n % 256) and the same in 100.64/10.</summary>
    private static string[] Versioned(int h, int n) => [$"172.{h}.{(n >> 8) & 255}.{n & 255}", $"100.{64 + h % 64}.{(n >> 8) & 255}.{n & 255}"];

    private static (long Lookups, int Serials, string? Error) Read(TableHolder holder, int reader, CountdownEvent started, CancellationToken done)
    {
        var random = new Random(Seed + 1 + reader);
        long lookups = 0;
        var serials = new HashSet<uint>();
        started.Signal();
        while (!done.IsCancellationRequested)
        {
            NameTable table = holder.Current!;
            serials.Add(table.Serial);
            int s = random.Next(StableHosts);
            NameMatch stable = table.Lookup(Query.EncodeName($"s{s}.stable.global"));
            if (stable.Kind != MatchKind.Host || !table.IPv4(stable).SequenceEqual(IPAddress.Parse(Stable(s)).GetAddressBytes()))
            {
                return (lookups, serials.Count, $"table {table.Serial}: stable host s{s} is {stable.Kind}");
            }

            int c = random.Next(ChurnHosts);
            foreach (string name in new[] { $"c{c}.churn.global", $"x.w{c}.churn.global" })
            {
                NameMatch match = table.Lookup(Query.EncodeName(name));
                ReadOnlySpan<byte> v4 = table.IPv4(match);
                bool whole = match.Kind == MatchKind.None || (v4.Length == 8 && v4[0] == 172 && v4[1] == c && v4[4] == 100 && v4[5] == 64 + (c % 64) && v4[2] == v4[6] && v4[3] == v4[7]);
                if (!whole)
                {
                    return (lookups, serials.Count, $"table {table.Serial}: {name} is {match.Kind} with {v4.Length / 4} addresses, not one whole version");
                }
            }

            lookups += 3;
        }

        return (lookups, serials.Count, null);
    }
}
