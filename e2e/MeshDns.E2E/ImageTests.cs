using System.Formats.Tar;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MeshDns.E2E.Support;
using MeshDns.Kubernetes.Tests.ApiServer;
using Xunit.Abstractions;

namespace MeshDns.E2E;

/// <summary>Builds the image once from the published binary with e2e/image/build-image.sh (podman, nothing pulled).</summary>
public sealed class ImageFixture : IDisposable
{
    public const string Tag = "localhost/meshdns:e2e";

    public ImageFixture()
    {
        if (Conditions.ImageSkipReason is not null)
        {
            return;
        }

        Command.Check(Path.Combine(Repo.Root, "e2e", "image", "build-image.sh"), ["--binary", Conditions.PublishedBinary!, "--tag", Tag, "--engine", "podman"], TimeSpan.FromMinutes(3), Conditions.PodmanEnvironment);
        Built = true;
    }

    public bool Built { get; }

    public void Dispose()
    {
        if (Built)
        {
            Podman.Run("rmi", "-f", Tag);
        }
    }
}

/// <summary>
/// The classes that use the image share one build, and run one after another: some bind the original's
/// fixed ports (1053, 8053, 8090) on the host network.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ImageCollection : ICollectionFixture<ImageFixture>
{
    public const string Name = "image";
}

/// <summary>The container image: contents, metadata, and the binary serving from it read-only as uid 1337.</summary>
[Collection(ImageCollection.Name)]
public sealed class ImageTests(ImageFixture image, ITestOutputHelper output)
{
    private static readonly string[] ExpectedFiles =
    [
        "etc/group",
        "etc/nsswitch.conf",
        "etc/passwd",
        "etc/ssl/certs/ca-certificates.crt",
        "usr/local/bin/meshdns",
        "usr/local/bin/plugin -> meshdns",
    ];

