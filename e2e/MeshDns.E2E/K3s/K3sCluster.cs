using MeshDns.Kubernetes.Tests.ApiServer;
using MeshDns.E2E.Support;
using Testcontainers.K3s;

namespace MeshDns.E2E;

/// <summary>
/// One k3s cluster for the chart tests: the chart render check first (helm lint, helm template in both
/// modes), then k3s in Docker, the MeshDns image imported into k3s's containerd, Istio itself (the
/// <c>base</c> and <c>istiod</c> charts of a pinned version from Istio's Helm repository, so istiod's
/// validating webhook checks every ServiceEntry the tests apply), and two pods with dig: a plain one
/// and one in a namespace with sidecar injection (an istio-proxy next to it). Nothing is set up when the
/// tests are skipped.
/// </summary>
public sealed class K3sCluster : IAsyncLifetime
{
    public const string Image = "rancher/k3s:v1.31.4-k3s1";
    private const string DigImage = "registry.k8s.io/e2e-test-images/jessie-dnsutils:1.7";
    private const string IstioCharts = "https://istio-release.storage.googleapis.com/charts";

    /// <summary>The dig pods: (namespace, pod) of the plain one and of the one with an injected sidecar.</summary>
    public static readonly (string Namespace, string Pod) PlainClient = ("default", "dnsutils");
    public static readonly (string Namespace, string Pod) InjectedClient = ("mesh-client", "dnsutils");

    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-k3s-").FullName;
    private K3sContainer? _k3s;
    private string _tools = "";

    /// <summary>The MeshDns image the chart runs (MESHDNS_IMAGE; default meshdns:e2e, built here from MESHDNS_BINARY).</summary>
    public string MeshDnsImage { get; } = Environment.GetEnvironmentVariable("MESHDNS_IMAGE") is { Length: > 0 } image ? image : "meshdns:e2e";

    public static string IstioVersion => Environment.GetEnvironmentVariable("MESHDNS_E2E_ISTIO_VERSION") is { Length: > 0 } v ? v : "1.24.3";

    public string Chart => Path.Combine(Repo.Root, "helm", "meshdns");

    public string Kubeconfig => Path.Combine(_dir, "kubeconfig");

    public async Task InitializeAsync()
    {
        if (Conditions.K3sSkipReason is not null)
        {
            return;
        }

        _tools = Command.Check(Path.Combine(Repo.Root, "e2e", "tools", "install-tools.sh"), [], TimeSpan.FromMinutes(5)).Trim().Split('\n').Last();

        // 1. The chart renders and lints in both modes before anything is started.
        foreach (string mode in (string[])["coredns-sidecar", "standalone"])
        {
            Helm("lint", "--strict", Chart, "--set", $"mode={mode}");
            Helm("template", "meshdns", Chart, "--set", $"mode={mode}");
        }

        // 2. The image, as a docker-archive for k3s's containerd.
        string archive = Environment.GetEnvironmentVariable("MESHDNS_IMAGE_ARCHIVE") is { Length: > 0 } given ? Path.GetFullPath(given, Repo.Root) : BuildArchive();

        // 3. k3s, the image, Istio, the dig pods.
        _k3s = new K3sBuilder(Image).Build();
        await _k3s.StartAsync();
        await File.WriteAllTextAsync(Kubeconfig, await _k3s.GetKubeconfigAsync());
        await _k3s.CopyAsync(await File.ReadAllBytesAsync(archive), "/tmp/meshdns.tar");
        var import = await _k3s.ExecAsync(["ctr", "-n", "k8s.io", "images", "import", "/tmp/meshdns.tar"]);
        if (import.ExitCode != 0)
        {
            throw new InvalidOperationException("ctr images import failed: " + import.Stderr);
        }

        InstallIstio();
        Kubectl("create", "namespace", InjectedClient.Namespace);
        Kubectl("label", "namespace", InjectedClient.Namespace, "istio-injection=enabled");
        foreach ((string ns, string pod) in new[] { PlainClient, InjectedClient })
        {
            // The default service account appears shortly after the namespace; a pod before it is refused.
            await Eventually(() => TryKubectl("get", "serviceaccount", "default", "-n", ns).ExitCode == 0, TimeSpan.FromMinutes(2), $"service account {ns}/default");
            Kubectl("run", pod, "-n", ns, $"--image={DigImage}", "--restart=Never", "--command", "--", "sleep", "86400");
        }

        foreach ((string ns, string pod) in new[] { PlainClient, InjectedClient })
        {
            Kubectl("wait", "-n", ns, "--for=condition=Ready", $"pod/{pod}", "--timeout=300s");
        }

        // The injected pod really has Istio's sidecar (the webhook could have been skipped silently).
        string containers = Kubectl("get", "pod", InjectedClient.Pod, "-n", InjectedClient.Namespace, "-o", "jsonpath={.spec.containers[*].name} {.spec.initContainers[*].name}");
        if (!containers.Contains("istio-proxy", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"no istio-proxy in {InjectedClient.Namespace}/{InjectedClient.Pod}: {containers}");
        }
    }

