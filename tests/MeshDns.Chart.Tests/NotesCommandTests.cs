using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace MeshDns.Chart.Tests;

/// <summary>
/// The shell commands of NOTES.txt paste and run as printed. NOTES puts every command at the left margin,
/// one block per paragraph, and indents everything else; these tests take each such block, check it with
/// <c>bash -n</c> (exit 0 and no warning: an unterminated heredoc is only a warning), then run all of them
/// in one bash with kubectl replaced by a function that records its arguments and standard input. The
/// manifest the k3s command pipes into <c>kubectl apply</c> must be YAML, and its Corefile one that
/// sends each zone to the Service.
/// </summary>
public sealed class NotesCommandTests
{
    private const string FakeClusterIp = "10.43.7.7";

    public static TheoryData<string[], string[], string> Cases => new()
    {
        { [], ["global"], FakeClusterIp },
        { ["zones={global,mesh.internal}", "service.clusterIP=10.96.0.53", "service.port=5353"], ["global", "mesh.internal"], "10.96.0.53:5353" },
        { ["mode=standalone", "cacheTtl=0"], ["global"], FakeClusterIp },
        { ["mode=standalone", "zones=null"], [], FakeClusterIp },
    };

    public static TheoryData<string[]> ValueSets => new(Cases.Select(c => (string[])c[0]));

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Every_command_block_passes_bash_n_without_a_warning(string[] values)
    {
        IReadOnlyList<string> blocks = CommandBlocks(Helm.Notes(values));
        Assert.Contains(blocks, b => b.StartsWith("kubectl ", StringComparison.Ordinal)); // the pod check at least
        foreach (string block in blocks)
        {
            (int exit, string stdout, string stderr) = Bash(["-n"], block);
            Assert.True(exit == 0 && stderr.Length == 0 && stdout.Length == 0, $"bash -n exited {exit}: {stderr}\nin:\n{block}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_commands_run_and_the_k3s_manifest_is_a_configmap_forwarding_each_zone_to_the_service(string[] values, string[] zones, string target)
    {
        string notes = Helm.Notes(values);
        string calls = Directory.CreateTempSubdirectory("meshdns-notes-").FullName;
        try
        {
            string script = FakeKubectl + string.Join('\n', CommandBlocks(notes)) + '\n';
            (int exit, string stdout, string stderr) = Bash([calls], script);
            Assert.True(exit == 0, $"the NOTES commands exited {exit}: {stderr}\n{script}");
            Assert.Empty(stderr);

            string[] applied = Directory.GetFiles(calls, "*.stdin");
            if (zones.Length == 0)
            {
                Assert.Empty(applied);
                return;
            }

            if (target == FakeClusterIp)
            {
                Assert.Contains(FakeClusterIp, stdout, StringComparison.Ordinal); // echo "$CLUSTER_IP"
            }

            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(Assert.Single(applied))));
            var configMap = (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
            Assert.Equal("ConfigMap", configMap.Str("kind"));
            Assert.Equal("coredns-custom", configMap.Str("metadata", "name"));
            Assert.Equal("kube-system", configMap.Str("metadata", "namespace"));
            Corefile corefile = Corefile.Parse(configMap.Str("data", "meshdns.server")!);
            Assert.Equal(zones.Select(z => z + ":53"), corefile.Blocks.SelectMany(b => b.Keys));
            Assert.All(corefile.Blocks, b => Assert.Equal([".", target], b.One("forward")!.Args));
        }
        finally
        {
            Directory.Delete(calls, recursive: true);
        }
    }

    [Fact]
    public void Prose_is_indented_and_commands_are_not()
    {
        string notes = Helm.Notes();
        IReadOnlyList<string> blocks = CommandBlocks(notes);
        Assert.Contains(blocks, b => b.StartsWith("kubectl apply -f - <<EOF\n", StringComparison.Ordinal) && b.EndsWith("\nEOF", StringComparison.Ordinal));
        Assert.Contains(blocks, b => b.StartsWith("CLUSTER_IP=$(kubectl get svc ", StringComparison.Ordinal));
        Assert.Contains(blocks, b => b.Contains("kubectl run meshdns-check", StringComparison.Ordinal));
        Assert.Contains("  1. The Service's ClusterIP:", notes, StringComparison.Ordinal);
        Assert.DoesNotContain(blocks, b => b.Contains("ClusterIP:", StringComparison.Ordinal));
    }

    /// <summary>The paragraphs (runs of non-blank lines) whose first line starts at the left margin.</summary>
    internal static IReadOnlyList<string> CommandBlocks(string notes) =>
        notes.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n")
            .Select(p => p.Trim('\n'))
            .Where(p => p.Length > 0 && !char.IsWhiteSpace(p[0]))
            .ToArray();

    // kubectl as a function: records each call's arguments (and standard input for apply), prints a
    // ClusterIP for "get svc", and does nothing else. The counter is the number of files, so calls from a
    // command substitution's subshell count too.
    private const string FakeKubectl = """
        set -eu
        calls=$1
        kubectl() {
          local n
          n=$(find "$calls" -name '*.args' | wc -l)
          printf '%s\n' "$@" > "$calls/$n.args"
          if [ "$1" = apply ]; then cat > "$calls/$n.stdin"; fi
          if [ "$1" = get ] && [ "$2" = svc ]; then echo 10.43.7.7; fi
          return 0
        }

        """;

    private static (int Exit, string Stdout, string Stderr) Bash(string[] args, string script)
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, script);
        try
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            start.ArgumentList.Add(args.Length > 0 && args[0] == "-n" ? "-n" : "--");
            start.ArgumentList.Add(file);
            foreach (string arg in args.Where(a => a != "-n"))
            {
                start.ArgumentList.Add(arg);
            }

            using Process process = Process.Start(start)!;
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "bash took over 30 s");
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