    [ImageFact]
    public void Holds_the_binary_its_libraries_and_nothing_else()
    {
        Assert.True(image.Built);
        (Dictionary<string, (TarEntryType Type, long Length, string Link)> entries, string binaryHash) = Contents(ImageFixture.Tag);
        // Files and links outside lib*/; podman adds empty mount-point files (/etc/hosts, /etc/resolv.conf…)
        // to every container, which are left out.
        string[] files = [.. entries
            .Where(e => e.Value.Type is TarEntryType.SymbolicLink || (e.Value.Type is TarEntryType.RegularFile or TarEntryType.V7RegularFile && e.Value.Length > 0))
            .Where(e => !e.Key.StartsWith("lib", StringComparison.Ordinal))
            .Select(e => e.Value.Type == TarEntryType.SymbolicLink ? $"{e.Key} -> {e.Value.Link}" : e.Key)
            .Order(StringComparer.Ordinal)];
        Assert.Equal(ExpectedFiles, files);

        // glibc and OpenSSL (loaded lazily: ldd does not show them) and the loader link, nothing more.
        string[] libraries = [.. entries.Keys.Where(k => k.StartsWith("lib", StringComparison.Ordinal) && entries[k].Type != TarEntryType.Directory)
            .Select(k => Path.GetFileName(k)).Order(StringComparer.Ordinal)];
        Assert.Equal(["ld-linux-x86-64.so.2", "ld-linux-x86-64.so.2", "libc.so.6", "libcrypto.so.3", "libm.so.6", "libssl.so.3"], libraries);
        Assert.DoesNotContain(entries.Keys, k => k is "bin/sh" or "usr/bin/sh" or "bin/bash" or "usr/bin/apt" or "usr/bin/dpkg");

        using (FileStream binary = File.OpenRead(Conditions.PublishedBinary!))
        {
            Assert.Equal(Convert.ToHexString(SHA256.HashData(binary)), binaryHash);
        }

        long imageSize = long.Parse(Podman.Check("image", "inspect", "--format", "{{.Size}}", ImageFixture.Tag).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        long binarySize = new FileInfo(Conditions.PublishedBinary!).Length;
        output.WriteLine($"image {imageSize} bytes, binary {binarySize} bytes: {(double)imageSize / binarySize:0.00}x");
    }

    /// <summary>
    /// The Containerfile itself, all three stages, with local stand-ins for its two base images
    /// (e2e/image/build-containerfile-offline.sh: Debian 12 minbase from debootstrap, plus this machine's
    /// SDK for the SDK stage): it publishes the binary inside the container, installs the libraries with
    /// apt-get, assembles the root filesystem, and makes the image build-image.sh makes: the same files,
    /// serving DNS the same way.
    /// </summary>
    [ContainerfileFact]
    public void Containerfile_builds_the_same_image_from_source()
    {
        const string tag = "localhost/meshdns:e2e-containerfile";
        Command.Check(Path.Combine(Repo.Root, "e2e", "image", "build-containerfile-offline.sh"), ["--tag", tag], TimeSpan.FromMinutes(15), Conditions.PodmanEnvironment);
        try
        {
            var (expected, _) = Contents(ImageFixture.Tag);
            var (actual, _) = Contents(tag);
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
            Assert.True(actual["usr/local/bin/meshdns"].Length < 15 * 1024 * 1024);
            JsonNode config = JsonNode.Parse(Podman.Check("image", "inspect", tag))!.AsArray()[0]!["Config"]!;
            Assert.Equal("1337:1337", (string?)config["User"]);
            Assert.Equal(Command.Check("git", ["rev-parse", "--short=12", "HEAD"]).Trim(), (string?)config["Labels"]!["org.opencontainers.image.revision"]);

            int dns = ServerProcess.FreePort();
            string name = $"meshdns-e2e-containerfile-{dns}";
            Podman.Check("run", "-d", "--name", name, "--read-only", "--cap-drop", "ALL", "--network", "host", "-v", $"{Repo.Examples}:/data:ro", tag,
                "--from-file", "/data/seed.yaml", "--dns-listen", $"127.0.0.1:{dns}", "--grpc-listen", "off", "--http-listen", "off");
            try
            {
                Podman.WaitForLog(name, "meshdns serving", TimeSpan.FromSeconds(30));
                Assert.Equal(["127.255.0.2"], DigResult.Run(dns, "service1.test.global").Data);
            }
            finally
            {
                Podman.Run("rm", "-f", name);
            }
        }
        finally
        {
            Podman.Run("rmi", "-f", tag);
            Podman.Run("image", "prune", "-f"); // the SDK stage's layers (GBs); the two stand-ins stay cached
        }
    }

    /// <summary>
    /// The Containerfile's SDK stage for linux/arm64: it cross-compiles on the build machine's architecture
    /// (no emulation), and the binary it makes passes the arm64 smoke test under qemu. (The arm64 library
    /// stage runs apt-get on arm64, which needs the emulation this machine lacks; the e2e workflow builds it.)
    /// </summary>
    [ContainerfileFact(NeedsQemu = true)]
    public void Containerfile_cross_compiles_the_arm64_binary()
    {
        const string tag = "localhost/meshdns:e2e-containerfile-arm64-build";
        Command.Check(Path.Combine(Repo.Root, "e2e", "image", "build-containerfile-offline.sh"), ["--tag", tag, "--platform", "linux/arm64", "--target", "build"], TimeSpan.FromMinutes(15), Conditions.PodmanEnvironment);
        DirectoryInfo dir = Directory.CreateTempSubdirectory("meshdns-e2e-arm64-");
        try
        {
            // The build stage's image is the build machine's architecture, labelled arm64 by the --platform.
            string container = Podman.Check("create", tag, "/bin/true").Trim();
            string binary = Path.Combine(dir.FullName, "meshdns");
            try
            {
                Podman.Check("cp", $"{container}:/out/meshdns", binary);
            }
            finally
            {
                Podman.Run("rm", "-f", container);
            }

            Assert.True(new FileInfo(binary).Length < 15 * 1024 * 1024);
            Arm64Tests.RunSmoke(binary, output);
        }
        finally
        {
            dir.Delete(recursive: true);
            Podman.Run("rmi", "-f", tag);
            Podman.Run("image", "prune", "-f");
        }
    }

    /// <summary>The image's files (from a created container's export) and the SHA-256 of its binary.</summary>
    private static (Dictionary<string, (TarEntryType Type, long Length, string Link)> Entries, string BinaryHash) Contents(string tag)
    {
        string container = Podman.Check("create", tag).Trim();
        string tar = Path.GetTempFileName();
        try
        {
            Podman.Check("export", "-o", tar, container);
            var entries = new Dictionary<string, (TarEntryType Type, long Length, string Link)>();
            var binaryHash = "";
            using FileStream stream = File.OpenRead(tar);
            using var reader = new TarReader(stream);
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                string name = entry.Name.TrimStart('.', '/').TrimEnd('/');
                entries[name] = (entry.EntryType, entry.Length, entry.LinkName);
                if (name == "usr/local/bin/meshdns")
                {
                    binaryHash = Convert.ToHexString(SHA256.HashData(entry.DataStream!));
                }
            }

            return (entries, binaryHash);
        }
        finally
        {
            Podman.Run("rm", "-f", container);
            File.Delete(tar);
        }
    }

