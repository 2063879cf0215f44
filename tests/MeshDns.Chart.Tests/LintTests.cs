namespace MeshDns.Chart.Tests;

/// <summary>helm lint, plain and --strict, in both modes and with several zones.</summary>
public sealed class LintTests
{
    public static TheoryData<bool, string[]> Cases => new()
    {
        { false, [] },
        { true, [] },
        { true, ["mode=standalone"] },
        { true, ["mode=coredns-sidecar", "zones={global,mesh.internal}"] },
        { true, ["nativeSidecar=true", "cacheTtl=0", "image.repository=registry.example/meshdns", "image.tag=dev"] },
        { true, ["mode=standalone", "zones={global,mesh.internal}", "podDisruptionBudget.enabled=true", "autoscaling.enabled=true", "metrics.scrapeAnnotations=true"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Lint_passes(bool strict, string[] values)
    {
        HelmResult result = Helm.Lint(strict, values);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("0 chart(s) failed", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[ERROR]", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[WARNING]", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_fails_on_a_value_the_schema_rejects()
    {
        HelmResult result = Helm.Lint(true, "mode=sidecar");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("mode", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_metadata_is_as_agreed()
    {
        HelmResult result = Helm.Run(["show", "chart", Helm.ChartDir]);
        Assert.True(result.ExitCode == 0, result.Output);
        Manifests chart = Manifests.Parse(result.Stdout);
        var meta = chart.Documents.Single();
        Assert.Equal("v2", meta.Str("apiVersion"));
        Assert.Equal("meshdns", meta.Str("name"));
        Assert.Equal("0.1.0", meta.Str("version"));
        Assert.Equal("0.1.0", meta.Str("appVersion"));
        Assert.False(string.IsNullOrWhiteSpace(meta.Str("description")));
        Assert.StartsWith(">=1.23", meta.Str("kubeVersion"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.22.9", false)]
    [InlineData("1.23.0", true)]
    [InlineData("1.33.1", true)]
    public void Kubernetes_1_23_or_later_is_required(string kubeVersion, bool renders)
    {
        HelmResult result = Helm.Template("--kube-version=" + kubeVersion);
        Assert.True((result.ExitCode == 0) == renders, result.Output);
    }
}
