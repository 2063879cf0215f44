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
        Assert.Contains("global:53 { errors; cache 30; forward . ", notes, StringComparison.Ordinal);
        Assert.Contains("coredns-custom", notes, StringComparison.Ordinal);
        Assert.Contains(".server", notes, StringComparison.Ordinal);

        // The written-out form is a Corefile CoreDNS accepts.
        Assert.Contains("global:53 {\n         errors\n         cache 30\n         forward . $CLUSTER_IP\n     }", notes, StringComparison.Ordinal);
    }

    [Fact]
    public void Notes_print_a_fixed_cluster_ip_directly()
    {
        string notes = Helm.Notes("service.clusterIP=10.96.0.53", "service.name=istiocoredns");
        Assert.Contains("10.96.0.53", notes, StringComparison.Ordinal);
        Assert.Contains("global:53 { errors; cache 30; forward . 10.96.0.53 }", notes, StringComparison.Ordinal);
        Assert.DoesNotContain("kubectl get svc", notes, StringComparison.Ordinal);
        Assert.DoesNotContain("$CLUSTER_IP", notes, StringComparison.Ordinal);
        Assert.Contains("istiocoredns", notes, StringComparison.Ordinal);
    }

    [Fact]
    public void Notes_give_one_server_block_per_zone()
    {
        string notes = Helm.Notes("zones={global,mesh.internal}", "service.clusterIP=10.96.0.53");
        Assert.Contains("global:53 { errors; cache 30; forward . 10.96.0.53 }", notes, StringComparison.Ordinal);
        Assert.Contains("mesh.internal:53 { errors; cache 30; forward . 10.96.0.53 }", notes, StringComparison.Ordinal);
    }

    [Fact]
    public void Notes_add_the_service_port_when_it_is_not_53()
    {
        string notes = Helm.Notes("service.clusterIP=10.96.0.53", "service.port=5353");
        Assert.Contains("global:53 { errors; cache 30; forward . 10.96.0.53:5353 }", notes, StringComparison.Ordinal);
    }
}
