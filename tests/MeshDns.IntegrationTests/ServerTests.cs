namespace MeshDns.IntegrationTests;

/// <summary>The meshdns process answering real dig queries over UDP and TCP from YAML files.</summary>
public sealed class ServerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-it-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Entry(string name, string host, string address, string apiVersion = "networking.istio.io/v1") => $"""
        apiVersion: {apiVersion}
        kind: ServiceEntry
        metadata:
          name: {name}
          namespace: mesh
        spec:
          hosts: ["{host}"]
          addresses: ["{address}"]
          resolution: STATIC
        """;

    [Fact]
    public void Serves_the_examples_over_udp_and_tcp_with_dig()
    {
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{port}");

        foreach (string transport in new[] { "+notcp", "+tcp" })
        {
            DigResult a = DigResult.Run(port, "service1.test.global", "A", transport);
            Assert.Equal("NOERROR", a.Status);
            Assert.Equal(["127.255.0.2"], a.Data);
            Assert.Contains("aa", a.Flags);
            Assert.DoesNotContain("ra", a.Flags);

            DigResult b = DigResult.Run(port, "Service2.TEST.global", "A", transport);
            Assert.Equal(["127.255.0.2"], b.Data);

            DigResult aaaa = DigResult.Run(port, "service1.test.global", "AAAA", transport);
            Assert.Equal("NOERROR", aaaa.Status);
            Assert.Empty(aaaa.Answers);

            DigResult unknown = DigResult.Run(port, "nothing.example.org", "A", transport);
            Assert.Equal("NXDOMAIN", unknown.Status);
        }

        Assert.Contains(server.Lines, l => l.Contains("adding DNS mapping: .test.global.->[127.255.0.2]", StringComparison.Ordinal));
        Assert.Contains(server.Lines, l => l.Contains("Have ", StringComparison.Ordinal) && l.Contains(" service entries", StringComparison.Ordinal));
    }

    [Fact]
    public void Follows_file_edits_and_keeps_serving_through_a_broken_file()
    {
        string file = Path.Combine(_dir, "svc.yaml");
        File.WriteAllText(file, Entry("svc", "svc.mesh.global", "10.0.0.1"));
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--from-file", _dir, "--dns-listen", $"127.0.0.1:{port}", "--zone", "global");

        Assert.Equal(["10.0.0.1"], DigResult.Run(port, "svc.mesh.global").Data);

        File.WriteAllText(file, Entry("svc", "svc.mesh.global", "10.0.0.2"));
        Eventually(() => DigResult.Run(port, "svc.mesh.global").Data.SequenceEqual(["10.0.0.2"]), server);
        server.WaitForLine("updating DNS mapping: svc.mesh.global.->[10.0.0.2]", TimeSpan.FromSeconds(5));

        File.WriteAllText(Path.Combine(_dir, "more.yaml"), Entry("more", "*.more.global", "10.0.0.3", "networking.istio.io/v1alpha3"));
        Eventually(() => DigResult.Run(port, "a.b.more.global").Data.SequenceEqual(["10.0.0.3"]), server);

        // A broken edit: an error naming the file and line, and the last good answers stay.
        File.WriteAllText(file, "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nspec:\n  hosts: [unclosed\n");
        string error = server.WaitForLine("svc.yaml:", TimeSpan.FromSeconds(10));
        Assert.Matches(@"svc\.yaml:\d+", error);
        // A later edit served proves the reload of the broken file is over.
        File.WriteAllText(Path.Combine(_dir, "later.yaml"), Entry("later", "later.mesh.global", "10.0.0.4"));
        Eventually(() => DigResult.Run(port, "later.mesh.global").Data.SequenceEqual(["10.0.0.4"]), server);
        Assert.Equal(["10.0.0.2"], DigResult.Run(port, "svc.mesh.global").Data);
        Assert.Equal(["10.0.0.3"], DigResult.Run(port, "x.more.global", "A", "+tcp").Data);

        File.Delete(Path.Combine(_dir, "more.yaml"));
        Eventually(() => DigResult.Run(port, "a.b.more.global").Status == "NXDOMAIN", server);
        Assert.False(server.HasExited);
    }

    [Fact]
    public void All_interfaces_listen_dual_stack_for_ipv4_and_ipv6()
    {
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--from-file", Repo.Examples, "--dns-listen", $":{port}");
        foreach (string transport in new[] { "+notcp", "+tcp" })
        {
            Assert.Equal(["127.255.0.2"], DigResult.RunAt("127.0.0.1", port, "service1.test.global", "A", transport).Data);
            Assert.Equal(["127.255.0.2"], DigResult.RunAt("::1", port, "service1.test.global", "A", transport).Data);
        }
    }

    [Fact]
    public async Task Http_endpoint_answers_healthz_and_readyz()
    {
        int port = ServerProcess.FreePort();
        int http = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{port}", "--http-listen", $"127.0.0.1:{http}");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
        HttpResponseMessage health = await client.GetAsync("/healthz");
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        HttpResponseMessage ready = await client.GetAsync("/readyz");
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready\n", await ready.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("/nope")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, (await client.PostAsync("/readyz", null)).StatusCode);
    }

    [Fact]
    public void Http_port_in_use_exits_1()
    {
        int http = ServerProcess.FreePort();
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, http);
        holder.Start();
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start("--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{port}", "--http-listen", $"127.0.0.1:{http}");
        Assert.Equal(1, server.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Contains(server.Lines, l => l.Contains($"listen http 127.0.0.1:{http}: address already in use", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public void Signals_stop_it_cleanly(string signal)
    {
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{port}");
        Assert.Equal("NOERROR", DigResult.Run(port, "service1.test.global").Status);
        server.Signal(signal);
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public void Port_in_use_exits_1_with_a_clear_error()
    {
        int port = ServerProcess.FreePort();
        using ServerProcess first = ServerProcess.Start(port, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{port}");
        using ServerProcess second = ServerProcess.Start("--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{port}");
        Assert.Equal(1, second.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Contains(second.Lines, l => l.Contains($"listen udp 127.0.0.1:{port}: address already in use", StringComparison.Ordinal));
        Assert.Equal("NOERROR", DigResult.Run(port, "service1.test.global").Status); // the first keeps serving
    }

    [Theory]
    [InlineData("--ttl abc", "invalid value \"abc\" for --ttl")]
    [InlineData("--ttl=-1", "invalid value \"-1\" for --ttl")]
    [InlineData("--bogus", "unknown flag --bogus")]
    [InlineData("-bogus=1", "unknown flag -bogus")]
    [InlineData("--dns-listen 1053", "invalid value \"1053\" for --dns-listen: no host: write :1053 for all interfaces, or HOST:1053")]
    [InlineData("--default-address 10.0.0.0/8", "invalid value \"10.0.0.0/8\" for --default-address")]
    [InlineData("--zone a..b", "invalid value \"a..b\" for --zone")]
    [InlineData("--log-format xml", "invalid value \"xml\" for --log-format")]
    [InlineData("--from-file", "flag --from-file needs a value")]
    [InlineData("stray", "unexpected argument \"stray\"")]
    [InlineData("--ttl 30", "no ServiceEntry source: give --from-file PATH")]
    [InlineData("--from-file /nonexistent/meshdns", "/nonexistent/meshdns")]
    [InlineData("--dns-listen [::1]", "no port: write [::1]:PORT")]
    [InlineData("--dns-listen [::1", "no closing ']'; write HOST:PORT (127.0.0.1:1053), [IPv6]:PORT ([::1]:1053), :PORT (all interfaces) or off")]
    [InlineData("--dns-listen ::1:1053", "an IPv6 address needs brackets: write [::1]:1053")]
    [InlineData("--dns-listen 127.0.0.1", "no port: write 127.0.0.1:PORT")]
    [InlineData("--grpc-listen 10.0.0.1:x", "port \"x\" is not a number from 0 to 65535; write HOST:PORT")]
    [InlineData("--zone *.global", "a zone cannot be a wildcard: write the zone itself, such as global")]
    [InlineData("--zone -bad.global", "label \"-bad\" must be letters, digits and '-', not starting or ending with '-'")]
    [InlineData("--lameduck 5", "missing unit: write 5s, or use ns, us, ms, m or h")]
    [InlineData("--lameduck 5d", "unknown unit \"d\": use ns, us, ms, s, m or h")]
    [InlineData("--lameduck=", "invalid value \"\" for --lameduck: empty")]
    [InlineData("--tcp-idle-timeout 99999999999999h", "invalid value \"99999999999999h\" for --tcp-idle-timeout: too long")]
    [InlineData("--tcp-idle-timeout 0s", "must be above 0: a DNS-over-TCP connection would be closed before its query could arrive")]
    [InlineData("--round-robin false --from-file /tmp", "--round-robin is a switch and does not read the next argument: write --round-robin=false")]
    [InlineData("--from-file /tmp --dns-listen off --grpc-listen off --http-listen off", "--dns-listen, --grpc-listen and --http-listen are all off: nothing would be served")]
    [InlineData("--max-file-size 10X", "invalid value \"10X\" for --max-file-size: must be a size from 1 byte to 1Gi")]
    [InlineData("--max-file-size 0", "invalid value \"0\" for --max-file-size: must be a size")]
    [InlineData("--max-file-size 2Gi", "invalid value \"2Gi\" for --max-file-size: must be a size")]
    [InlineData("--max-file-size=-1", "invalid value \"-1\" for --max-file-size: must be a size")]
    [InlineData("--max-file-size 99999999999999999999", "invalid value \"99999999999999999999\" for --max-file-size")]
    [InlineData("--max-file-size", "flag --max-file-size needs a value")]
    public void Bad_flags_exit_2_with_one_line_naming_the_problem(string args, string expected)
    {
        using ServerProcess server = ServerProcess.Start(args.Split(' '));
        Assert.Equal(2, server.WaitForExit(TimeSpan.FromSeconds(30)));
        string line = Assert.Single(server.Lines, l => l.Length > 0);
        Assert.StartsWith("meshdns: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_directory_warns_once()
    {
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--from-file", _dir, "--dns-listen", $"127.0.0.1:{port}", "--grpc-listen", "off", "--http-listen", "off"); // returns once serving
        string line = Assert.Single(server.Lines, l => l.Contains("no *.yaml or *.yml files", StringComparison.Ordinal));
        Assert.Contains($"warn: MeshDns.Sources.Files.FileSource[1111] --from-file {_dir}: no *.yaml or *.yml files there", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Hosts_outside_every_zone_are_warned_about_once_per_table_that_adds_some()
    {
        File.WriteAllText(Path.Combine(_dir, "a.yaml"), Entry("in", "in.mesh.global", "10.0.0.1") + "\n---\n" + Entry("out", "out.example.com", "10.0.0.2"));
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--from-file", _dir, "--dns-listen", $"127.0.0.1:{port}", "--grpc-listen", "off", "--http-listen", "off", "--zone", "global.");
        string line = server.WaitForLine("outside every --zone", TimeSpan.FromSeconds(10));
        Assert.EndsWith("Hosts outside every --zone (global) get REFUSED: 1, such as out.example.com; add their zone or leave --zone out", line, StringComparison.Ordinal);
        Assert.Equal("REFUSED", DigResult.Run(port, "out.example.com").Status);

        // The next table's warning comes after any repeat of the first one's would have.
        File.WriteAllText(Path.Combine(_dir, "b.yaml"), Entry("out2", "out2.example.com", "10.0.0.3"));
        Assert.EndsWith("get REFUSED: 2, such as out2.example.com; add their zone or leave --zone out", server.WaitForLine("get REFUSED: 2", TimeSpan.FromSeconds(10)), StringComparison.Ordinal);
        Assert.Equal(2, server.Lines.Count(l => l.Contains("outside every --zone", StringComparison.Ordinal)));
    }

    [Fact]
    public void Go_style_single_dash_flags_work()
    {
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "-from-file=" + Repo.Examples, $"-dns-listen=127.0.0.1:{port}", "-ttl", "77", "-default-address=10.9.9.9");
        DigResult a = DigResult.Run(port, "service1.test.global");
        Assert.Contains("77", a.Answers.Single().Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Version_and_help()
    {
        using ServerProcess version = ServerProcess.Start("--version");
        Assert.Equal(0, version.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Matches(@"^meshdns \d+\.\d+\.\d+", version.Lines[0]);

        using ServerProcess help = ServerProcess.Start("-help");
        Assert.Equal(0, help.WaitForExit(TimeSpan.FromSeconds(30)));
        foreach (string flag in new[] { "--from-file PATH", "--default-address IP", "--zone ZONE", "--ttl SECONDS", "--dns-listen ADDR", "--log-level", "--log-format", "--version", "--help" })
        {
            Assert.Contains(help.Lines, l => l.TrimStart().StartsWith(flag, StringComparison.Ordinal));
        }

        Assert.Contains(help.Lines, l => l.Contains("(default :1053)", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_logs_are_one_object_per_line()
    {
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--from-file", Repo.Examples, "--dns-listen", $"127.0.0.1:{port}", "--log-format", "json");
        string line = server.WaitForLine("adding DNS mapping", TimeSpan.FromSeconds(5));
        using var json = System.Text.Json.JsonDocument.Parse(line);
        Assert.Equal("Information", json.RootElement.GetProperty("LogLevel").GetString());
        Assert.Contains("DNS mapping", json.RootElement.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }

    private static void Eventually(Func<bool> condition, ServerProcess server)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (condition())
            {
                return;
            }

            Thread.Sleep(100);
        }

        Assert.Fail("condition not met within 15 s; server output:\n" + server.Output);
    }
}
