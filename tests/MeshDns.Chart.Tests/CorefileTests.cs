using YamlDotNet.RepresentationModel;

namespace MeshDns.Chart.Tests;

/// <summary>The CoreDNS container and its Corefile in coredns-sidecar mode.</summary>
public sealed class CorefileTests
{
    [Fact]
    public void Default_corefile_is_istiocoredns_on_port_1053()
    {
        Corefile corefile = Helm.Render().Corefile;
        Assert.Contains("grpc global 127.0.0.1:8053", corefile.Text, StringComparison.Ordinal);
        Assert.Contains("except global", corefile.Text, StringComparison.Ordinal);

        ServerBlock block = Assert.Single(corefile.Blocks);
        Assert.Equal([".:1053"], block.Keys);
        Assert.Equal("global 127.0.0.1:8053", string.Join(' ', block.One("grpc")!.Args));
        Directive forward = block.One("forward")!;
        Assert.Equal([".", "/etc/resolv.conf"], forward.Args);
        Assert.Equal("except global", Assert.Single(forward.Block).ToString());
        Assert.Equal(["30"], block.One("cache")!.Args);
        Assert.Equal([":9153"], block.One("prometheus")!.Args);
        Assert.Equal([":8080"], block.One("health")!.Args);
        Assert.Equal([":8181"], block.One("ready")!.Args);
        Assert.NotNull(block.One("errors"));
        Assert.NotNull(block.One("reload"));
    }

    public static TheoryData<string[]> ZoneSets => new()
    {
        { ["global"] },
        { ["global", "mesh.internal"] },
        { ["mesh.internal", "global", "corp.example.com"] },
    };

    [Theory]
    [MemberData(nameof(ZoneSets))]
    public void Every_zone_reaches_meshdns_over_grpc_and_none_is_forwarded(string[] zones)
    {
        Corefile corefile = Helm.Render($"zones={{{string.Join(',', zones)}}}").Corefile;

        // Every server block listens on 1053 (no root needed), no key twice, each plugin at most once.
        string[] keys = corefile.Blocks.SelectMany(b => b.Keys).ToArray();
        Assert.All(keys, k => Assert.EndsWith(":1053", k, StringComparison.Ordinal));
        Assert.Equal(keys.Length, keys.Distinct(StringComparer.Ordinal).Count());
        foreach (ServerBlock block in corefile.Blocks)
        {
            foreach (IGrouping<string, Directive> plugin in block.Directives.GroupBy(d => d.Name))
            {
                Assert.True(plugin.Count() == 1, $"{plugin.Key} twice in {string.Join(' ', block.Keys)}");
            }
        }

        // Names outside the zones go to the node's resolvers, from the catch-all block only.
        ServerBlock root = corefile.Block(".:1053");
        Directive forward = Assert.Single(corefile.Blocks.SelectMany(b => b.All("forward")));
        Assert.Same(forward, root.One("forward"));
        Directive except = Assert.Single(forward.Block, d => d.Name == "except");
        Assert.Equal(zones.Order(StringComparer.Ordinal), except.Args.Order(StringComparer.Ordinal));

        // Each zone is handled by a block that CoreDNS picks for it (its own, else the catch-all) and whose
        // grpc plugin sends that zone to MeshDns.
        foreach (string zone in zones)
        {
            ServerBlock block = corefile.Blocks.SingleOrDefault(b => b.Keys.Contains($"{zone}:1053")) ?? root;
            Directive? grpc = block.One("grpc");
            Assert.True(grpc is not null, $"zone {zone}: its server block {string.Join(' ', block.Keys)} has no grpc");
            Assert.True(grpc.Args.Count == 2 && grpc.Args[1] == "127.0.0.1:8053", "grpc " + string.Join(' ', grpc.Args));
            Assert.True(grpc.Args[0] is "." || grpc.Args[0] == zone, $"zone {zone}: grpc sends {grpc.Args[0]}");
            Assert.DoesNotContain(block.Keys, k => k != ".:1053" && k != $"{zone}:1053");
            Assert.Contains(zone, except.Args);
        }

        // Health, readiness and reload are process-wide in CoreDNS: exactly one block has each.
        foreach (string plugin in new[] { "health", "ready", "reload" })
        {
            Assert.Single(corefile.Blocks, b => b.One(plugin) is not null);
        }

        Assert.All(corefile.Blocks, b => Assert.Equal([":9153"], b.One("prometheus")!.Args));
        Assert.All(corefile.Blocks, b => Assert.Equal(["30"], b.One("cache")!.Args));
    }

