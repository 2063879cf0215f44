using MeshDns.E2E.Support;

namespace MeshDns.E2E;

/// <summary>
/// The seed procedure on a real cluster, in each chart mode: install the chart, point the cluster's CoreDNS
/// at it for <c>global</c> (k3s imports <c>*.server</c> keys of the <c>coredns-custom</c> ConfigMap), create
/// the seed ServiceEntry, and dig from a pod, directly at MeshDns's Service and through the cluster DNS.
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
            Assert.Contains("global:53 { errors; cache 30; forward .", notes, StringComparison.Ordinal);
            string ip = cluster.Kubectl("get", "svc", "-n", ns, "-l", $"app.kubernetes.io/instance={release}", "-o", "jsonpath={.items[0].spec.clusterIP}").Trim();
            Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", ip);

            // Stub the cluster DNS for global, the stanza the chart's NOTES print, and restart CoreDNS to load it.
            string stanza = $"global:53 {{\n    errors\n    cache 30\n    forward . {ip}\n}}\n";
            string configMap = Path.Combine(Path.GetDirectoryName(cluster.Kubeconfig)!, $"coredns-custom-{mode}.yaml");
            await File.WriteAllTextAsync(configMap, $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: coredns-custom\n  namespace: kube-system\ndata:\n  global.server: |\n{string.Join('\n', stanza.Split('\n').Select(l => l.Length > 0 ? "    " + l : l))}");
            cluster.Kubectl("apply", "-f", configMap);
            cluster.Kubectl("-n", "kube-system", "rollout", "restart", "deployment/coredns");
            cluster.Kubectl("-n", "kube-system", "rollout", "status", "deployment/coredns", "--timeout=180s");

            cluster.Kubectl("apply", "-n", "default", "-f", Path.Combine(Repo.Examples, "seed.yaml"));

            foreach (string? server in (string?[])[ip, null])
            {
                string via = server is null ? "cluster DNS" : "MeshDns Service";
                foreach (string name in (string[])["service1.test.global", "service2.test.global"])
                {
                    await K3sCluster.Eventually(() => cluster.Dig(server, name).Data.SequenceEqual(["127.255.0.2"]), server is null ? ThroughCache : Fast, $"{name} A via {via}");
                }

                DigResult aaaa = cluster.Dig(server, "service1.test.global", "AAAA");
                Assert.Equal("NOERROR", aaaa.Status);
                Assert.Empty(aaaa.Answers);
                Assert.Equal("NXDOMAIN", cluster.Dig(server, "service1.other.global").Status);
            }

            // Update: both paths follow (the cluster DNS once its cache expires).
            cluster.Kubectl("patch", "serviceentries.networking.istio.io", "test-service-entry", "-n", "default", "--type=json",
                "-p", """[{"op":"replace","path":"/spec/addresses","value":["127.255.0.3"]}]""");
            await K3sCluster.Eventually(() => cluster.Dig(ip, "service1.test.global").Data.SequenceEqual(["127.255.0.3"]), Fast, "update via MeshDns Service");
            await K3sCluster.Eventually(() => cluster.Dig(null, "service2.test.global").Data.SequenceEqual(["127.255.0.3"]), ThroughCache, "update via cluster DNS");

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
}
