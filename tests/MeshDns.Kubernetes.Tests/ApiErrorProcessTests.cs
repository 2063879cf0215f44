using System.Text.RegularExpressions;
using MeshDns.IntegrationTests;
using MeshDns.Kubernetes.Tests.ApiServer;

namespace MeshDns.Kubernetes.Tests;

/// <summary>
/// The meshdns process's log line for each API failure an operator meets: plain words saying what to fix,
/// never a runtime resource key (the NativeAOT build has none of the runtime's texts).
/// </summary>
public sealed partial class ApiErrorProcessTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-k8s-err-").FullName;
    private FakeKubeApiServer _api = null!;

    public async Task InitializeAsync() => _api = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { Token = "err-token", UseTls = true });

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    /// <summary>Resource keys look like net_http_ssl_connection_failed or UnauthorizedAccess_IODenied_Path.</summary>
    [GeneratedRegex(@"\b[A-Za-z]+_[A-Za-z_]+\b")]
    private static partial Regex ResourceKey();

    [Theory]
    [InlineData(401, "unauthorized: the API server rejected the credentials")]
    [InlineData(403, "the service account lacks get/list/watch on serviceentries.networking.istio.io; see RBAC")]
    [InlineData(404, "are Istio's CRDs installed?")]
    public void Http_failures_say_what_to_fix(int status, string expected)
    {
        _api.FailNextRequests(1000, status);
        string kubeconfig = Path.Combine(_dir, "kubeconfig");
        _api.WriteKubeconfig(kubeconfig);
        AssertFailureLine(kubeconfig, expected);
    }

    [Fact]
    public async Task A_server_certificate_from_another_ca_says_tls_failed()
    {
        await using FakeKubeApiServer other = await FakeKubeApiServer.StartAsync(new FakeKubeApiOptions { UseTls = true });
        string kubeconfig = Path.Combine(_dir, "kubeconfig");
        KubeconfigWriter.Write(kubeconfig, _api.BaseUri, "err-token", other.CaCertificatePem);
        AssertFailureLine(kubeconfig, $"TLS with {_api.BaseUri.Authority} failed: its certificate is not signed by the kubeconfig's certificate-authority");
    }

    [Fact]
    public void Nothing_listening_says_connection_refused()
    {
        var server = new Uri($"http://127.0.0.1:{ServerProcess.FreePort()}");
        string kubeconfig = Path.Combine(_dir, "kubeconfig");
        KubeconfigWriter.Write(kubeconfig, server, token: null);
        AssertFailureLine(kubeconfig, $"connection refused by {server.Authority}: nothing listens there");
    }

    [Fact]
    public void An_unresolvable_server_name_says_so()
    {
        string kubeconfig = Path.Combine(_dir, "kubeconfig");
        KubeconfigWriter.Write(kubeconfig, new Uri("http://meshdns-test.invalid:6443"), token: null);
        AssertFailureLine(kubeconfig, "cannot resolve meshdns-test.invalid: check the server URL of the kubeconfig and DNS");
    }

    private static void AssertFailureLine(string kubeconfig, string expected)
    {
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--kubeconfig", kubeconfig, "--dns-listen", $"127.0.0.1:{port}", "--grpc-listen", "off", "--http-listen", "off");
        string line = server.WaitForLine("Kubernetes API (all namespaces): ", TimeSpan.FromSeconds(30));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.EndsWith("; keeping the last good table and retrying", line, StringComparison.Ordinal);
        Assert.DoesNotMatch(ResourceKey(), line[line.IndexOf("Kubernetes API", StringComparison.Ordinal)..]);
        Assert.DoesNotContain("err-token", server.Output, StringComparison.Ordinal);
    }
}
