using System.Text.Json;

namespace MeshDns.Chart.Tests;

/// <summary>values.schema.json: bad values make helm fail, with a message that names the problem.</summary>
public sealed class SchemaTests
{
    [Theory]
    [InlineData("mode=sidecar", "/mode", "coredns-sidecar")]
    [InlineData("replicaCount=-1", "/replicaCount", "minimum")]
    [InlineData("replicaCuont=2", "replicaCuont", "not allowed")]
    [InlineData("logLevel=verbose", "/logLevel", "debug")]
    [InlineData("logFormat=yaml", "/logFormat", "json")]
    [InlineData("service.port=0", "/service/port", "minimum")]
    [InlineData("service.port=65536", "/service/port", "maximum")]
    [InlineData("service.prot=53", "prot", "not allowed")]
    [InlineData("zones={bad zone}", "/zones/0", "pattern")]
    [InlineData("reverseZones={global}", "/reverseZones/0", "pattern")]
    [InlineData("reverseZones={1.2.3.4.5.in-addr.arpa}", "/reverseZones/0", "pattern")]
    [InlineData("ttl=-5", "/ttl", "minimum")]
    [InlineData("lameduck=soon", "/lameduck", "pattern")]
    [InlineData("pullPolicy=Sometimes", "/pullPolicy", "IfNotPresent")]
    [InlineData("autoscaling.maxReplicas=0", "/autoscaling/maxReplicas", "minimum")]
    [InlineData("defaultAddress=not-an-ip", "/defaultAddress", "anyOf")]
    [InlineData("namespaces={Istio_System}", "/namespaces/0", "pattern")]
    [InlineData("metrics.scrapeAnnotations=maybe", "/metrics/scrapeAnnotations", "boolean")]
    [InlineData("remoteSecrets.namespace=Istio_System", "/remoteSecrets/namespace", "pattern")]
    [InlineData("remoteSecrets.enabled=maybe", "/remoteSecrets/enabled", "boolean")]
    [InlineData("remoteSecrets.enable=true", "enable", "not allowed")]
    public void Bad_values_fail_with_a_message_naming_them(string value, string where, string what)
    {
        HelmResult result = Helm.Template(value);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("schema", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(where, result.Stderr, StringComparison.Ordinal);
        Assert.Contains(what, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("replicaCount=0")]
    [InlineData("mode=standalone")]
    [InlineData("global.hub=docker.io/istio")]
    [InlineData("podDisruptionBudget.minAvailable=50%")]
    [InlineData("negativeTtl=0")]
    [InlineData("defaultAddress=fd00::1")]
    [InlineData("reverseZones={in-addr.arpa,ip6.arpa}")]
    public void Good_values_pass(string value)
    {
        HelmResult result = Helm.Template(value);
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    [Fact]
    public void Schema_is_draft_07_closed_at_the_top_and_covers_every_default_value()
    {
        using JsonDocument schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Helm.ChartDir, "values.schema.json")));
        JsonElement root = schema.RootElement;
        Assert.Equal("http://json-schema.org/draft-07/schema#", root.GetProperty("$schema").GetString());
        Assert.False(root.GetProperty("additionalProperties").GetBoolean());
        JsonElement properties = root.GetProperty("properties");
        Assert.Equal(["coredns-sidecar", "standalone"], properties.GetProperty("mode").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, properties.GetProperty("replicaCount").GetProperty("minimum").GetInt32());

        // Every key of values.yaml has a typed entry in the schema.
        HelmResult values = Helm.Run(["show", "values", Helm.ChartDir]);
        Assert.True(values.ExitCode == 0, values.Output);
        var top = Manifests.Parse(values.Stdout).Documents.Single();
        foreach (string key in top.Children.Keys.Select(k => k.ToString()))
        {
            Assert.True(properties.TryGetProperty(key, out JsonElement entry), $"values.yaml key {key} is not in the schema");
            Assert.True(entry.TryGetProperty("type", out _) || entry.TryGetProperty("anyOf", out _), $"schema entry {key} has no type");
        }
    }
}
