namespace MeshDns.Chart.Tests;

/// <summary>NOTES.txt as helm install prints it: the ClusterIP and the server block for the cluster's CoreDNS.</summary>
public sealed class NotesTests
{
    [Theory]
    [InlineData("coredns-sidecar")]
    [InlineData("standalone")]
    public void Notes_tell_how_to_get_the_cluster_ip_and_what_to_add_to_coredns(string mode)
    {
        string notes = Helm.Notes("mode=" + mode);
        Assert.Contains($"kubectl get svc {Helm.Release} -n {Helm.Namespace} -o jsonpath='{{.spec.clusterIP}}'", notes, StringComparison.Ordinal);
        Assert.Contains("coredns-custom", notes, StringComparison.Ordinal);
        Assert.Contains(".server", notes, StringComparison.Ordinal);

        // The block for the editor, one plugin per line as a Corefile needs them.
        Assert.Contains("       global:53 {\n           errors\n           cache 30\n           forward . $CLUSTER_IP\n       }", notes, StringComparison.Ordinal);
    }

    [Fact]
    public void Notes_print_a_fixed_cluster_ip_directly()
    {
        string notes = Helm.Notes("service.clusterIP=10.96.0.53", "service.name=istiocoredns");
        Assert.Contains("10.96.0.53", notes, StringComparison.Ordinal);
        Assert.Contains("forward . 10.96.0.53\n", notes, StringComparison.Ordinal);
        Assert.DoesNotContain("kubectl get svc", notes, StringComparison.Ordinal);
        Assert.DoesNotContain("$CLUSTER_IP", notes, StringComparison.Ordinal);
        Assert.Contains("istiocoredns", notes, StringComparison.Ordinal);
    }

    [Fact]
    public void Notes_give_one_server_block_per_zone()
    {
        string notes = Helm.Notes("zones={global,mesh.internal}", "service.clusterIP=10.96.0.53");
        Assert.Contains("       global:53 {\n           errors\n           cache 30\n           forward . 10.96.0.53\n       }", notes, StringComparison.Ordinal);
        Assert.Contains("       mesh.internal:53 {\n           errors\n           cache 30\n           forward . 10.96.0.53\n       }", notes, StringComparison.Ordinal);
    }

    [Fact]
    public void Notes_add_the_service_port_when_it_is_not_53()
    {
        string notes = Helm.Notes("service.clusterIP=10.96.0.53", "service.port=5353");
        Assert.Contains("forward . 10.96.0.53:5353\n", notes, StringComparison.Ordinal);
        Assert.DoesNotContain("forward . 10.96.0.53\n", notes, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "30")]
    [InlineData(new[] { "ttl=10" }, "10")]
    [InlineData(new[] { "ttl=10", "cacheTtl=5" }, "5")]
    public void Notes_cache_no_longer_than_the_chart_cache_ttl(string[] values, string cache)
    {
        string notes = Helm.Notes([.. values, "service.clusterIP=10.96.0.53"]);
        // One cache line in the editor's block, one in the k3s command, both with the chart's cap.
        string[] caches = System.Text.RegularExpressions.Regex.Matches(notes, @"^ +cache (\S+)$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal([cache, cache], caches);
    }

    [Fact]
    public void Notes_leave_the_cache_out_when_cacheTtl_is_0()
    {
        string notes = Helm.Notes("cacheTtl=0", "service.clusterIP=10.96.0.53");
        Assert.Contains("forward . 10.96.0.53", notes, StringComparison.Ordinal);
        Assert.DoesNotContain("cache", notes, StringComparison.Ordinal);
    }
}