    [ImageFact]
    public void Runs_as_1337_with_oci_labels_and_the_binary_as_entrypoint()
    {
        JsonNode config = JsonNode.Parse(Podman.Check("image", "inspect", ImageFixture.Tag))!.AsArray()[0]!["Config"]!;
        Assert.Equal("1337:1337", (string?)config["User"]);
        Assert.Equal(["/usr/local/bin/meshdns"], config["Entrypoint"]!.AsArray().Select(n => (string?)n));
        JsonObject labels = config["Labels"]!.AsObject();
        Assert.Equal("meshdns", (string?)labels["org.opencontainers.image.title"]);
        Assert.Matches(@"^\d+\.\d+\.\d+", (string?)labels["org.opencontainers.image.version"]);
        Assert.False(string.IsNullOrEmpty((string?)labels["org.opencontainers.image.revision"]));
        Assert.False(string.IsNullOrEmpty((string?)labels["org.opencontainers.image.created"]));
        Assert.Contains("1053/udp", config["ExposedPorts"]!.AsObject().Select(p => p.Key));

        // The istio-coredns-plugin path runs the same binary.
        string version = Podman.Check("run", "--rm", "--read-only", "--network", "none", "--entrypoint", "/usr/local/bin/plugin", ImageFixture.Tag, "--version");
        Assert.StartsWith("meshdns ", version, StringComparison.Ordinal);
    }

    [ImageFact]
    public async Task Serves_files_read_only_without_capabilities_and_stops_cleanly()
    {
        int dns = ServerProcess.FreePort();
        int http = ServerProcess.FreePort();
        string name = $"meshdns-e2e-files-{dns}";
        Podman.Check("run", "-d", "--name", name, "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--network", "host",
            "-v", $"{Repo.Examples}:/data:ro", ImageFixture.Tag,
            "--from-file", "/data/seed.yaml", "--dns-listen", $"127.0.0.1:{dns}", "--grpc-listen", "off", "--http-listen", $"127.0.0.1:{http}", "--lameduck", "1s");
        try
        {
            string log = Podman.WaitForLog(name, "meshdns serving", TimeSpan.FromSeconds(30));
            Assert.Contains("adding DNS mapping: .test.global.->[127.255.0.2]", log, StringComparison.Ordinal);
            // The image has no ps for `podman top`: read the process's credentials from the host's /proc.
            string pid = Podman.Check("inspect", "--format", "{{.State.Pid}}", name).Trim();
            string hostUid = HostIdOf(1337, $"/proc/{pid}/uid_map").ToString(System.Globalization.CultureInfo.InvariantCulture); // rootless podman maps ids
            string[] uid = File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["Uid:", hostUid, hostUid, hostUid, hostUid], uid);
            Assert.Contains(File.ReadAllLines($"/proc/{pid}/status"), l => l.StartsWith("CapEff:", StringComparison.Ordinal) && l.EndsWith("0000000000000000", StringComparison.Ordinal));

            Assert.Equal(["127.255.0.2"], DigResult.Run(dns, "service1.test.global").Data);
            Assert.Equal(["127.255.0.2"], DigResult.Run(dns, "service2.test.global", "A", "+tcp").Data);
            DigResult aaaa = DigResult.Run(dns, "service1.test.global", "AAAA");
            Assert.Equal("NOERROR", aaaa.Status);
            Assert.Empty(aaaa.Answers);
            Assert.Equal("NXDOMAIN", DigResult.Run(dns, "service1.other.global").Status);

            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);

