using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MeshDns.IntegrationTests;

/// <summary>A meshdns process with its output captured line by line.</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private int _openStreams = 2; // stdout and stderr, until each ends

    private ServerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; private init; }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Output => string.Join('\n', Lines);

    public bool HasExited => _process.HasExited;

    public int Pid => _process.Id;

    public static ServerProcess Start(params string[] args) => Start(0, args);

    /// <summary>Starts meshdns; with <paramref name="port"/> &gt; 0 it also waits until DNS is listening.</summary>
    public static ServerProcess Start(int port, params string[] args) => Start(new ProcessStartInfo(Repo.Binary), port, args);

    /// <summary>Starts meshdns from bash after <paramref name="shell"/> (e.g. <c>ulimit -n 256</c>); bash execs
    /// it, so <see cref="Pid"/> is meshdns's.</summary>
    public static ServerProcess StartUnder(string shell, int port, params string[] args)
    {
        var info = new ProcessStartInfo("bash");
        foreach (string arg in (string[])["-c", shell + " && exec \"$0\" \"$@\"", Repo.Binary])
        {
            info.ArgumentList.Add(arg);
        }

        return Start(info, port, args);
    }

    private static ServerProcess Start(ProcessStartInfo info, int port, string[] args)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        if (!args.Any(a => a.Contains("http-listen", StringComparison.Ordinal)))
        {
            info.ArgumentList.Add("--http-listen=127.0.0.1:0"); // parallel tests must not share the default port
        }

        if (!args.Any(a => a.Contains("grpc-listen", StringComparison.Ordinal)))
        {
            info.ArgumentList.Add("--grpc-listen=127.0.0.1:0");
        }

        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("KUBERNETES_SERVICE_HOST");
        var server = new ServerProcess(Process.Start(info)!) { Port = port };
        if (port > 0)
        {
            server.WaitForLine("meshdns serving", TimeSpan.FromSeconds(30));
        }

        return server;
    }

    /// <summary>
    /// A port free for both TCP and UDP on loopback, chosen below Linux's ephemeral range (32768+), so
    /// that servers other tests start with port 0 can never be handed the same port in the meantime.
    /// </summary>
    public static int FreePort()
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var tcp = new TcpListener(IPAddress.Loopback, port);
                tcp.Start();
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no free port");
    }

    public string WaitForLine(string text, TimeSpan timeout)
    {
        string? line = null;
        return WaitUntil(() => (line = _lines.Find(l => l.Contains(text, StringComparison.Ordinal))) is not null, timeout, $"\"{text}\"")
            ? line! : throw new TimeoutException($"no \"{text}\" within {timeout}:\n{Output}");
    }

    /// <summary>
    /// True once <paramref name="condition"/> holds, checked at each new line; false once <paramref name="timeout"/>
    /// has passed; throws once the output has ended without it (<paramref name="what"/> names it).
    /// </summary>
    public bool WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_lines)
        {
            while (!condition())
            {
                if (_openStreams == 0)
                {
                    string code = _process.WaitForExit(5000) ? _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "still running";
                    throw new InvalidOperationException($"meshdns closed its output ({code}) before {what}:\n{Output}");
                }

                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return false;
                }

                Monitor.Wait(_lines, (int)left);
            }

            return true;
        }
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"meshdns still running after {timeout}:\n{Output}");
        }

        _process.WaitForExit(); // flush redirected output
        return _process.ExitCode;
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>A line, or null at the end of one of the two streams.</summary>
    private void Add(string? line)
    {
        lock (_lines)
        {
            if (line is null)
            {
                _openStreams--;
            }
            else
            {
                _lines.Add(line);
            }

            Monitor.PulseAll(_lines);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}
