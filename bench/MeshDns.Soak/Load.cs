using System.Globalization;

namespace MeshDns.Soak;

/// <summary>The names the load asks for, and the helpers around the start.</summary>
public static class Load
{
    /// <summary>Every churned host, the stable ones and the never-served one, each once.</summary>
    public static string[] Names() =>
    [
        MeshDns.Soak.Names.StableFileHost,
        MeshDns.Soak.Names.StableKubeHost,
        MeshDns.Soak.Names.MissingHost,
        MeshDns.Soak.Names.FileMarkerHost,
        .. Enumerable.Range(0, FileChurn.MaxHosts).Select(MeshDns.Soak.Names.FileHost),
        .. Enumerable.Range(0, KubeChurn.Count).Select(MeshDns.Soak.Names.KubeHost),
    ];

    /// <summary>dnsperf's input: each name asked for A, and every tenth also for AAAA (NODATA), shuffled.</summary>
    public static void WriteQueries(string path, string[] names, Random random)
    {
        var lines = new List<string>();
        for (int i = 0; i < names.Length; i++)
        {
            lines.Add(names[i] + " A");
            if (i % 10 == 0)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{names[i]} AAAA"));
            }
        }

        string[] shuffled = [.. lines];
        random.Shuffle(shuffled);
        File.WriteAllLines(path, shuffled);
    }

    public static async Task<bool> AnswersStableAsync(IAsker asker)
    {
        DnsAnswer? file = await asker.AskAsync(MeshDns.Soak.Names.StableFileHost, DnsMessage.TypeA, CancellationToken.None).ConfigureAwait(false);
        DnsAnswer? kube = await asker.AskAsync(MeshDns.Soak.Names.StableKubeHost, DnsMessage.TypeA, CancellationToken.None).ConfigureAwait(false);
        return file?.Addresses.SequenceEqual([MeshDns.Soak.Names.StableFileAddress]) == true
            && kube?.Addresses.SequenceEqual([MeshDns.Soak.Names.StableKubeAddress]) == true;
    }
}

/// <summary>--name value pairs; a missing required one ends the program with a line saying which.</summary>
public static class Options
{
    private static readonly string[] Required = ["work", "dns", "grpc", "seconds"];

    public static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i].TrimStart('-')] = args[i + 1];
        }

        foreach (string name in Required.Where(n => !options.ContainsKey(n)))
        {
            Console.Error.WriteLine($"soak: --{name} is required (--work DIR --dns HOST:PORT --grpc HOST:PORT --seconds N [--seed N] [--tcp-qps N])");
            Environment.Exit(2);
        }

        return options;
    }
}