    /// <summary>Istio's base chart (CRDs, validation) and istiod, IstioVersion from Istio's Helm repository.</summary>
    private void InstallIstio()
    {
        Helm("install", "istio-base", "base", "--repo", IstioCharts, "--version", IstioVersion,
            "-n", "istio-system", "--create-namespace", "--set", "defaultRevision=default", "--wait", "--timeout", "5m");
        Kubectl("wait", "--for=condition=Established", "crd/serviceentries.networking.istio.io", "--timeout=120s");
        Helm("install", "istiod", "istiod", "--repo", IstioCharts, "--version", IstioVersion,
            "-n", "istio-system", "--wait", "--timeout", "10m");
        Kubectl("-n", "istio-system", "rollout", "status", "deployment/istiod", "--timeout=300s");
    }

    public async Task DisposeAsync()
    {
        if (_k3s is not null)
        {
            await _k3s.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    public string Helm(params string[] args) =>
        Command.Check(Path.Combine(_tools, "helm"), [.. args, .. File.Exists(Kubeconfig) ? new[] { "--kubeconfig", Kubeconfig } : []], TimeSpan.FromMinutes(6));

    internal CommandResult TryHelm(params string[] args) =>
        Command.Run(Path.Combine(_tools, "helm"), [.. args, "--kubeconfig", Kubeconfig], TimeSpan.FromMinutes(6));

    public string Kubectl(params string[] args) =>
        Command.Check(Path.Combine(_tools, "kubectl"), ["--kubeconfig", Kubeconfig, .. args], TimeSpan.FromMinutes(6));

    internal CommandResult TryKubectl(params string[] args) =>
        Command.Run(Path.Combine(_tools, "kubectl"), ["--kubeconfig", Kubeconfig, .. args], TimeSpan.FromMinutes(2));

    /// <summary>dig run in a dig pod (default: the plain one); without a server it asks the cluster DNS (the pod's resolv.conf).</summary>
    internal DigResult Dig(string? server, string name, string type = "A", (string Namespace, string Pod)? client = null)
    {
        (string ns, string pod) = client ?? PlainClient;
        string[] at = server is null ? [] : ["@" + server];
        CommandResult result = TryKubectl(["exec", "-n", ns, pod, "-c", pod, "--", "dig", .. at, name, type, "+tries=2", "+time=3"]);
        return DigResult.Parse(result.All);
    }

    /// <summary>Runs shell commands with the test's kubectl and helm first on PATH and the cluster's kubeconfig.</summary>
    internal CommandResult Bash(string script) =>
        Command.Run("bash", ["-c", script], TimeSpan.FromMinutes(3), new Dictionary<string, string>
        {
            ["PATH"] = _tools + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
            ["KUBECONFIG"] = Kubeconfig,
        });

    /// <summary>Polls until <paramref name="condition"/> holds, once a second (each check runs kubectl).</summary>
    public static Task Eventually(Func<bool> condition, TimeSpan timeout, string what) =>
        FakeKubeApiServer.WaitUntilAsync(condition, timeout, what, TimeSpan.FromSeconds(1));

    private string BuildArchive()
    {
        string binary = Conditions.PublishedBinary
            ?? throw new InvalidOperationException("set MESHDNS_IMAGE_ARCHIVE (docker save of the image) or MESHDNS_BINARY (the published binary) for the k3s tests");
        string archive = Path.Combine(_dir, "meshdns.tar");
        Command.Check(Path.Combine(Repo.Root, "e2e", "image", "build-image.sh"), ["--binary", binary, "--tag", MeshDnsImage, "--engine", "docker", "--archive", archive], TimeSpan.FromMinutes(5));
        return archive;
    }
}
