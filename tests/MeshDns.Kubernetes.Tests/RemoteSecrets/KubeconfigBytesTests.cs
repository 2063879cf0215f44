using System.Text;
using MeshDns.Kubernetes.Tests.ApiServer;
using MeshDns.Sources.Kubernetes;

namespace MeshDns.Kubernetes.Tests.RemoteSecrets;

/// <summary>A kubeconfig read from bytes (a remote secret's value): inline credentials only, messages without contents.</summary>
public sealed class KubeconfigBytesTests
{
    private const string Token = "bytes-token-31d0";
    private static readonly Uri Server = new("https://10.1.2.3:6443/");

    private static string Good(string context = "remote") => KubeconfigWriter.Render(Server, Token, null, insecureSkipTlsVerify: true, contextName: context);

    [Fact]
    public void Loads_the_current_context_with_its_inline_token()
    {
        k8s.KubernetesClientConfiguration config = KubernetesConfiguration.FromKubeconfig(Encoding.UTF8.GetBytes(Good()), "secret s, cluster c");
        Assert.Equal(("https://10.1.2.3:6443", Token, true), (config.Host?.TrimEnd('/'), config.AccessToken, config.SkipTlsVerify));
    }

    [Theory]
    [InlineData("    insecure-skip-tls-verify: true\n", "    certificate-authority: /etc/kubernetes/ca.crt\n", "names a certificate-authority file")]
    [InlineData($"    token: \"{Token}\"\n", "    client-certificate: /etc/cert.pem\n    client-key: /etc/key.pem\n", "names a client certificate or key file")]
    [InlineData($"    token: \"{Token}\"\n", "    auth-provider: {name: oidc, config: {id-token: " + Token + "}}\n", "uses an auth-provider")]
    public void Refuses_what_reaches_outside_the_kubeconfig(string replaced, string by, string reason)
    {
        string yaml = Good().Replace(replaced, by, StringComparison.Ordinal);
        Assert.NotEqual(Good(), yaml);
        KubernetesConfigException e = Assert.Throws<KubernetesConfigException>(() => KubernetesConfiguration.FromKubeconfig(Encoding.UTF8.GetBytes(yaml), "secret s, cluster c"));
        Assert.Equal($"secret s, cluster c: the kubeconfig {reason}; only inline credentials are accepted", e.Message);
    }

    [Theory]
    [InlineData("clusters: [\n  token: " + Token, "is not valid YAML (line")]
    [InlineData("current-context: nowhere\nusers: [{name: u, user: {token: " + Token + "}}]\n", "is unusable: ")]
    [InlineData(" \n", "is empty")]
    [InlineData("kind: Config\nclusters: 7\n", "")]
    public void A_broken_kubeconfig_is_one_line_without_its_contents(string yaml, string expected)
    {
        KubernetesConfigException e = Assert.Throws<KubernetesConfigException>(() => KubernetesConfiguration.FromKubeconfig(Encoding.UTF8.GetBytes(yaml), "secret s, cluster c"));
        Assert.StartsWith("secret s, cluster c: the kubeconfig " + expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
