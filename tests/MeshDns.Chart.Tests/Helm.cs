using System.Collections.Concurrent;
using System.Diagnostics;

namespace MeshDns.Chart.Tests;

/// <summary>The outcome of one helm command.</summary>
internal sealed record HelmResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

/// <summary>
/// Runs the real helm binary against helm/meshdns. Helm is taken from MESHDNS_HELM, else from
/// e2e/tools/install-tools.sh (which fetches it when missing), else from PATH; without one every test
/// fails: CI installs helm, so a missing binary is an error, not a reason to skip.
/// </summary>
internal static class Helm
{
    public const string Release = "meshdns";
    public const string Namespace = "istio-system";

    private static readonly Lazy<string> BinaryPath = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<string> Home = new(() => Directory.CreateTempSubdirectory("meshdns-helm-").FullName);
    private static readonly ConcurrentDictionary<string, Lazy<HelmResult>> Templates = new(StringComparer.Ordinal);

    public static string Binary => BinaryPath.Value;

    public static string ChartDir => Path.Combine(Repo.Root, "helm", "meshdns");

    /// <summary>helm template of the chart; each argument is a --set value unless it starts with "--".
    /// Results are shared between tests (rendering is pure).</summary>
    public static HelmResult Template(params string[] values) =>
        Templates.GetOrAdd(string.Join('\n', values), _ => new Lazy<HelmResult>(() =>
            Run(["template", Release, ChartDir, "--namespace", Namespace, .. ValueArgs(values)]))).Value;

    /// <summary>helm template that must succeed, parsed.</summary>
    public static Manifests Render(params string[] values)
    {
        HelmResult result = Template(values);
        Assert.True(result.ExitCode == 0, $"helm template {string.Join(' ', values)} exited {result.ExitCode}:\n{result.Stderr}");
        return Manifests.Parse(result.Stdout);
    }

    public static HelmResult Lint(bool strict, params string[] values) =>
        Run(["lint", ChartDir, .. strict ? new[] { "--strict" } : [], .. ValueArgs(values)]);

    /// <summary>The NOTES.txt text as an install would print it: helm install --dry-run=client, no cluster.</summary>
    public static string Notes(params string[] values)
    {
        HelmResult result = Run(["install", Release, ChartDir, "--namespace", Namespace, "--dry-run=client", .. ValueArgs(values)]);
        Assert.True(result.ExitCode == 0, $"helm install --dry-run=client exited {result.ExitCode}:\n{result.Stderr}");
        int at = result.Stdout.IndexOf("\nNOTES:\n", StringComparison.Ordinal);
        Assert.True(at >= 0, "no NOTES: section in\n" + result.Stdout);
        return result.Stdout[(at + "\nNOTES:\n".Length)..];
    }

    private static IEnumerable<string> ValueArgs(string[] values) =>
        values.SelectMany(v => v.StartsWith("--", StringComparison.Ordinal) ? new[] { v } : ["--set", v]);

    public static HelmResult Run(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Keep helm away from the user's repositories, cache and clusters.
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(Home.Value, "config");
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(Home.Value, "cache");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(Home.Value, "data");
        start.Environment.Remove("KUBECONFIG");
        start.Environment.Remove("HELM_KUBECONTEXT");

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + Binary);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"helm {string.Join(' ', start.ArgumentList)} took over 60 s");
        }

        return new HelmResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Locate()
    {
        string? configured = Environment.GetEnvironmentVariable("MESHDNS_HELM");
        if (!string.IsNullOrEmpty(configured))
        {
            string path = Path.GetFullPath(configured, Repo.Root);
            return File.Exists(path) ? path : throw new FileNotFoundException($"MESHDNS_HELM names {path}, which does not exist");
        }

        var problems = new List<string>();
        string script = Path.Combine(Repo.Root, "e2e", "tools", "install-tools.sh");
        if (File.Exists(script))
        {
            var start = new ProcessStartInfo("bash")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(script);
            try
            {
                using Process process = Process.Start(start)!;
                Task<string> stdout = process.StandardOutput.ReadToEndAsync();
                Task<string> stderr = process.StandardError.ReadToEndAsync();
                if (process.WaitForExit(TimeSpan.FromMinutes(5)) && process.ExitCode == 0)
                {
                    string folder = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
                    string helm = Path.Combine(folder, "helm");
                    if (File.Exists(helm))
                    {
                        return helm;
                    }

                    problems.Add($"install-tools.sh printed {folder}, which holds no helm");
                }
                else
                {
                    if (!process.HasExited)
                    {
                        process.Kill(entireProcessTree: true);
                    }

                    problems.Add("install-tools.sh failed: " + stderr.Result.Trim());
                }
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                problems.Add("could not run bash: " + e.Message);
            }
        }

        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string helm = Path.Combine(dir, "helm");
            if (File.Exists(helm))
            {
                return helm;
            }
        }

        problems.Add("no helm on PATH");
        throw new FileNotFoundException("helm not found (set MESHDNS_HELM): " + string.Join("; ", problems));
    }
}