    [Fact]
    public void A_zone_with_a_trailing_dot_is_written_without_it()
    {
        Manifests m = Helm.Render("zones={global.,mesh.internal.}");
        Assert.Contains("grpc global 127.0.0.1:8053", m.Corefile.Text, StringComparison.Ordinal);
        Assert.NotNull(m.Corefile.Block("mesh.internal:1053"));
        Assert.Contains("--zone=mesh.internal", m.Args("meshdns"));
    }

    [Theory]
    [InlineData("coredns-sidecar")]
    [InlineData("standalone")]
    public void Reverse_zones_are_zones_of_their_own(string mode)
    {
        Manifests m = Helm.Render("mode=" + mode, "reverseZones={0.240.in-addr.arpa,8.b.d.0.1.0.0.2.ip6.arpa.}");
        string[] zones = ["global", "0.240.in-addr.arpa", "8.b.d.0.1.0.0.2.ip6.arpa"];
        Assert.Equal(zones.Select(z => "--zone=" + z), m.Args("meshdns").Where(a => a.StartsWith("--zone", StringComparison.Ordinal)));
        if (mode == "coredns-sidecar")
        {
            foreach (string zone in zones.Skip(1))
            {
                Assert.Equal($"{zone} 127.0.0.1:8053", string.Join(' ', m.Corefile.Block($"{zone}:1053").One("grpc")!.Args));
            }

            Directive except = Assert.Single(m.Corefile.Block(".:1053").One("forward")!.Block, d => d.Name == "except");
            Assert.Equal(zones, except.Args);
        }
    }

    [Fact]
    public void Reverse_zones_need_zones()
    {
        HelmResult result = Helm.Template("mode=standalone", "zones=null", "reverseZones={0.240.in-addr.arpa}");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("reverseZones needs zones", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Sidecar_mode_needs_at_least_one_zone()
    {
        HelmResult result = Helm.Template("zones=null");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("zones", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Coredns_container_reads_the_configmap_corefile_and_is_probed_on_health_and_ready()
    {
        Manifests m = Helm.Render("coreDNSTag=1.11.3", "readinessProbe.periodSeconds=7");
        YamlMappingNode coredns = m.Container("coredns");
        Assert.Equal("coredns/coredns:1.11.3", coredns.Str("image"));
        Assert.Equal(["-conf", "/etc/coredns/Corefile"], coredns.Strings("args"));

        YamlMappingNode mount = (YamlMappingNode)Assert.Single(coredns.Seq("volumeMounts"));
        Assert.Equal("/etc/coredns", mount.Str("mountPath"));
        YamlMappingNode volume = m.PodSpec.Seq("volumes").Cast<YamlMappingNode>().Single(v => v.Str("name") == mount.Str("name"));
        Assert.Equal(m.Single("ConfigMap").Str("metadata", "name"), volume.Str("configMap", "name"));

        Assert.Equal("/health", coredns.Str("livenessProbe", "httpGet", "path"));
        Assert.Equal("8080", PortNumber(coredns, coredns.Str("livenessProbe", "httpGet", "port")!));
        Assert.Equal("/ready", coredns.Str("readinessProbe", "httpGet", "path"));
        Assert.Equal("8181", PortNumber(coredns, coredns.Str("readinessProbe", "httpGet", "port")!));
        Assert.Equal("7", coredns.Str("readinessProbe", "periodSeconds"));
        Assert.Equal("9153", PortNumber(coredns, "metrics"));
        Assert.Equal("Default", m.PodSpec.Str("dnsPolicy"));
    }

    [Fact]
    public void Default_coredns_image_is_a_current_release()
    {
        string image = Helm.Render().Container("coredns").Str("image")!;
        Assert.Matches(@"^coredns/coredns:1\.1[12]\.[0-9]+$", image);
    }

    [Fact]
    public void Standalone_mode_has_no_coredns()
    {
        Manifests m = Helm.Render("mode=standalone");
        Assert.Equal(["meshdns"], m.Containers.Select(c => c.Str("name")));
        Assert.Empty(m.OfKind("ConfigMap"));
        Assert.Null(m.PodSpec.Opt("volumes"));
    }

    /// <summary>A probe's port: a number, or the name of one of the container's ports.</summary>
    internal static string PortNumber(YamlMappingNode container, string port) =>
        port.All(char.IsAsciiDigit)
            ? port
            : container.Seq("ports").Cast<YamlMappingNode>().SingleOrDefault(p => p.Str("name") == port)?.Str("containerPort")
              ?? throw new Xunit.Sdk.XunitException($"{container.Str("name")} has no port named {port}");
}
