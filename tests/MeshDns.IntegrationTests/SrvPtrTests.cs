namespace MeshDns.IntegrationTests;

/// <summary>SRV and PTR answers of the meshdns process, asked with the real dig over UDP and TCP.</summary>
public sealed class SrvPtrTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-srv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static DigResult Reverse(int port, string address, string transport) => DigResult.Run(port, "-x", address, transport); // dig -x ADDRESS

    [Fact]
    public void The_examples_answer_SRV_for_named_ports_and_PTR_for_their_addresses()
    {
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{port}", "--round-robin=false");

        foreach (string transport in new[] { "+notcp", "+tcp" })
        {
            DigResult srv = DigResult.Run(port, "_https._tcp.payments.shop.global", "SRV", transport);
            Assert.Equal("NOERROR", srv.Status);
            Assert.Contains("aa", srv.Flags);
            Assert.Equal(["SRV 0 100 443 payments.shop.global."], srv.Records);
            Assert.Equal(["payments.shop.global. A 240.0.10.1", "payments.shop.global. AAAA 2001:db8::10:1"], srv.Additional);

            Assert.Equal(["SRV 0 100 8080 inventory.shop.global."], DigResult.Run(port, "_http._tcp.inventory.shop.global", "SRV", transport).Records);
            Assert.Equal("NXDOMAIN", DigResult.Run(port, "_http._udp.inventory.shop.global", "SRV", transport).Status);
            DigResult nodata = DigResult.Run(port, "_tcp.inventory.shop.global", "SRV", transport);
            Assert.Equal(("NOERROR", 0), (nodata.Status, nodata.Answers.Count));

            Assert.Equal(["PTR payments.shop.global."], Reverse(port, "240.0.10.1", transport).Records);
            Assert.Equal(["PTR payments.shop.global."], Reverse(port, "2001:db8::10:1", transport).Records);
            Assert.Equal(["PTR auth.global."], Reverse(port, "240.240.0.1", transport).Records); // from status.addresses
            Assert.Equal("NXDOMAIN", Reverse(port, "127.255.0.2", transport).Status); // served by a wildcard only
        }

        Assert.False(server.HasExited);
    }

    [Fact]
    public void With_zones_reverse_names_are_answered_inside_reverse_zones_only()
    {
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{port}",
            "--zone", "global", "--zone", "0.240.in-addr.arpa");

        Assert.Equal(["PTR payments.shop.global."], Reverse(port, "240.0.10.1", "+notcp").Records);
        DigResult missing = Reverse(port, "240.0.99.9", "+notcp");
        Assert.Equal("NXDOMAIN", missing.Status);
        Assert.Contains(missing.Authority, a => a.Contains("SOA", StringComparison.Ordinal) && a.Contains("ns.0.240.in-addr.arpa.", StringComparison.Ordinal));
        Assert.Equal("REFUSED", Reverse(port, "240.240.0.1", "+notcp").Status);
        Assert.Equal("REFUSED", Reverse(port, "2001:db8::10:1", "+notcp").Status);
        Assert.Equal(["SRV 0 100 443 payments.shop.global."], DigResult.Run(port, "_https._tcp.payments.shop.global", "SRV").Records);
    }

    [Fact]
    public void Port_and_address_edits_change_the_SRV_and_PTR_answers()
    {
        string file = Path.Combine(_dir, "svc.yaml");
        File.WriteAllText(file, Entry("10.0.0.1", "http", 80, "HTTP"));
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--from-file", _dir, "--dns-listen", $"127.0.0.1:{port}");
        Assert.Equal(["SRV 0 100 80 svc.mesh.global."], DigResult.Run(port, "_http._tcp.svc.mesh.global", "SRV").Records);

        File.WriteAllText(file, Entry("10.0.0.1", "dns", 53, "UDP"));
        server.WaitForLine("updating DNS mapping: svc.mesh.global.->[10.0.0.1]", TimeSpan.FromSeconds(10));
        Assert.Equal("NXDOMAIN", DigResult.Run(port, "_http._tcp.svc.mesh.global", "SRV").Status);
        Assert.Equal(["SRV 0 100 53 svc.mesh.global."], DigResult.Run(port, "_dns._udp.svc.mesh.global", "SRV", "+tcp").Records);

        File.WriteAllText(file, Entry("10.0.0.2", "dns", 53, "UDP"));
        server.WaitForLine("updating DNS mapping: svc.mesh.global.->[10.0.0.2]", TimeSpan.FromSeconds(10));
        Assert.Equal("NXDOMAIN", Reverse(port, "10.0.0.1", "+notcp").Status);
        Assert.Equal(["PTR svc.mesh.global."], Reverse(port, "10.0.0.2", "+notcp").Records);
    }

    private static string Entry(string address, string portName, int number, string protocol) => $"""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: svc
          namespace: mesh
        spec:
          hosts: ["svc.mesh.global"]
          addresses: ["{address}"]
          ports:
          - number: {number}
            name: {portName}
            protocol: {protocol}
          resolution: STATIC
        """;
}