            Podman.Check("stop", "-t", "20", name);
            Assert.Equal("0", Podman.Check("inspect", "--format", "{{.State.ExitCode}}", name).Trim());
        }
        finally
        {
            Podman.Run("rm", "-f", name);
        }
    }

    /// <summary>The host id that <paramref name="id"/> inside a user namespace maps to (lines "inside outside count").</summary>
    private static long HostIdOf(long id, string mapFile)
    {
        foreach (string line in File.ReadAllLines(mapFile))
        {
            long[] f = [.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => long.Parse(x, System.Globalization.CultureInfo.InvariantCulture))];
            if (id >= f[0] && id < f[0] + f[2])
            {
                return f[1] + (id - f[0]);
            }
        }

        throw new InvalidOperationException($"{id} is not mapped in {mapFile}");
    }

    /// <summary>
    /// The drop-in: <c>/usr/local/bin/plugin</c> with no arguments, as istiocoredns ran it, in a "pod": the
    /// service account files mounted where Kubernetes mounts them and the API server (the fake, over TLS
    /// with the account's token and CA) named by KUBERNETES_SERVICE_HOST/PORT. This also proves that the
    /// image's OpenSSL is found, which ldd cannot show.
    /// </summary>
    [ImageFact]
    public async Task Runs_as_the_plugin_in_a_pod_following_the_api_server_over_tls()
    {
        await using SimulatedPod pod = await SimulatedPod.StartAsync("pod-token");
        string name = $"meshdns-e2e-plugin-{Environment.ProcessId}";
        try
        {
            // The original's ports, fixed: :1053 DNS, :8053 gRPC, :8090 HTTP, on the host network.
            Podman.Check(["run", "-d", "--name", name, "--read-only", "--cap-drop", "ALL", "--network", "host",
                .. pod.PodmanArgs, "--entrypoint", "/usr/local/bin/plugin", ImageFixture.Tag]);
            Podman.WaitForLog(name, "meshdns serving", TimeSpan.FromSeconds(30));

            await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(1053, "service1.test.global").Data.SequenceEqual(["127.255.0.2"]), TimeSpan.FromSeconds(20), "first answer");
            using var client = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:8090") };
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);

            pod.Api.Update("default", "test-service-entry", SimulatedPod.Seed("127.255.0.3"));
            await FakeKubeApiServer.WaitUntilAsync(() => DigResult.Run(1053, "service2.test.global").Data.SequenceEqual(["127.255.0.3"]), TimeSpan.FromSeconds(20), "update");
            Assert.All(pod.Api.RequestLog, r => Assert.Equal("Bearer pod-token", r.Authorization));
            Assert.Contains("adding DNS mapping: .test.global.->[127.255.0.2]", Podman.Run("logs", name).All, StringComparison.Ordinal);

            // A rolling update: SIGTERM, the 5 s lame duck, then exit 0 (it used to abort with 134).
            Podman.Check("stop", "-t", "20", name);
            Assert.Equal("0", Podman.Check("inspect", "--format", "{{.State.ExitCode}}", name).Trim());
            Assert.DoesNotContain("Unhandled exception", Podman.Run("logs", name).All, StringComparison.Ordinal);
        }
        finally
        {
            Podman.Run("rm", "-f", name);
        }
    }
}
