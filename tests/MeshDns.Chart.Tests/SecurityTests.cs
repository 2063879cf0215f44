using YamlDotNet.RepresentationModel;

namespace MeshDns.Chart.Tests;

/// <summary>No root, no capabilities, read-only everything; RBAC reads ServiceEntries and nothing else.</summary>
public sealed class SecurityTests
{
    public static TheoryData<string, string[]> Modes => new()
    {
        { "coredns-sidecar", ["coredns", "meshdns"] },
        { "standalone", ["meshdns"] },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Pod_runs_as_1337_with_the_runtime_default_seccomp_profile(string mode, string[] containers)
    {
        Manifests m = Helm.Render("mode=" + mode);
        YamlMappingNode pod = m.PodSpec;
        Assert.Equal("true", pod.Str("securityContext", "runAsNonRoot"));
        Assert.Equal("1337", pod.Str("securityContext", "runAsUser"));
        Assert.Equal("1337", pod.Str("securityContext", "runAsGroup"));
        Assert.Equal("1337", pod.Str("securityContext", "fsGroup"));
        Assert.Equal("RuntimeDefault", pod.Str("securityContext", "seccompProfile", "type"));
        Assert.Null(pod.Opt("hostNetwork"));
        Assert.Equal(containers, m.Containers.Select(c => c.Str("name")));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Every_container_is_unprivileged_read_only_and_drops_all_capabilities(string mode, string[] containers)
    {
        Manifests m = Helm.Render("mode=" + mode);
        Assert.Equal(containers.Length, m.Containers.Count);
        foreach (YamlMappingNode container in m.Containers)
        {
            string name = container.Str("name")!;
            Assert.True(container.Str("securityContext", "allowPrivilegeEscalation") == "false", name + ": allowPrivilegeEscalation");
            Assert.True(container.Str("securityContext", "readOnlyRootFilesystem") == "true", name + ": readOnlyRootFilesystem");
            Assert.True(container.Strings("securityContext", "capabilities", "drop").SequenceEqual(["ALL"]), name + ": capabilities.drop");
            Assert.Null(container.Opt("securityContext", "capabilities", "add"));
            Assert.NotEqual("true", container.Str("securityContext", "privileged"));
            Assert.NotEqual("0", container.Str("securityContext", "runAsUser"));

            // Unprivileged ports only: the pods listen on 1053, the Service maps 53 onto it.
            foreach (YamlMappingNode port in container.Seq("ports").Cast<YamlMappingNode>())
            {
                Assert.True(int.Parse(port.Str("containerPort")!, System.Globalization.CultureInfo.InvariantCulture) >= 1024, $"{name} listens on privileged port {port.Str("containerPort")}");
            }
        }
    }

    [Theory]
    [InlineData("coredns-sidecar")]
    [InlineData("standalone")]
    public void ClusterRole_allows_exactly_get_list_watch_on_serviceentries(string mode)
    {
        Manifests m = Helm.Render("mode=" + mode);
        YamlMappingNode role = m.Single("ClusterRole");
        YamlSequenceNode rules = role.Seq("rules");
        Assert.Single(rules);
        YamlNode rule = rules[0];
        Assert.Equal(["networking.istio.io"], rule.Strings("apiGroups"));
        Assert.Equal(["serviceentries"], rule.Strings("resources"));
        Assert.Equal(["get", "list", "watch"], rule.Strings("verbs").Order(StringComparer.Ordinal));
        Assert.Equal(["apiGroups", "resources", "verbs"], ((YamlMappingNode)rule).Children.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));
        Assert.Empty(m.OfKind("Role"));

        // The binding gives that role to the pod's service account, in the release's namespace.
        YamlMappingNode binding = m.Single("ClusterRoleBinding");
        Assert.Equal("ClusterRole", binding.Str("roleRef", "kind"));
        Assert.Equal(role.Str("metadata", "name"), binding.Str("roleRef", "name"));
        YamlNode subject = Assert.Single(binding.Seq("subjects"));
        Assert.Equal("ServiceAccount", subject.Str("kind"));
        Assert.Equal(m.PodSpec.Str("serviceAccountName"), subject.Str("name"));
        Assert.Equal(Helm.Namespace, subject.Str("namespace"));
        Assert.Equal(m.PodSpec.Str("serviceAccountName"), m.Single("ServiceAccount").Str("metadata", "name"));
        Assert.Equal("true", m.PodSpec.Str("automountServiceAccountToken"));
    }

    [Fact]
    public void Termination_grace_period_outlasts_the_lame_duck()
    {
        Manifests m = Helm.Render();
        Assert.Contains("--lameduck=5s", m.Args("meshdns"));
        Assert.True(int.Parse(m.PodSpec.Str("terminationGracePeriodSeconds")!, System.Globalization.CultureInfo.InvariantCulture) > 5);
    }

    [Theory]
    [InlineData("lameduck=30s")]
    [InlineData("lameduck=1m")]
    [InlineData("terminationGracePeriodSeconds=5")]
    public void A_grace_period_no_longer_than_the_lame_duck_is_refused(string value)
    {
        HelmResult result = Helm.Template(value);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("terminationGracePeriodSeconds", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("lameduck", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_longer_lame_duck_with_a_longer_grace_period_renders_and_reaches_coredns_too()
    {
        Manifests m = Helm.Render("lameduck=20s", "terminationGracePeriodSeconds=40");
        Assert.Contains("--lameduck=20s", m.Args("meshdns"));
        Directive health = m.Corefile.Block(".:1053").One("health")!;
        Assert.Equal("lameduck 20s", Assert.Single(health.Block).ToString());
    }

    [Fact]
    public void Rbac_and_service_account_can_be_left_to_the_user()
    {
        Manifests m = Helm.Render("rbac.create=false", "serviceAccount.create=false", "serviceAccount.name=dns-reader");
        Assert.Empty(m.OfKind("ClusterRole"));
        Assert.Empty(m.OfKind("ClusterRoleBinding"));
        Assert.Empty(m.OfKind("ServiceAccount"));
        Assert.Equal("dns-reader", m.PodSpec.Str("serviceAccountName"));
    }
}
