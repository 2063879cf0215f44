using System.Text.Json.Nodes;
using MeshDns.Kubernetes.Tests.ApiServer;

namespace MeshDns.E2E.Support;

/// <summary>
/// What a pod gives a container, without a cluster: the service account's token, CA and namespace mounted
/// at /var/run/secrets/kubernetes.io/serviceaccount, and KUBERNETES_SERVICE_HOST/PORT naming the API server
/// (here the fake one, over TLS, holding the seed ServiceEntry <c>*.test.global</c> → 127.255.0.2).
/// </summary>
internal sealed class SimulatedPod : IAsyncDisposable
{
    private readonly DirectoryInfo _account;

    private SimulatedPod(FakeKubeApiServer api, DirectoryInfo account, string token)
    {
        Api = api;
        _account = account;
        Token = token;
    }

    public FakeKubeApiServer Api { get; }

    public string Token { get; }

    /// <summary>podman run arguments that put the container "in" this pod.</summary>
    public string[] PodmanArgs =>
    [
        "-v", $"{_account.FullName}:/var/run/secrets/kubernetes.io/serviceaccount:ro",
        "-e", "KUBERNETES_SERVICE_HOST=127.0.0.1", "-e", $"KUBERNETES_SERVICE_PORT={Api.BaseUri.Port}",
    ];

    public static async Task<SimulatedPod> StartAsync(string token)
    {
        FakeKubeApiServer api = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = token, UseTls = true });
        api.Create("default", "test-service-entry", Seed("127.255.0.2"));
        DirectoryInfo account = Directory.CreateTempSubdirectory("meshdns-e2e-sa-");
        File.WriteAllText(Path.Combine(account.FullName, "token"), token);
        File.WriteAllText(Path.Combine(account.FullName, "ca.crt"), api.CaCertificatePem);
        File.WriteAllText(Path.Combine(account.FullName, "namespace"), "istio-system");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(account.FullName, (UnixFileMode)0b111_101_101); // readable by uid 1337
        }

        return new SimulatedPod(api, account, token);
    }

    /// <summary>The seed article's ServiceEntry spec with <paramref name="address"/>.</summary>
    public static JsonObject Seed(string address) => new()
    {
        ["hosts"] = new JsonArray("*.test.global"),
        ["addresses"] = new JsonArray(address),
        ["resolution"] = "DNS",
        ["location"] = "MESH_INTERNAL",
    };

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        _account.Delete(recursive: true);
    }
}
