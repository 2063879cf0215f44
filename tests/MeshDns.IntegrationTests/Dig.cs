using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MeshDns.IntegrationTests;

/// <summary>One run of the real dig, parsed: status, flags, and the answer section.</summary>
internal sealed partial record DigResult(string Status, IReadOnlyList<string> Flags, IReadOnlyList<string> Answers, IReadOnlyList<string> Authority, string Raw)
{
    /// <summary>Answer data only (last field of each answer line), in order.</summary>
    public IReadOnlyList<string> Data => Answers.Select(a => a.Split('\t', ' ').Last(s => s.Length > 0)).ToList();

    /// <summary>Each answer's type and data (<c>SRV 0 100 443 host.</c>), whitespace collapsed.</summary>
    public IReadOnlyList<string> Records => Answers.Select(TypeAndData).ToList();

    /// <summary>The additional section's records as owner, type and data (dig shows the OPT record apart).</summary>
    public IReadOnlyList<string> Additional => Section(Raw, "ADDITIONAL").Select(r => $"{r.Split('\t', ' ')[0].ToLowerInvariant()} {TypeAndData(r)}").ToList();

    private static string TypeAndData(string record) => string.Join(' ', record.Split('\t', ' ').Where(s => s.Length > 0).Skip(3));

    public static DigResult Run(int port, string name, string type = "A", params string[] options) => RunAt("127.0.0.1", port, name, type, options);

    public static DigResult RunAt(string server, int port, string name, string type = "A", params string[] options)
    {
        var info = new ProcessStartInfo("dig")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["@" + server, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), name, type, "+tries=1", "+time=3", .. options])
        {
            info.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("dig is not installed: apt-get install dnsutils", e);
        }

        using (process)
        {
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return Parse(output);
        }
    }

    /// <summary>Parses dig's default output (also dig run elsewhere, e.g. in a pod).</summary>
    public static DigResult Parse(string output)
    {
        Match status = StatusPattern().Match(output);
        Match flags = FlagsPattern().Match(output);
        return new DigResult(
            status.Success ? status.Groups[1].Value : "NO-RESPONSE",
            flags.Success ? flags.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [],
            Section(output, "ANSWER"),
            Section(output, "AUTHORITY"),
            output);
    }

    private static List<string> Section(string output, string name)
    {
        var lines = new List<string>();
        bool inside = false;
        foreach (string line in output.Split('\n'))
        {
            if (line.StartsWith($";; {name} SECTION:", StringComparison.Ordinal))
            {
                inside = true;
                continue;
            }

            if (inside)
            {
                if (line.Trim().Length == 0 || line.StartsWith(';'))
                {
                    break;
                }

                lines.Add(line.Trim());
            }
        }

        return lines;
    }

    [GeneratedRegex(@"status: ([A-Z]+)")]
    private static partial Regex StatusPattern();

    [GeneratedRegex(@";; flags: ([a-z ]+);")]
    private static partial Regex FlagsPattern();
}
