using YamlDotNet.RepresentationModel;

namespace MeshDns.Chart.Tests;

/// <summary>remoteSecrets: off by default; when enabled, --remote-secrets and a Role on that one namespace's Secrets.</summary>
public sealed class RemoteSecretsTests
{
    [Theory]
    [InlineData("coredns-sidecar")]
    [InlineData("standalone")]
    public void Off_by_default_no_flag_and_no_role(string mode)
    {
        Manifests m = Helm.Render("mode=" + mode);
        Assert.DoesNotContain(m.Args("meshdns"), a => a.StartsWith("--remote-secrets", StringComparison.Ordinal));
        Assert.Empty(m.OfKind("Role"));
        Assert.Empty(m.OfKind("RoleBinding"));
    }

    [Theory]
    [InlineData("coredns-sidecar")]
    [InlineData("standalone")]
    public void Enabled_passes_the_namespace_and_may_read_secrets_there_only(string mode)
    {
        Manifests m = Helm.Render("mode=" + mode, "remoteSecrets.enabled=true");
        Assert.Single(m.Args("meshdns"), a => a.StartsWith("--remote-secrets", StringComparison.Ordinal));
        Assert.Contains("--remote-secrets=istio-system", m.Args("meshdns"));

        YamlMappingNode role = m.Single("Role");
        Assert.Equal("istio-system", role.Str("metadata", "namespace"));
        YamlNode rule = Assert.Single(role.Seq("rules"));
        Assert.Equal([""], rule.Strings("apiGroups"));
        Assert.Equal(["secrets"], rule.Strings("resources"));
        Assert.Equal(["get", "list", "watch"], rule.Strings("verbs").Order(StringComparer.Ordinal));
        Assert.Equal(["apiGroups", "resources", "verbs"], ((YamlMappingNode)rule).Children.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));

        YamlMappingNode binding = m.Single("RoleBinding");
        Assert.Equal("istio-system", binding.Str("metadata", "namespace"));
        Assert.Equal("Role", binding.Str("roleRef", "kind"));
        Assert.Equal(role.Str("metadata", "name"), binding.Str("roleRef", "name"));
        YamlNode subject = Assert.Single(binding.Seq("subjects"));
        Assert.Equal(("ServiceAccount", m.PodSpec.Str("serviceAccountName"), Helm.Namespace), (subject.Str("kind"), subject.Str("name"), subject.Str("namespace")));

        // The cluster-wide role still reads ServiceEntries and nothing else.
        Assert.Equal(["serviceentries"], Assert.Single(m.Single("ClusterRole").Seq("rules")).Strings("resources"));
    }

    [Fact]
    public void Another_namespace_moves_the_flag_and_the_role_the_binding_keeps_the_release_service_account()
    {
        Manifests m = Helm.Render("remoteSecrets.enabled=true", "remoteSecrets.namespace=istio-config");
        Assert.Contains("--remote-secrets=istio-config", m.Args("meshdns"));
        Assert.Equal("istio-config", m.Single("Role").Str("metadata", "namespace"));
        Assert.Equal("istio-config", m.Single("RoleBinding").Str("metadata", "namespace"));
        Assert.Equal(Helm.Namespace, Assert.Single(m.Single("RoleBinding").Seq("subjects")).Str("namespace"));
    }

    [Fact]
    public void Without_rbac_create_the_flag_stays_and_the_role_is_left_to_the_user()
    {
        Manifests m = Helm.Render("remoteSecrets.enabled=true", "rbac.create=false");
        Assert.Contains("--remote-secrets=istio-system", m.Args("meshdns"));
        Assert.Empty(m.OfKind("Role"));
        Assert.Empty(m.OfKind("RoleBinding"));
    }

    [Fact]
    public void Strict_lint_passes_when_enabled()
    {
        HelmResult result = Helm.Lint(true, "remoteSecrets.enabled=true", "remoteSecrets.namespace=istio-config");
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.DoesNotContain("[ERROR]", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[WARNING]", result.Output, StringComparison.Ordinal);
    }
}
