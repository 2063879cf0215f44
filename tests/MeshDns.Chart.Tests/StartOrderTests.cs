using YamlDotNet.RepresentationModel;

namespace MeshDns.Chart.Tests;

/// <summary>nativeSidecar: MeshDns as a Kubernetes native sidecar, so CoreDNS starts once MeshDns is ready.</summary>
public sealed class StartOrderTests
{
    [Fact]
    public void By_default_both_are_plain_containers_and_there_are_no_init_containers()
    {
        Manifests m = Helm.Render();
        Assert.Equal(["coredns", "meshdns"], m.Containers.Select(c => c.Str("name")));
        Assert.Empty(m.InitContainers);
        Assert.Null(m.Container("meshdns").Opt("restartPolicy"));
        Assert.Null(m.Container("meshdns").Opt("startupProbe"));
    }

    [Fact]
    public void Native_sidecar_is_an_always_restarted_init_container_with_a_readyz_startup_probe()
    {
        Manifests m = Helm.Render("nativeSidecar=true", "startupProbe.failureThreshold=60");
        Assert.Equal(["coredns"], m.Containers.Select(c => c.Str("name")));
        YamlMappingNode meshdns = Assert.Single(m.InitContainers);
        Assert.Equal("meshdns", meshdns.Str("name"));
        Assert.Equal("Always", meshdns.Str("restartPolicy"));
        Assert.Equal("/readyz", meshdns.Str("startupProbe", "httpGet", "path"));
        Assert.Equal("8090", CorefileTests.PortNumber(meshdns, meshdns.Str("startupProbe", "httpGet", "port")!));
        Assert.Equal("1", meshdns.Str("startupProbe", "periodSeconds"));
        Assert.Equal("60", meshdns.Str("startupProbe", "failureThreshold"));

        // The same container otherwise: flags, probes, resources and security context.
        YamlMappingNode plain = Helm.Render().Container("meshdns");
        Assert.Equal(plain.Strings("args"), meshdns.Strings("args"));
        Assert.Equal(plain.Str("image"), meshdns.Str("image"));
        foreach (string key in new[] { "livenessProbe", "readinessProbe", "resources", "securityContext", "ports" })
        {
            Assert.Equal(plain[key].ToString(), meshdns[key].ToString());
        }
    }

    [Fact]
    public void Native_sidecar_needs_coredns_sidecar_mode()
    {
        HelmResult result = Helm.Template("nativeSidecar=true", "mode=standalone");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("nativeSidecar needs mode coredns-sidecar", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_probe_timings_are_checked_by_the_schema()
    {
        HelmResult result = Helm.Template("nativeSidecar=true", "startupProbe.periodSeconds=0");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("periodSeconds", result.Stderr, StringComparison.Ordinal);
    }
}
