using YamlDotNet.RepresentationModel;

namespace MeshDns.Chart.Tests;

/// <summary>PDB, HPA, scrape annotations and the scheduling values: off by default, there when asked for.</summary>
public sealed class OptionalObjectsTests
{
    private static readonly string[] ScrapeKeys = ["prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path"];

    [Theory]
    [InlineData("coredns-sidecar")]
    [InlineData("standalone")]
    public void By_default_there_is_no_pdb_no_hpa_and_one_replica(string mode)
    {
        Manifests m = Helm.Render("mode=" + mode);
        Assert.Empty(m.OfKind("PodDisruptionBudget"));
        Assert.Empty(m.OfKind("HorizontalPodAutoscaler"));
        Assert.Equal("1", m.Deployment.Str("spec", "replicas"));
        string[] expected = mode == "coredns-sidecar"
            ? ["ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "Service", "ServiceAccount"]
            : ["ClusterRole", "ClusterRoleBinding", "Deployment", "Service", "ServiceAccount"];
        Assert.Equal(expected, m.Documents.Select(d => d.Str("kind")!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ReplicaCount_sets_the_replicas()
    {
        Assert.Equal("3", Helm.Render("replicaCount=3").Deployment.Str("spec", "replicas"));
    }

    [Fact]
    public void Pdb_keeps_one_pod_available_when_enabled()
    {
        Manifests m = Helm.Render("podDisruptionBudget.enabled=true", "replicaCount=2");
        YamlMappingNode pdb = m.Single("PodDisruptionBudget");
        Assert.Equal("policy/v1", pdb.Str("apiVersion"));
        Assert.Equal("1", pdb.Str("spec", "minAvailable"));
        Assert.Equal(
            m.Deployment.StringMap("spec", "selector", "matchLabels").OrderBy(l => l.Key, StringComparer.Ordinal),
            pdb.StringMap("spec", "selector", "matchLabels").OrderBy(l => l.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Hpa_scales_the_deployment_on_cpu_and_takes_over_its_replicas()
    {
        Manifests m = Helm.Render("autoscaling.enabled=true", "replicaCount=3");
        YamlMappingNode hpa = m.Single("HorizontalPodAutoscaler");
        Assert.Equal("autoscaling/v2", hpa.Str("apiVersion"));
        Assert.Equal("Deployment", hpa.Str("spec", "scaleTargetRef", "kind"));
        Assert.Equal(m.Deployment.Str("metadata", "name"), hpa.Str("spec", "scaleTargetRef", "name"));
        Assert.Equal("1", hpa.Str("spec", "minReplicas"));
        Assert.Equal("5", hpa.Str("spec", "maxReplicas"));
        YamlNode metric = Assert.Single(hpa.Seq("spec", "metrics"));
        Assert.Equal("cpu", metric.Str("resource", "name"));
        Assert.Equal("Utilization", metric.Str("resource", "target", "type"));
        Assert.Equal("80", metric.Str("resource", "target", "averageUtilization"));
        Assert.False(m.Deployment.Has("spec", "replicas"), "the Deployment must leave replicas to the HPA");
    }

    [Fact]
    public void Hpa_minimum_above_maximum_is_refused()
    {
        HelmResult result = Helm.Template("autoscaling.enabled=true", "autoscaling.minReplicas=6");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("minReplicas", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrape_annotations_are_off_by_default()
    {
        IReadOnlyDictionary<string, string> annotations = Helm.Render().Deployment.StringMap("spec", "template", "metadata", "annotations");
        Assert.DoesNotContain(annotations.Keys, ScrapeKeys.Contains);
    }

    [Theory]
    [InlineData("coredns-sidecar")]
    [InlineData("standalone")]
    public void Scrape_annotations_point_at_meshdns_metrics_when_on(string mode)
    {
        Manifests m = Helm.Render("mode=" + mode, "metrics.scrapeAnnotations=true", "podAnnotations.team=dns");
        IReadOnlyDictionary<string, string> annotations = m.Deployment.StringMap("spec", "template", "metadata", "annotations");
        Assert.Equal("true", annotations["prometheus.io/scrape"]);
        Assert.Equal("8090", annotations["prometheus.io/port"]);
        Assert.Equal("/metrics", annotations["prometheus.io/path"]);
        Assert.Equal("dns", annotations["team"]);
        Assert.Equal("8090", CorefileTests.PortNumber(m.Container("meshdns"), "http"));
    }

    [Fact]
    public void Scheduling_and_pod_values_reach_the_pod()
    {
        Manifests m = Helm.Render(
            "nodeSelector.kubernetes\\.io/os=linux",
            "tolerations[0].key=dedicated", "tolerations[0].operator=Exists",
            "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key=zone",
            "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator=Exists",
            "priorityClassName=system-cluster-critical",
            "imagePullSecrets[0].name=regcred",
            "podLabels.team=dns",
            "podAnnotations.note=hello");
        YamlMappingNode pod = m.PodSpec;
        Assert.Equal("linux", pod.Str("nodeSelector", "kubernetes.io/os"));
        Assert.Equal("dedicated", pod.Seq("tolerations")[0].Str("key"));
        Assert.True(pod.Has("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"));
        Assert.Equal("system-cluster-critical", pod.Str("priorityClassName"));
        Assert.Equal("regcred", pod.Seq("imagePullSecrets")[0].Str("name"));
        Assert.Equal("dns", m.Deployment.Str("spec", "template", "metadata", "labels", "team"));
        Assert.Equal("hello", m.Deployment.Str("spec", "template", "metadata", "annotations", "note"));
    }

    [Fact]
    public void Pod_labels_cannot_break_the_selector()
    {
        Manifests m = Helm.Render("podLabels.app\\.kubernetes\\.io/name=other");
        Assert.Equal("meshdns", m.Deployment.Str("spec", "template", "metadata", "labels", "app.kubernetes.io/name"));
    }
}
