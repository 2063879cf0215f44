using System.Diagnostics;
using System.Text;

namespace MeshDns.Soak;

/// <summary>
/// The YAML directory: stable.yaml, written once, and churn.yaml, rewritten every <see cref="Interval"/> with a new
/// generation (other addresses, 100–199 hosts, the marker's address carrying the generation), alternately
/// renamed over the old file and written in place.
/// </summary>
public sealed class FileChurn(string directory, Tally tally)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    public const int MaxHosts = 200;
    private const int MinHosts = 100;
    private int _generation;
    private long _writtenAt; // stored before the generation: a reader of a generation sees its time or a later one

    public int Generation => Volatile.Read(ref _generation);

    public long WrittenAt => Volatile.Read(ref _writtenAt);

    public string ChurnPath => Path.Combine(directory, "churn.yaml");

    public void Seed()
    {
        File.WriteAllText(Path.Combine(directory, "stable.yaml"), Document("stable-file", Names.StableFileHost, Names.StableFileAddress.ToString()));
        File.WriteAllText(ChurnPath, Render(0));
        Volatile.Write(ref _writtenAt, Stopwatch.GetTimestamp());
    }

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            for (int generation = 1; await timer.WaitForNextTickAsync(stop).ConfigureAwait(false); generation++)
            {
                string text = Render(generation);
                if (generation % 2 == 0)
                {
                    string temporary = Path.Combine(directory, ".churn.yaml.tmp"); // a leading dot: not read
                    await File.WriteAllTextAsync(temporary, text, stop).ConfigureAwait(false);
                    File.Move(temporary, ChurnPath, overwrite: true);
                    tally.Add("file.renames");
                }
                else
                {
                    await File.WriteAllTextAsync(ChurnPath, text, stop).ConfigureAwait(false);
                    tally.Add("file.in_place_writes");
                }

                Volatile.Write(ref _writtenAt, Stopwatch.GetTimestamp());
                Volatile.Write(ref _generation, generation);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the run is over
        }
    }

    private static string Render(int generation)
    {
        var text = new StringBuilder(Document("file-marker", Names.FileMarkerHost, Names.FileMarkerAddress(generation).ToString()));
        int hosts = MinHosts + (generation * 37 % (MaxHosts - MinHosts));
        for (int i = 0; i < hosts; i++)
        {
            text.Append("---\n").Append(Document($"file-{i}", Names.FileHost(i), Names.FileAddress(i, generation).ToString()));
        }

        return text.ToString();
    }

    private static string Document(string name, string host, string address) => $"""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: {name}
          namespace: soak
        spec:
          hosts:
          - {host}
          addresses:
          - {address}
          resolution: STATIC

        """;
}
