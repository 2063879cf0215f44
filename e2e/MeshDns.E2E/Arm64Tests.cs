using System.Text.RegularExpressions;
using MeshDns.E2E.Support;
using Xunit.Abstractions;

namespace MeshDns.E2E;

/// <summary>The cross-compiled linux-arm64 binary, run under qemu user-mode emulation (e2e/arm64/smoke.sh).</summary>
public sealed partial class Arm64Tests(ITestOutputHelper output)
{
    [Arm64Fact]
    public void Arm64_binary_starts_and_answers_dig_under_qemu() =>
        RunSmoke(Path.GetFullPath(Environment.GetEnvironmentVariable("MESHDNS_ARM64_BINARY")!, Repo.Root), output);

    /// <summary>Runs e2e/arm64/smoke.sh on <paramref name="binary"/> and requires every check to pass.</summary>
    internal static void RunSmoke(string binary, ITestOutputHelper output)
    {
        CommandResult result = Command.Run("bash", [Path.Combine(Repo.Root, "e2e", "arm64", "smoke.sh"), binary], TimeSpan.FromMinutes(5));
        output.WriteLine(result.All);
        Match summary = Summary().Match(result.Output);
        Assert.True(summary.Success, "no summary line:\n" + result.All);
        Assert.Equal("0", summary.Groups[2].Value);
        Assert.True(int.Parse(summary.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 9, result.All);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("ok: UDP A service1.test.global = 127.255.0.2", result.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"arm64 smoke: (\d+) passed, (\d+) failed")]
    private static partial Regex Summary();
}
