using YamlDotNet.RepresentationModel;

namespace MeshDns.Chart.Tests;

/// <summary>The meshdns container: flags from the values, ports, probes, image.</summary>
public sealed class MeshDnsContainerTests
{
    public static TheoryData<string, string[], string, string> ZoneCases => new()
    {
        { "coredns-sidecar", ["global"], "--dns-listen=off", "--grpc-listen=127.0.0.1:8053" },
        { "coredns-sidecar", ["global", "mesh.internal"], "--dns-listen=off", "--grpc-listen=127.0.0.1:8053" },
        { "standalone", ["global"], "--dns-listen=:1053", "--grpc-listen=:8053" },
        { "standalone", ["global", "mesh.internal", "corp.example.com"], "--dns-listen=:1053", "--grpc-listen=:8053" },
    };

    [Theory]
    [MemberData(nameof(ZoneCases))]
    public void Listeners_and_one_zone_flag_per_zone(string mode, string[] zones, string dnsListen, string grpcListen)
    {
        Manifests m = Helm.Render("mode=" + mode, $"zones={{{string.Join(',', zones)}}}");
        IReadOnlyList<string> args = m.Args("meshdns");
        Assert.Equal([dnsListen], args.Where(a => a.StartsWith("--dns-listen", StringComparison.Ordinal)));
        Assert.Equal([grpcListen], args.Where(a => a.StartsWith("--grpc-listen", StringComparison.Ordinal)));
        Assert.Contains("--http-listen=:8090", args);
        Assert.Equal(zones.Select(z => "--zone=" + z), args.Where(a => a.StartsWith("--zone", StringComparison.Ordinal)));
        Assert.DoesNotContain(args, a => a.StartsWith("--from-file", StringComparison.Ordinal) || a.StartsWith("--kubeconfig", StringComparison.Ordinal));
        Assert.Equal(["/usr/local/bin/meshdns"], m.Container("meshdns").Strings("command"));

        // HTTP is a container port in both modes; gRPC only where it listens beyond the pod's loopback.
        Assert.Equal("8090", CorefileTests.PortNumber(m.Container("meshdns"), "http"));
        if (mode == "standalone")
        {
            Assert.Equal("8053", CorefileTests.PortNumber(m.Container("meshdns"), "grpc"));
        }
        else
        {
            Assert.DoesNotContain("grpc", m.Container("meshdns").Seq("ports").Select(p => ((YamlMappingNode)p).Str("name")));
        }
    }

    [Fact]
    public void Standalone_with_no_zones_passes_no_zone_flag()
    {
        Manifests m = Helm.Render("mode=standalone", "zones=null");
        Assert.DoesNotContain(m.Args("meshdns"), a => a.StartsWith("--zone", StringComparison.Ordinal));
    }

    [Fact]
    public void Default_flags()
    {
        IReadOnlyList<string> args = Helm.Render().Args("meshdns");
        Assert.Equal(
            ["--dns-listen=off", "--grpc-listen=127.0.0.1:8053", "--http-listen=:8090", "--zone=global", "--ttl=30", "--debug-names=false", "--log-level=info", "--log-format=text", "--lameduck=5s"],
            args);
    }

    [Fact]
    public void Values_become_flags()
    {
        IReadOnlyList<string> args = Helm.Render(
            "namespaces={istio-system,mesh}", "defaultAddress=240.240.0.1", "ttl=60", "negativeTtl=10", "debugNames=true",
            "logLevel=debug", "logFormat=json", "lameduck=2s", "extraArgs={--round-robin=false,--tcp-idle-timeout=20s}").Args("meshdns");
        Assert.Equal(["--namespace=istio-system", "--namespace=mesh"], args.Where(a => a.StartsWith("--namespace", StringComparison.Ordinal)));
        Assert.Contains("--default-address=240.240.0.1", args);
        Assert.Contains("--ttl=60", args);
        Assert.Contains("--negative-ttl=10", args);
        Assert.Contains("--debug-names=true", args);
        Assert.Contains("--log-level=debug", args);
        Assert.Contains("--log-format=json", args);
        Assert.Contains("--lameduck=2s", args);
        Assert.Equal(["--round-robin=false", "--tcp-idle-timeout=20s"], args.TakeLast(2));
    }

    [Fact]
    public void Large_numbers_are_written_as_integers()
    {
        IReadOnlyList<string> args = Helm.Render("ttl=2147483647").Args("meshdns");
        Assert.Contains("--ttl=2147483647", args);
    }

    [Fact]
    public void Probes_hit_healthz_and_readyz_on_8090_with_the_configured_timings()
    {
        Manifests m = Helm.Render("livenessProbe.periodSeconds=15", "readinessProbe.failureThreshold=4");
        YamlMappingNode meshdns = m.Container("meshdns");
        Assert.Equal("/healthz", meshdns.Str("livenessProbe", "httpGet", "path"));
        Assert.Equal("8090", CorefileTests.PortNumber(meshdns, meshdns.Str("livenessProbe", "httpGet", "port")!));
        Assert.Equal("/readyz", meshdns.Str("readinessProbe", "httpGet", "path"));
        Assert.Equal("8090", CorefileTests.PortNumber(meshdns, meshdns.Str("readinessProbe", "httpGet", "port")!));
        Assert.Equal("15", meshdns.Str("livenessProbe", "periodSeconds"));
        Assert.Equal("4", meshdns.Str("readinessProbe", "failureThreshold"));
    }

    [Fact]
    public void Image_defaults_to_the_app_version_and_follows_coreDNSPluginImage()
    {
        YamlMappingNode meshdns = Helm.Render().Container("meshdns");
        Assert.Equal("meshdns:0.1.0", meshdns.Str("image"));
        Assert.Equal("IfNotPresent", meshdns.Str("imagePullPolicy"));

        meshdns = Helm.Render("coreDNSPluginImage=registry.example/meshdns:0.2.0", "pullPolicy=Always").Container("meshdns");
        Assert.Equal("registry.example/meshdns:0.2.0", meshdns.Str("image"));
        Assert.Equal("Always", meshdns.Str("imagePullPolicy"));
    }

    [Theory]
    [InlineData(new[] { "image.repository=registry.example/team/meshdns", "image.tag=0.3.1" }, "registry.example/team/meshdns:0.3.1")]
    [InlineData(new[] { "image.repository=registry.example/meshdns" }, "registry.example/meshdns:0.1.0")]
    [InlineData(new[] { "image.tag=dev" }, "meshdns:dev")]
    [InlineData(new[] { "image.repository=registry.example/meshdns", "image.tag=0.3.1", "coreDNSPluginImage=other.example/plugin:1" }, "other.example/plugin:1")]
    public void Image_repository_and_tag_name_the_image_unless_coreDNSPluginImage_is_set(string[] values, string image)
    {
        Assert.Equal(image, Helm.Render(values).Container("meshdns").Str("image"));
    }

    [Theory]
    [InlineData("meshdns", "256Mi")]
    [InlineData("coredns", "170Mi")]
    public void Each_container_has_its_own_resources(string container, string defaultMemoryLimit)
    {
        Assert.Equal(defaultMemoryLimit, Helm.Render().Container(container).Str("resources", "limits", "memory"));
        YamlMappingNode c = Helm.Render($"resources.{container}.limits.memory=99Mi", $"resources.{container}.requests.cpu=11m").Container(container);
        Assert.Equal("99Mi", c.Str("resources", "limits", "memory"));
        Assert.Equal("11m", c.Str("resources", "requests", "cpu"));
    }
}
