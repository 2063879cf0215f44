using MeshDns.E2E.Support;

namespace MeshDns.E2E;

/// <summary>
/// The seed procedure on a real cluster with Istio installed, in each chart mode: install the chart, point
/// the cluster's CoreDNS at it for <c>global</c> by running the k3s commands the install notes print, as
/// printed (k3s imports <c>*.server</c> keys of the <c>coredns-custom</c> ConfigMap), create the seed
/// ServiceEntry (checked by istiod's webhook), and dig directly at MeshDns's Service and through the
/// cluster DNS, from a plain pod and from one with an injected Istio sidecar.
/// </summary>
public sealed class ChartTests(K3sCluster cluster) : IClassFixture<K3sCluster>
{
    private static readonly TimeSpan Fast = TimeSpan.FromSeconds(30);
    // The cluster's CoreDNS caches for 30 s (cache 30), negative answers too.
    private static readonly TimeSpan ThroughCache = TimeSpan.FromSeconds(120);

    [K3sFact]
    public Task Coredns_sidecar_mode_answers_directly_and_through_the_cluster_dns() => Scenario("coredns-sidecar");

    [K3sFact]
    public Task Standalone_mode_answers_directly_and_through_the_cluster_dns() => Scenario("standalone");

    private async Task Scenario(string mode)
    {
        string release = $"meshdns-{mode}";
        string ns = release;
        string notes = cluster.Helm("install", release, cluster.Chart, "-n", ns, "--create-namespace", "--wait", "--timeout", "5m",
            "--set", $"mode={mode}", "--set", $"coreDNSPluginImage={cluster.MeshDnsImage}", "--set", "pullPolicy=Never");
        try
        {
            string ip = cluster.Kubectl("get", "svc", "-n", ns, "-l", $"app.kubernetes.io/instance={release}", "-o", "jsonpath={.items[0].spec.clusterIP}").Trim();
            Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", ip);

            // Stub the cluster DNS for global as the notes say, and restart CoreDNS to load it.
            StubClusterDns(notes, ip);
            cluster.Kubectl("-n", "kube-system", "rollout", "restart", "deployment/coredns");
            cluster.Kubectl("-n", "kube-system", "rollout", "status", "deployment/coredns", "--timeout=180s");

            cluster.Kubectl("apply", "-n", "default", "-f", Path.Combine(Repo.Examples, "seed.yaml"));

            foreach ((string Namespace, string Pod) client in new[] { K3sCluster.PlainClient, K3sCluster.InjectedClient })
            {
                foreach (string? server in (string?[])[ip, null])
                {
                    string via = $"{(server is null ? "cluster DNS" : "MeshDns Service")} from {client.Namespace}/{client.Pod}";
                    foreach (string name in (string[])["service1.test.global", "service2.test.global"])
                    {
                        await K3sCluster.Eventually(() => cluster.Dig(server, name, client: client).Data.SequenceEqual(["127.255.0.2"]), server is null ? ThroughCache : Fast, $"{name} A via {via}");
                    }

                    DigResult aaaa = cluster.Dig(server, "service1.test.global", "AAAA", client);
                    Assert.Equal("NOERROR", aaaa.Status);
                    Assert.Empty(aaaa.Answers);
                    Assert.Equal("NXDOMAIN", cluster.Dig(server, "service1.other.global", client: client).Status);
                }
            }

            // Update: both paths follow (the cluster DNS once its cache expires).
            cluster.Kubectl("patch", "serviceentries.networking.istio.io", "test-service-entry", "-n", "default", "--type=json",
                "-p", """[{"op":"replace","path":"/spec/addresses","value":["127.255.0.3"]}]""");
            await K3sCluster.Eventually(() => cluster.Dig(ip, "service1.test.global").Data.SequenceEqual(["127.255.0.3"]), Fast, "update via MeshDns Service");
            await K3sCluster.Eventually(() => cluster.Dig(null, "service2.test.global").Data.SequenceEqual(["127.255.0.3"]), ThroughCache, "update via cluster DNS");
            await K3sCluster.Eventually(() => cluster.Dig(null, "service2.test.global", client: K3sCluster.InjectedClient).Data.SequenceEqual(["127.255.0.3"]), ThroughCache, "update via cluster DNS, sidecar-injected pod");

            // Delete: the name is gone.
            cluster.Kubectl("delete", "serviceentries.networking.istio.io", "test-service-entry", "-n", "default");
            await K3sCluster.Eventually(() => cluster.Dig(ip, "service1.test.global").Status == "NXDOMAIN", Fast, "delete via MeshDns Service");
            await K3sCluster.Eventually(() => cluster.Dig(null, "service2.test.global").Status == "NXDOMAIN", ThroughCache, "delete via cluster DNS");

            // The mapping lines operators grep for.
            string logs = cluster.Kubectl("logs", "-n", ns, "-l", $"app.kubernetes.io/instance={release}", "-c", "meshdns", "--tail=-1");
            Assert.Contains("adding DNS mapping: .test.global.->[127.255.0.2]", logs, StringComparison.Ordinal);
            Assert.Contains("updating DNS mapping: .test.global.->[127.255.0.3]", logs, StringComparison.Ordinal);
            Assert.Contains("removing DNS mapping: .test.global.->[127.255.0.3]", logs, StringComparison.Ordinal);
        }
        finally
        {
            cluster.TryKubectl("delete", "-n", "default", "serviceentries.networking.istio.io", "test-service-entry", "--ignore-not-found");
            cluster.TryKubectl("delete", "-n", "kube-system", "configmap", "coredns-custom", "--ignore-not-found");
            cluster.TryHelm("uninstall", release, "-n", ns, "--wait"); // never hides the failure above
        }
    }

    /// <summary>Stubs the cluster DNS for global with the notes' own commands (ClusterIP, then the k3s
    /// coredns-custom ConfigMap), pasted as printed.</summary>
    private void StubClusterDns(string notes, string ip)
    {
        string[] commands = CommandBlocks(notes[notes.IndexOf("\nNOTES:\n", StringComparison.Ordinal)..])
            .Where(b => b.StartsWith("CLUSTER_IP=", StringComparison.Ordinal) || b.StartsWith("kubectl apply -f - <<EOF", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, commands.Length);
        CommandResult pasted = cluster.Bash("set -eu\n" + string.Join('\n', commands) + "\n");
        Assert.True(pasted.ExitCode == 0, "the notes' k3s commands: " + pasted.All);
        Assert.DoesNotContain("here-document", pasted.Error, StringComparison.Ordinal);
        Assert.Contains($"forward . {ip}", cluster.Kubectl("get", "configmap", "coredns-custom", "-n", "kube-system", "-o", "jsonpath={.data.meshdns\\.server}"), StringComparison.Ordinal);
    }

    /// <summary>The notes' shell commands: the paragraphs that start at the left margin.</summary>
    private static IEnumerable<string> CommandBlocks(string notes) =>
        notes.Split("\n\n").Select(p => p.Trim('\n')).Where(p => p.Length > 0 && !char.IsWhiteSpace(p[0]));
}
