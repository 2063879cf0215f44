using YamlDotNet.RepresentationModel;

namespace MeshDns.Chart.Tests;

/// <summary>The Service: port 53 UDP and TCP onto the pods' 1053, in both modes.</summary>
public sealed class ServiceTests
{
    [Theory]
    [InlineData("coredns-sidecar", "coredns")]
    [InlineData("standalone", "meshdns")]
    public void Service_maps_53_udp_and_tcp_to_the_dns_container_on_1053(string mode, string dnsContainer)
    {
        Manifests m = Helm.Render("mode=" + mode);
        YamlMappingNode service = m.Single("Service");
        Assert.Equal("ClusterIP", service.Str("spec", "type"));
        Assert.Null(service.Opt("spec", "clusterIP"));

        var ports = service.Seq("spec", "ports").Cast<YamlMappingNode>()
            .Select(p => (Port: p.Str("port"), Protocol: p.Str("protocol"), Target: p.Str("targetPort")))
            .OrderBy(p => p.Protocol, StringComparer.Ordinal)
            .ToArray();
        Assert.Equal([("53", "TCP", "dns-tcp"), ("53", "UDP", "dns")], ports);

        // The named target ports exist on the container that answers DNS in this mode, and only there.
        YamlMappingNode container = m.Container(dnsContainer);
        var named = container.Seq("ports").Cast<YamlMappingNode>().ToDictionary(p => p.Str("name")!, p => (Port: p.Str("containerPort"), Protocol: p.Str("protocol")));
        Assert.Equal(("1053", "UDP"), named["dns"]);
        Assert.Equal(("1053", "TCP"), named["dns-tcp"]);
        foreach (YamlMappingNode other in m.Containers.Where(c => c.Str("name") != dnsContainer))
        {
            Assert.DoesNotContain(other.Seq("ports").Cast<YamlMappingNode>(), p => p.Str("containerPort") == "1053");
        }

        // The selector picks this Deployment's pods.
        IReadOnlyDictionary<string, string> podLabels = m.Deployment.StringMap("spec", "template", "metadata", "labels");
        IReadOnlyDictionary<string, string> selector = service.StringMap("spec", "selector");
        Assert.NotEmpty(selector);
        Assert.All(selector, s => Assert.Equal(s.Value, podLabels.GetValueOrDefault(s.Key)));
        Assert.Equal(selector.OrderBy(s => s.Key, StringComparer.Ordinal), m.Deployment.StringMap("spec", "selector", "matchLabels").OrderBy(s => s.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Service_name_defaults_to_the_full_name_and_can_be_istiocoredns()
    {
        Assert.Equal("meshdns", Helm.Render().Single("Service").Str("metadata", "name"));
        Assert.Equal("istiocoredns", Helm.Render("service.name=istiocoredns").Single("Service").Str("metadata", "name"));
    }

    [Fact]
    public void Service_takes_a_fixed_cluster_ip()
    {
        YamlMappingNode service = Helm.Render("service.clusterIP=10.96.0.53").Single("Service");
        Assert.Equal("10.96.0.53", service.Str("spec", "clusterIP"));
    }

    [Fact]
    public void Every_object_carries_the_standard_labels()
    {
        Manifests m = Helm.Render("podDisruptionBudget.enabled=true", "autoscaling.enabled=true");
        Assert.True(m.Documents.Count >= 8, "objects rendered: " + m.Documents.Count);
        foreach (YamlMappingNode doc in m.Documents)
        {
            IReadOnlyDictionary<string, string> labels = doc.StringMap("metadata", "labels");
            string what = $"{doc.Str("kind")} {doc.Str("metadata", "name")}";
            Assert.True(labels.GetValueOrDefault("app.kubernetes.io/name") == "meshdns", what);
            Assert.True(labels.GetValueOrDefault("app.kubernetes.io/instance") == Helm.Release, what);
            Assert.True(labels.GetValueOrDefault("app.kubernetes.io/version") == "0.1.0", what);
            Assert.True(labels.GetValueOrDefault("app.kubernetes.io/managed-by") == "Helm", what);
            Assert.True(labels.GetValueOrDefault("helm.sh/chart") == "meshdns-0.1.0", what);
        }
    }
}
