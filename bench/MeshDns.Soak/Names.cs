using System.Net;

namespace MeshDns.Soak;

/// <summary>The names and addresses the soak serves and checks; every one in <see cref="Zone"/>.</summary>
public static class Names
{
    public const string Zone = "soak.global";

    /// <summary>In a YAML file that is never rewritten.</summary>
    public const string StableFileHost = "stable-file." + Zone;

    /// <summary>A ServiceEntry in Kubernetes that is never deleted or changed.</summary>
    public const string StableKubeHost = "stable-kube." + Zone;

    public static readonly IPAddress StableFileAddress = IPAddress.Parse("10.250.0.1");
    public static readonly IPAddress StableKubeAddress = IPAddress.Parse("10.250.0.2");

    /// <summary>Never served: the NXDOMAIN share of the load.</summary>
    public const string MissingHost = "missing." + Zone;

    /// <summary>Whose address carries the churned file's generation.</summary>
    public const string FileMarkerHost = "file-marker." + Zone;

    public static string FileHost(int i) => $"file-{i}.{Zone}";

    public static string KubeHost(int i) => $"kube-{i}.{Zone}";

    /// <summary>10.201.g.g: the marker's address in file generation <paramref name="generation"/> (below 65536).</summary>
    public static IPAddress FileMarkerAddress(int generation) =>
        new([10, 201, (byte)(generation >> 8), (byte)generation]);

    public static int FileMarkerGeneration(IPAddress address)
    {
        byte[] b = address.GetAddressBytes();
        return b[0] == 10 && b[1] == 201 ? (b[2] << 8) | b[3] : -1;
    }

    /// <summary>10.200.g.i: file host <paramref name="i"/> (below 256) in generation <paramref name="generation"/>.</summary>
    public static IPAddress FileAddress(int i, int generation) => new([10, 200, (byte)generation, (byte)i]);

    /// <summary>10.(100+v).i.i: Kubernetes host <paramref name="i"/> (below 65536) at version <paramref name="version"/>.</summary>
    public static IPAddress KubeAddress(int i, int version) =>
        new([10, (byte)(100 + (version % 100)), (byte)(i >> 8), (byte)i]);
}
