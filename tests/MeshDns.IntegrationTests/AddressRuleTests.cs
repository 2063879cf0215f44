namespace MeshDns.IntegrationTests;

/// <summary>The real process reading the shared address cases (MeshDns.TestCases.AddressCases) from a file.</summary>
public sealed class AddressRuleTests
{
    [Fact]
    public void Addresses_follow_the_shared_rule_as_with_the_kubernetes_source()
    {
        // The same cases as the Kubernetes ProcessTests.Addresses_follow_the_shared_rule_as_with_the_file_source.
        string dir = Directory.CreateTempSubdirectory("meshdns-cases-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "cases.yaml"), MeshDns.TestCases.AddressCases.Yaml());
            int port = ServerProcess.FreePort();
            using ServerProcess server = ServerProcess.Start(port, "--from-file", dir, "--dns-listen", $"127.0.0.1:{port}", "--grpc-listen", "off");

            MeshDns.TestCases.AddressCasesOverDns.Check(server, port);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
