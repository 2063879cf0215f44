using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

/// <summary>The meshdns process under measurement: its output lines, its RSS, and A queries to it over UDP.</summary>
internal sealed class Server : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly UdpClient _udp = new(AddressFamily.InterNetwork);
    private ushort _id;

    public Server(string binary, IEnumerable<string> args)
    {
        Port = FreePort();
        _process = Process.Start(new ProcessStartInfo(binary, [.. args, "--dns-listen", $"127.0.0.1:{Port}", "--grpc-listen", "off", "--http-listen", "off"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _udp.Connect(IPAddress.Loopback, Port);
        _udp.Client.ReceiveTimeout = 50;
    }

    public int Port { get; }

    public bool HasExited => _process.HasExited;

    public long RssMiB => long.Parse(Regex.Match(File.ReadAllText($"/proc/{_process.Id}/status"), @"VmRSS:\s+(\d+)").Groups[1].Value) / 1024;

    /// <summary>CPU time (user + system) the server has used so far: its own cost, apart from the bench's API server.</summary>
    public double CpuMs
    {
        get
        {
            string stat = File.ReadAllText($"/proc/{_process.Id}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11]) + long.Parse(fields[12])) * 10.0; // clock ticks of 10 ms (USER_HZ = 100)
        }
    }

    /// <summary>Where the resident memory is, from /proc/PID/smaps: the binary's own pages, anonymous memory (the GC heap,
    /// stacks, native allocations), and shared libraries (libc, OpenSSL…), in MiB.</summary>
    public string RssSplit()
    {
        long binary = 0, anonymous = 0, libraries = 0;
        string mapping = "";
        foreach (string line in File.ReadLines($"/proc/{_process.Id}/smaps"))
        {
            Match header = Regex.Match(line, @"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$");
            if (header.Success)
            {
                mapping = header.Groups[1].Value;
                continue;
            }

            Match rss = Regex.Match(line, @"^Rss:\s+(\d+) kB");
            if (rss.Success)
            {
                long kb = long.Parse(rss.Groups[1].Value);
                _ = mapping.EndsWith("/meshdns", StringComparison.Ordinal) ? binary += kb
                    : mapping.Contains(".so", StringComparison.Ordinal) ? libraries += kb : anonymous += kb;
            }
        }

        return $"{binary / 1024} / {anonymous / 1024} / {libraries / 1024}";
    }

    /// <summary>"table built in N ms" of every table so far.</summary>
    public List<double> Builds()
    {
        lock (_lines)
        {
            return [.. _lines.Select(l => Regex.Match(l, @"table built in ([\d.]+) ms")).Where(m => m.Success)
                .Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];
        }
    }

    public string Output()
    {
        lock (_lines)
        {
            return string.Join('\n', _lines);
        }
    }

    /// <summary>The first A record of the answer, or null (no answer within 50 ms, an error, or no records).</summary>
    public string? Ask(string name)
    {
        var q = new List<byte> { (byte)(++_id >> 8), (byte)_id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (string label in name.Split('.'))
        {
            q.Add((byte)label.Length);
            q.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        q.AddRange([0, 0, 1, 0, 1]);
        try
        {
            _udp.Send([.. q]);
            IPEndPoint? from = null;
            byte[] r;
            do
            {
                r = _udp.Receive(ref from);
            }
            while (r.Length >= 2 && ((r[0] << 8) | r[1]) != _id); // skip late answers to earlier polls
            return r.Length >= 12 && (r[3] & 0xF) == 0 && ((r[6] << 8) | r[7]) > 0 ? $"{r[^4]}.{r[^3]}.{r[^2]}.{r[^1]}" : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Polls until <paramref name="name"/> answers <paramref name="expected"/>; the time it took. <paramref name="pause"/>
    /// between polls: during a start the server answers SERVFAIL at once, and polling without one would take a core from it.</summary>
    public TimeSpan WaitFor(string name, string expected, TimeSpan limit, int pause = 0)
    {
        var clock = Stopwatch.StartNew();
        while (Ask(name) != expected)
        {
            if (pause > 0)
            {
                Thread.Sleep(pause);
            }

            if (clock.Elapsed > limit || HasExited)
            {
                throw new InvalidOperationException($"{name} did not answer {expected} within {limit.TotalSeconds} s:\n{Output()}");
            }
        }

        return clock.Elapsed;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.WaitForExit();
        _process.Dispose();
        _udp.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>One run's figures, printed as a row of the README's scale table.</summary>
internal sealed record Figures(string Source, int Entries, double StartMs, double StartCpuMs, double? FirstBuildMs, long RssLoaded, string RssSplit, long RssChanged, List<double> Latencies)
{
    private static readonly string? Label = Environment.GetEnvironmentVariable("BENCH_LABEL"); // a first column, e.g. before/after

    public static string Header => (Label is null ? "" : "| binary ") +
        "| source | ServiceEntries | start → answer | server CPU until then | first table build | RSS after load | of which binary / anonymous / libraries | RSS after changes | change → answer p50 | p90 | p99 | max |\n" +
        (Label is null ? "" : "| --- ") + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

    public override string ToString()
    {
        Latencies.Sort();
        double P(double q) => Latencies[Math.Min(Latencies.Count - 1, (int)Math.Ceiling(q * Latencies.Count) - 1)];
        string build = FirstBuildMs is { } b ? $"{b:0.0} ms" : "?";
        return (Label is null ? "" : $"| {Label} ") + $"| {Source} | {Entries} | {StartMs:0} ms | {StartCpuMs:0} ms | {build} | {RssLoaded} MiB | {RssSplit} MiB | {RssChanged} MiB | {P(0.5):0.0} ms | {P(0.9):0.0} ms | {P(0.99):0.0} ms | {Latencies[^1]:0.0} ms |";
    }
}
