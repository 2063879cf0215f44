using System.Net;
using System.Net.Sockets;
using MeshDns.E2E.Support;
using MeshDns.Kubernetes.Tests.ApiServer;
using YamlDotNet.RepresentationModel;

namespace MeshDns.E2E;

/// <summary>
/// The chart's MeshDns container, as the chart renders it, run from the image the way a kubelet would:
/// its command and args, the pod's user and group, a read-only root filesystem, all capabilities dropped,
/// a service account mounted and the API server in KUBERNETES_SERVICE_HOST/PORT (the fake, over TLS).
/// Then its probes and ports are exercised. This ties chart, image and binary together without a
/// cluster; the k3s tests (ChartTests) do the same on a real one.
/// </summary>
[Collection(ImageCollection.Name)]
public sealed class ChartPodTests(ImageFixture image)
{
    [ImageFact]
    public Task Standalone_container_serves_dns_on_its_port_and_passes_its_probes() => RunPod("standalone");

    [ImageFact]
    public Task Sidecar_container_serves_grpc_not_dns_and_passes_its_probes() => RunPod("coredns-sidecar");

    private async Task RunPod(string mode)
    {
        Assert.True(image.Built);
        YamlMappingNode spec = RenderPodSpec(mode);
        YamlMappingNode container = ((YamlSequenceNode)spec["containers"]).Children.Cast<YamlMappingNode>().Single(c => Scalar(c, "name") == "meshdns");
        string[] command = [.. ((YamlSequenceNode)container["command"]).Children.Select(n => ((YamlScalarNode)n).Value!)];
        string[] args = [.. ((YamlSequenceNode)container["args"]).Children.Select(n => ((YamlScalarNode)n).Value!)];
        var podSecurity = (YamlMappingNode)spec["securityContext"];
        var security = (YamlMappingNode)container["securityContext"];
        Assert.Equal("true", Scalar(security, "readOnlyRootFilesystem"));
        Assert.Equal(["ALL"], ((YamlSequenceNode)((YamlMappingNode)security["capabilities"])["drop"]).Children.Select(n => ((YamlScalarNode)n).Value));

        await using SimulatedPod pod = await SimulatedPod.StartAsync("chart-token");
        string name = $"meshdns-e2e-chart-{mode}-{Environment.ProcessId}";
        try
        {
            Podman.Check([
                "run", "-d", "--name", name, "--network", "host",
                "--user", $"{Scalar(podSecurity, "runAsUser")}:{Scalar(podSecurity, "runAsGroup")}",
                "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                .. pod.PodmanArgs,
                "--entrypoint", command[0], ImageFixture.Tag, .. command[1..], .. args]);
            Podman.WaitForLog(name, "meshdns serving", TimeSpan.FromSeconds(30));

            using var http = new HttpClient();
            foreach (string probe in (string[])["livenessProbe", "readinessProbe"])
            {
                var get = (YamlMappingNode)((YamlMappingNode)container[probe])["httpGet"];
                int port = ContainerPort(container, Scalar(get, "port"));
                await FakeKubeApiServer.WaitUntilAsync(
                    () => http.GetAsync($"http://127.0.0.1:{port}{Scalar(get, "path")}").GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK,
                    TimeSpan.FromSeconds(20), $"{mode} {probe}");
            }

            // gRPC: on the pod's loopback only in sidecar mode (CoreDNS's target, 127.0.0.1:8053), on all
            // interfaces (a container port) in standalone mode.
            string grpcListen = args.Single(a => a.StartsWith("--grpc-listen=", StringComparison.Ordinal))["--grpc-listen=".Length..];
            Assert.Equal(mode == "standalone" ? ":8053" : "127.0.0.1:8053", grpcListen);
            int grpc = int.Parse(grpcListen[(grpcListen.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            using (var client = new TcpClient())
            {
                await client.ConnectAsync(IPAddress.Loopback, grpc);
            }

            if (mode == "standalone")
            {
                int dns = ContainerPort(container, "dns");
                Assert.Equal(["127.255.0.2"], DigResult.Run(dns, "service1.test.global").Data);
                Assert.Equal(["127.255.0.2"], DigResult.Run(dns, "service2.test.global", "A", "+tcp").Data);
            }
            else
            {
                Assert.DoesNotContain("dns", ((YamlSequenceNode)container["ports"]).Children.Select(p => Scalar((YamlMappingNode)p, "name")));
                Assert.Contains("DNS listener off", Podman.Run("logs", name).All, StringComparison.Ordinal);
            }

            Assert.All(pod.Api.RequestLog, r => Assert.Equal("Bearer chart-token", r.Authorization));
        }
        finally
        {
            Podman.Run("rm", "-f", name);
        }
    }

    private static YamlMappingNode RenderPodSpec(string mode)
    {
        string tools = Command.Check(Path.Combine(Repo.Root, "e2e", "tools", "install-tools.sh"), [], TimeSpan.FromMinutes(5)).Trim().Split('\n').Last();
        string rendered = Command.Check(Path.Combine(tools, "helm"), ["template", "meshdns", Path.Combine(Repo.Root, "helm", "meshdns"), "--set", $"mode={mode}", "--show-only", "templates/deployment.yaml"]);
        var stream = new YamlStream();
        stream.Load(new StringReader(rendered));
        var deployment = (YamlMappingNode)stream.Documents.Single().RootNode;
        return (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)deployment["spec"])["template"])["spec"];
    }

    private static int ContainerPort(YamlMappingNode container, string nameOrNumber) =>
        int.TryParse(nameOrNumber, out int number)
            ? number
            : int.Parse(Scalar(((YamlSequenceNode)container["ports"]).Children.Cast<YamlMappingNode>().First(p => Scalar(p, "name") == nameOrNumber), "containerPort"), System.Globalization.CultureInfo.InvariantCulture);

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;
}
