using MeshDns.Sources.Files;
using MeshDns.Table;

namespace MeshDns.Sources.Tests;

public class ServiceEntryYamlTests
{
    private const string File = "se.yaml";

    /// <summary>A valid entry; lines 1-8.</summary>
    private static string Entry(string name, string host, string apiVersion = "networking.istio.io/v1", string ns = "shop") => $"""
        apiVersion: {apiVersion}
        kind: ServiceEntry
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          hosts: [{host}]
          resolution: DNS
        """;

    private static FileParseResult Parse(string yaml) => ServiceEntryYaml.Parse(yaml, File);

    private static ServiceEntryInput Single(FileParseResult result)
    {
        Assert.Null(result.Error);
        Assert.Empty(result.Warnings);
        return Assert.Single(result.Entries);
    }

    [Theory]
    [InlineData("networking.istio.io/v1alpha3")]
    [InlineData("networking.istio.io/v1beta1")]
    [InlineData("networking.istio.io/v1")]
    public void Reads_every_supported_api_version(string apiVersion)
    {
        ServiceEntryInput entry = Single(Parse($"""
            apiVersion: {apiVersion}
            kind: ServiceEntry
            metadata:
              name: payments
              namespace: shop
            spec:
              hosts:
              - payments.shop.global
              - "*.payments.global"
              addresses:
              - 240.0.10.1
              - 2001:db8::1
              - 10.0.0.0/24
              resolution: STATIC
            """));

        Assert.Equal("shop", entry.Namespace);
        Assert.Equal("payments", entry.Name);
        Assert.Equal("shop/payments", entry.Id);
        Assert.Equal(["payments.shop.global", "*.payments.global"], entry.Hosts);
        Assert.Equal(["240.0.10.1", "2001:db8::1", "10.0.0.0/24"], entry.Addresses);
        Assert.Equal("STATIC", entry.Resolution);
        Assert.Null(entry.CreationTimestamp);
        Assert.Empty(entry.StatusAddresses);
    }

    [Fact]
    public void Reads_every_field_of_the_canonical_example_and_ignores_unknown_ones()
    {
        ServiceEntryInput entry = Single(Parse("""
            apiVersion: networking.istio.io/v1alpha3
            kind: ServiceEntry
            metadata:
              name: test-service-entry
              namespace: default
              labels: {app: test}
              annotations:
                kubectl.kubernetes.io/last-applied-configuration: "{}"
              uid: "1234"
            spec:
              hosts:
              - "*.test.global"
              location: MESH_INTERNAL
              ports:
              - number: 80
                name: http1
                protocol: http
                targetPort: 8080
              resolution: DNS
              addresses:
              - 127.255.0.2
              endpoints:
              - address: 47.111.38.80
                ports:
                  http1: 15443
                labels: {version: v1}
                network: west
                locality: us-west/zone1
                weight: 3
                serviceAccount: sa
              exportTo: [".", "istio-system"]
              workloadSelector: {labels: {app: x}}
              subjectAltNames: [spiffe://x]
            status:
              conditions: [{type: Reconciled, status: "True"}]
            unknownTopLevel: [1, 2]
            """));

        Assert.Equal("default", entry.Namespace);
        Assert.Equal("test-service-entry", entry.Name);
        Assert.Equal("DNS", entry.Resolution);
        Assert.Null(entry.CreationTimestamp);
        Assert.Empty(entry.StatusAddresses);
        Assert.Equal(["*.test.global"], entry.Hosts);
        Assert.Equal(["127.255.0.2"], entry.Addresses);
    }

    [Fact]
    public void Reads_every_document_of_a_multi_document_file()
    {
        FileParseResult result = Parse($"""
            ---
            {Entry("a", "a.global")}
            ---
            {Entry("b", "b.global", "networking.istio.io/v1beta1")}
            ---
            {Entry("c", "c.global", "networking.istio.io/v1alpha3")}
            ...
            """);

        Assert.Null(result.Error);
        Assert.Empty(result.Warnings);
        Assert.Equal(["shop/a", "shop/b", "shop/c"], result.Entries.Select(e => e.Id));
        Assert.Equal(["b.global"], result.Entries[1].Hosts);
    }

    [Fact]
    public void Reads_the_items_of_a_list()
    {
        FileParseResult result = Parse("""
            apiVersion: v1
            kind: List
            metadata: {resourceVersion: ""}
            items:
            - apiVersion: networking.istio.io/v1beta1
              kind: ServiceEntry
              metadata: {name: one, namespace: web}
              spec: {hosts: [one.global], addresses: [240.0.0.1], resolution: DNS}
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: settings}
              data: {a: b}
            - apiVersion: networking.istio.io/v1beta1
              kind: ServiceEntry
              metadata: {name: two}
              spec: {hosts: [two.global], resolution: DNS}
            """);

        Assert.Null(result.Error);
        Assert.Empty(result.Warnings);
        Assert.Equal(["web/one", "default/two"], result.Entries.Select(e => e.Id));
        Assert.Equal(["240.0.0.1"], result.Entries[0].Addresses);
        Assert.Equal(1, result.OtherDocuments);
    }

    [Fact]
    public void Items_of_a_service_entry_list_take_its_api_version_and_kind()
    {
        FileParseResult result = Parse("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntryList
            items:
            - metadata: {name: one, namespace: web}
              spec: {hosts: [one.global], resolution: DNS}
            """);

        Assert.Equal("web/one", Single(result).Id);
    }

    [Fact]
    public void Anchors_of_an_earlier_list_item_can_be_used_by_a_later_one()
    {
        FileParseResult result = Parse("""
            kind: List
            apiVersion: v1
            items:
            - apiVersion: networking.istio.io/v1
              kind: ServiceEntry
              metadata: {name: one}
              spec: &spec
                hosts: [shared.global]
                resolution: DNS
            - apiVersion: networking.istio.io/v1
              kind: ServiceEntry
              metadata: {name: two}
              spec: *spec
            """);

        Assert.Empty(result.Warnings);
        Assert.Equal(["default/one", "default/two"], result.Entries.Select(e => e.Id));
        Assert.Equal(["shared.global"], result.Entries[1].Hosts);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: 53}]}")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x}\nspec: {hosts: [a]}")]
    [InlineData("apiVersion: example.com/v1\nkind: ServiceEntry\nmetadata: {name: x}\nspec: {hosts: 3}")]
    [InlineData("apiVersion: v1\nkind: ServiceEntry\nmetadata: {name: x}")]
    [InlineData("just a string")]
    [InlineData("[a, list]")]
    [InlineData("apiVersion: networking.istio.io/v1\nmetadata: {name: no-kind}")]
    public void Skips_other_kinds_and_groups_silently_and_counts_them(string other)
    {
        FileParseResult result = Parse($"{other}\n---\n{Entry("kept", "kept.global")}");

        Assert.Null(result.Error);
        Assert.Empty(result.Warnings);
        Assert.Equal("shop/kept", Assert.Single(result.Entries).Id);
        Assert.Equal(1, result.OtherDocuments);
        Assert.Equal(0, result.InvalidEntries);
    }

    [Fact]
    public void Empty_documents_and_files_yield_nothing()
    {
        foreach (string yaml in new[] { "", "# only a comment\n", "---\n---\n", "---\n~\n" })
        {
            FileParseResult result = Parse(yaml);
            Assert.Null(result.Error);
            Assert.Empty(result.Entries);
            Assert.Empty(result.Warnings);
            Assert.Equal(0, result.OtherDocuments);
        }
    }

    /// <summary>
    /// A bad ServiceEntry after a good one in the same file: the good one is kept, the bad one is skipped
    /// with exactly one warning "se.yaml:LINE ns/name: ...". The bad document starts on line 10.
    /// </summary>
    [Theory]
    [InlineData("apiVersion: networking.istio.io/v2\nkind: ServiceEntry\nmetadata: {name: bad}\nspec: {hosts: [a]}",
        10, "default/bad: apiVersion: unsupported version 'networking.istio.io/v2' (expected networking.istio.io/v1, networking.istio.io/v1beta1, networking.istio.io/v1alpha3)")]
    [InlineData("kind: ServiceEntry\nmetadata: {name: bad}\nspec: {hosts: [a]}",
        10, "default/bad: apiVersion: missing")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {namespace: ns}\nspec: {hosts: [a]}",
        12, "ns/(no name): metadata.name: missing")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nspec: {hosts: [a]}",
        10, "default/(no name): metadata.name: missing")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: {a: b}\nspec: {hosts: [a]}",
        13, "default/(no name): metadata.name: expected a string, found an object")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad, namespace: ns}\nspec:\n  hosts: a.global",
        14, "ns/bad: spec.hosts: expected an array of strings, found a string")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec:\n  hosts: [a, ~]",
        14, "default/bad: spec.hosts[1]: expected a string, found null")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec:\n  hosts:\n  - {a: b}",
        15, "default/bad: spec.hosts[0]: expected a string, found an object")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec: [a]",
        13, "default/bad: spec: expected an object, found an array")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec: {}",
        13, "default/bad: spec.hosts: at least one host is required")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec:\n  hosts: [a]\n  ports:\n  - number: http",
        16, "default/bad: spec.ports[0].number: expected a 32-bit integer, found a string")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec:\n  hosts: [a]\n  ports:\n  - number: 5000000000",
        16, "default/bad: spec.ports[0].number: expected a 32-bit integer, found 5000000000")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec:\n  hosts: [a]\n  ports:\n  - number: \"80\"",
        16, "default/bad: spec.ports[0].number: expected a 32-bit integer, found a string")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec:\n  hosts: [a]\n  endpoints:\n  - address: 1.2.3.4\n    ports: [15443]",
        17, "default/bad: spec.endpoints[0].ports: expected a map of 32-bit integers, found an array")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec:\n  hosts: [a]\n  endpoints:\n  - labels: {a: [b]}",
        16, "default/bad: spec.endpoints[0].labels.a: expected a string, found an array")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec:\n  hosts: [a]\n  exportTo: \".\"",
        15, "default/bad: spec.exportTo: expected an array of strings, found a string")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec:\n  hosts: [a]\n  resolution: dns",
        15, "default/bad: spec.resolution: unknown value 'dns' (expected NONE, STATIC, DNS, DNS_ROUND_ROBIN or DYNAMIC_DNS)")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec:\n  hosts: [a]\n  location: INSIDE",
        15, "default/bad: spec.location: unknown value 'INSIDE' (expected MESH_EXTERNAL or MESH_INTERNAL)")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: bad\n  creationTimestamp: yesterday\nspec: {hosts: [a]}",
        14, "default/bad: metadata.creationTimestamp: expected an RFC 3339 date-time, found 'yesterday'")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec:\n  hosts: [a]\n  hosts: [b]",
        15, "default/bad: spec.hosts: key repeated")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec: {hosts: [a]}\nstatus:\n  addresses:\n  - host: a",
        16, "default/bad: status.addresses[0].value: missing")]
    [InlineData("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec:\n  hosts: *nowhere",
        14, "default/bad: spec.hosts: alias to an unknown anchor")]
    public void Skips_a_bad_entry_with_one_warning_naming_it(string bad, int line, string message)
    {
        FileParseResult result = Parse($"{Entry("good", "good.global")}\n---\n{bad}\n");

        Assert.Null(result.Error);
        Assert.Equal("shop/good", Assert.Single(result.Entries).Id);
        string warning = Assert.Single(result.Warnings);
        Assert.StartsWith($"{File}:{line} ", warning);
        Assert.StartsWith(message, warning[$"{File}:{line} ".Length..]);
        Assert.Equal(1, result.InvalidEntries);
    }

    [Fact]
    public void Addresses_follow_the_shared_rule_bad_ones_skipped_alone_the_entry_kept()
    {
        FileParseResult result = Parse(MeshDns.TestCases.AddressCases.Yaml());

        Assert.Null(result.Error);
        Assert.Empty(result.Warnings); // the decoder keeps every address as written; the table decides
        Assert.Equal(2 * MeshDns.TestCases.AddressCases.All.Length, result.Entries.Count);
        Assert.Equal(["10.1.1.300", MeshDns.TestCases.AddressCases.Good], result.Entries.Single(e => e.Name == "mixed-5").Addresses);
        MeshDns.TestCases.AddressCases.AssertTable(NameTableBuilder.Build(result.Entries, new TableOptions(), 0));
    }

    [Fact]
    public void One_warning_lists_several_problems_of_an_entry()
    {
        FileParseResult result = Parse("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: bad}
            spec:
              hosts: a.global
              addresses: 10.0.0.1
              resolution: [DNS]
            """);

        Assert.Empty(result.Entries);
        Assert.Equal(
            "se.yaml:5 default/bad: spec.hosts: expected an array of strings, found a string; "
            + "spec.addresses: expected an array of strings, found a string; "
            + "spec.resolution: expected a string, found an array",
            Assert.Single(result.Warnings));
    }

    [Fact]
    public void A_bad_item_of_a_list_is_skipped_alone()
    {
        FileParseResult result = Parse("""
            apiVersion: v1
            kind: List
            items:
            - apiVersion: networking.istio.io/v1
              kind: ServiceEntry
              metadata: {name: bad, namespace: web}
              spec: {hosts: one.global}
            - apiVersion: networking.istio.io/v1
              kind: ServiceEntry
              metadata: {name: good, namespace: web}
              spec: {hosts: [two.global]}
            """);

        Assert.Equal("web/good", Assert.Single(result.Entries).Id);
        Assert.Equal("se.yaml:7 web/bad: spec.hosts: expected an array of strings, found a string", Assert.Single(result.Warnings));
    }

    [Fact]
    public void A_list_whose_items_are_not_a_list_is_reported()
    {
        FileParseResult result = Parse("apiVersion: v1\nkind: List\nitems: {a: b}\n");

        Assert.Empty(result.Entries);
        Assert.Equal("se.yaml:3 List: items: expected a list, found a map", Assert.Single(result.Warnings));
    }

    /// <summary>A syntax error anywhere fails the whole file, naming the line it is on.</summary>
    [Theory]
    [InlineData("a: b\n  c: d\n", 2)]
    [InlineData("apiVersion: v1\nkind: List\nitems:\n- a\n b: c\n", 5)]
    [InlineData("metadata:\n  name: x\nspec:\n  hosts: [a, b\n", 5)]
    [InlineData("spec:\n  hosts: \"unterminated\n", 2)] // where the scalar starts
    [InlineData("a: 1\nb: *\n", 2)]
    [InlineData("key: [a]]\n", 1)]
    [InlineData("metadata: {name: a\nspec: {}\n", 1)] // YamlDotNet's scanner throws InvalidOperationException here
    public void A_syntax_error_fails_the_file_with_its_line(string bad, int line)
    {
        string good = Entry("good", "good.global");
        FileParseResult result = Parse($"{good}\n---\n{bad}");

        Assert.Empty(result.Entries);
        Assert.Empty(result.Warnings);
        Assert.NotNull(result.Error);
        int goodLines = good.Split('\n').Length + 1;
        Assert.StartsWith($"{File}:{goodLines + line}:", result.Error);
        Assert.Matches(@"^se\.yaml:\d+:\d+: \S", result.Error); // file:line:column: reason
        Assert.DoesNotContain("Line:", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Error);
    }

    /// <summary>The mistakes made by hand are named, with line and column.</summary>
    [Theory]
    [InlineData("spec:\n\thosts: [a]\n", "se.yaml:2:1: a tab in the indentation: YAML indents with spaces only")]
    [InlineData("metadata:\n  name: x\nspec:\n  hosts: [a, b\n", "se.yaml:5:1: unclosed '[' opened at line 4, column 10: add the ']'")]
    [InlineData("metadata: {name: a\nspec: {}\n", "unclosed '{' opened at line 1, column 11: add the '}'")]
    [InlineData("spec:\n  hosts: [\"a\", \"[b\"\nother: 1\n", "unclosed '[' opened at line 2, column 10: add the ']'")]
    [InlineData("a: b\n  c: d\n", "se.yaml:2:4: while scanning a plain scalar value, found invalid mapping (is this line indented differently from the keys above it?)")]
    public void A_syntax_error_says_what_is_wrong_and_where(string bad, string expected)
    {
        string? error = ServiceEntryYaml.Parse(bad, File).Error;
        Assert.NotNull(error);
        Assert.EndsWith(expected, error);
        Assert.DoesNotContain("invalid YAML", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("metadata:\n  name: x\n", "default")]
    [InlineData("metadata:\n  name: x\n  namespace: \"\"\n", "default")]
    [InlineData("metadata:\n  name: x\n  namespace: ~\n", "default")]
    [InlineData("metadata:\n  name: x\n  namespace: istio-system\n", "istio-system")]
    public void A_missing_namespace_is_default(string metadata, string expected)
    {
        ServiceEntryInput entry = Single(Parse($"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\n{metadata}spec: {{hosts: [a.global]}}\n"));

        Assert.Equal(expected, entry.Namespace);
        Assert.Equal("x", entry.Name);
    }

    [Fact]
    public void Reads_status_addresses()
    {
        ServiceEntryInput entry = Single(Parse("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: auto}
            spec:
              hosts: [a.global, b.global]
              resolution: DNS
            status:
              addresses:
              - value: 240.240.0.1
                host: a.global
              - value: 2001:2::1
                host: b.global
              - value: 240.240.0.9
                type: IPAddress
            """));

        Assert.Empty(entry.Addresses);
        Assert.Equal(
            [new StatusAddress("240.240.0.1", "a.global"), new StatusAddress("2001:2::1", "b.global"), new StatusAddress("240.240.0.9", null)],
            entry.StatusAddresses);
    }

    [Theory]
    [InlineData("2024-01-02T03:04:05Z", "2024-01-02T03:04:05.0000000+00:00")]
    [InlineData("\"2024-01-02T03:04:05Z\"", "2024-01-02T03:04:05.0000000+00:00")]
    [InlineData("2024-01-02T05:04:05+02:00", "2024-01-02T03:04:05.0000000+00:00")]
    [InlineData("2024-01-02T03:04:05.123456789Z", "2024-01-02T03:04:05.1234567+00:00")]
    [InlineData("null", null)]
    [InlineData("", null)]
    public void Reads_creation_timestamp(string yaml, string? expectedUtc)
    {
        ServiceEntryInput entry = Single(Parse($"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: x\n  creationTimestamp: {yaml}\nspec: {{hosts: [a.global]}}\n"));

        Assert.Equal(expectedUtc, entry.CreationTimestamp?.ToUniversalTime().ToString("o", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2024-01-02T03:04:05")] // no offset
    [InlineData("2024-01-02")]
    [InlineData("2024-13-02T03:04:05Z")]
    public void Rejects_timestamps_that_are_not_rfc_3339(string yaml)
    {
        FileParseResult result = Parse($"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: x\n  creationTimestamp: {yaml}\nspec: {{hosts: [a.global]}}\n");

        Assert.Empty(result.Entries);
        Assert.Contains("metadata.creationTimestamp", Assert.Single(result.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Resolution_and_addresses_are_optional()
    {
        ServiceEntryInput entry = Single(Parse("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: x}\nspec:\n  hosts: [a.global]\n  addresses: []\n"));

        Assert.Null(entry.Resolution);
        Assert.Empty(entry.Addresses);
    }

    [Fact]
    public void A_name_defined_twice_in_a_file_keeps_the_later_one_with_a_warning()
    {
        FileParseResult result = Parse($"{Entry("dup", "first.global")}\n---\n{Entry("dup", "second.global")}\n");

        ServiceEntryInput entry = Assert.Single(result.Entries);
        Assert.Equal(["second.global"], entry.Hosts);
        Assert.Equal("se.yaml:10 shop/dup: defined again (first at line 1); the later one is used", Assert.Single(result.Warnings));
    }

    /// <summary>
    /// Scalars are typed by the YAML 1.2 core schema before the JSON checks: a plain 80, 0o120, 0x50 or +80 is a
    /// number, a quoted "80" or a !!str 80 is a string; .inf is not a JSON number.
    /// </summary>
    [Theory]
    [InlineData("80", null)]
    [InlineData("+80", null)]
    [InlineData("080", null)]
    [InlineData("0o120", null)]
    [InlineData("0x50", null)]
    [InlineData("!!int \"80\"", null)]
    [InlineData("\"80\"", "expected a 32-bit integer, found a string")]
    [InlineData("'80'", "expected a 32-bit integer, found a string")]
    [InlineData("!!str 80", "expected a 32-bit integer, found a string")]
    [InlineData("80.0", "expected a 32-bit integer, found 80.0")]
    [InlineData("8e1", "expected a 32-bit integer, found 8e1")]
    [InlineData(".5", "expected a 32-bit integer, found 0.5")]
    [InlineData(".inf", "expected a 32-bit integer, found a string")]
    [InlineData("true", "expected a 32-bit integer, found true")]
    [InlineData("http", "expected a 32-bit integer, found a string")]
    public void Plain_scalars_are_typed_by_the_yaml_core_schema(string number, string? problem)
    {
        FileParseResult result = Parse($"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: x}}\nspec:\n  hosts: [a.global]\n  ports:\n  - number: {number}\n");

        if (problem is null)
        {
            Assert.Equal("default/x", Single(result).Id);
        }
        else
        {
            Assert.Empty(result.Entries);
            Assert.Equal($"se.yaml:7 default/x: spec.ports[0].number: {problem}", Assert.Single(result.Warnings));
        }
    }

    [Theory]
    [InlineData("name: 123", 4, "metadata.name: expected a string, found 123")]
    [InlineData("name: true", 4, "metadata.name: expected a string, found true")]
    [InlineData("name: yes", 0, null)] // YAML 1.1's boolean, a string in 1.2
    [InlineData("name: \"123\"", 0, null)]
    [InlineData("name: x\n  labels: {version: 1.0}", 5, "metadata.labels.version: expected a string, found 1.0")]
    [InlineData("name: x\n  labels: {version: \"1.0\", app.kubernetes.io/name: x}", 0, null)]
    [InlineData("name: x\n  labels:\n    app.kubernetes.io/name: x\n    app.kubernetes.io/version: 2", 7, "metadata.labels.app.kubernetes.io/version: expected a string, found 2")]
    public void Strings_that_look_like_numbers_must_be_quoted(string metadata, int line, string? problem)
    {
        FileParseResult result = Parse($"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  {metadata}\nspec: {{hosts: [a.global]}}\n");

        if (problem is null)
        {
            Assert.Single(result.Entries);
            Assert.Empty(result.Warnings);
        }
        else
        {
            Assert.Empty(result.Entries);
            Assert.EndsWith($": {problem}", Assert.Single(result.Warnings), StringComparison.Ordinal);
            Assert.StartsWith($"se.yaml:{line} ", result.Warnings[0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_resolution_of_the_crd_is_accepted()
    {
        foreach (string resolution in new[] { "NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS" })
        {
            ServiceEntryInput entry = Single(Parse($"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: x}}\nspec: {{hosts: [a.global], resolution: {resolution}}}\n"));
            Assert.Equal(resolution, entry.Resolution);
        }
    }

    /// <summary>What has no JSON form is reported on the entry it is in, with its line and path.</summary>
    [Theory]
    [InlineData("spec:\n  hosts: [a]\n  ? [complex, key]\n  : value", 6, "spec: a mapping key must be a scalar")]
    [InlineData("spec:\n  hosts: &h [a, *h]", 5, "spec.hosts[1]: alias to a node that contains it")]
    [InlineData("spec:\n  hosts: [a]\n  endpoints:\n  - labels: {*nowhere : b}", 7, "spec.endpoints[0].labels: alias to an unknown anchor")]
    public void Yaml_without_a_json_form_is_a_problem_of_its_entry(string spec, int line, string message)
    {
        FileParseResult result = Parse($"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: bad}}\n{spec}\n");

        Assert.Empty(result.Entries);
        Assert.StartsWith($"se.yaml:{line} default/bad: {message}", Assert.Single(result.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_too_deep_is_a_problem_of_its_entry()
    {
        string deep = new string('[', 100) + new string(']', 100);
        FileParseResult result = Parse($"apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: bad}}\nspec:\n  hosts: [a]\n  extra: {deep}\n---\n{Entry("good", "good.global")}\n");

        Assert.Equal("shop/good", Assert.Single(result.Entries).Id);
        string warning = Assert.Single(result.Warnings);
        Assert.StartsWith("se.yaml:6 default/bad: spec.extra", warning, StringComparison.Ordinal);
        Assert.Contains("nested more than 64 levels deep", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_in_other_kinds_is_not_reported()
    {
        string deep = new string('[', 100) + new string(']', 100);
        FileParseResult result = Parse($"apiVersion: v1\nkind: ConfigMap\ndata: {deep}\n---\n{Entry("good", "good.global")}\n");

        Assert.Equal("shop/good", Single(result).Id);
        Assert.Equal(1, result.OtherDocuments);
    }

    [Fact]
    public void Anchored_scalars_can_be_keys_and_values()
    {
        ServiceEntryInput entry = Single(Parse("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: &name x
              namespace: *name
            spec:
              hosts:
              - &host a.global
              - *host
              &key resolution: STATIC
              addresses: [240.0.0.1]
            status:
              addresses:
              - *key : ignored
                value: 240.0.0.2
            """));

        Assert.Equal("x/x", entry.Id);
        Assert.Equal(["a.global", "a.global"], entry.Hosts);
        Assert.Equal("STATIC", entry.Resolution);
        Assert.Equal([new StatusAddress("240.0.0.2", null)], entry.StatusAddresses);
    }

    /// <summary>A file's entry is the same ServiceEntryInput as the same object read as JSON (the Kubernetes source's way).</summary>
    [Fact]
    public void An_entry_from_yaml_is_the_entry_from_the_same_json()
    {
        ServiceEntryInput fromYaml = Single(Parse("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: auth
              namespace: web
              creationTimestamp: 2024-01-02T03:04:05Z
            spec:
              hosts: [auth.global, "*.auth.global"]
              addresses: [240.0.0.1, 2001:db8::/64]
              resolution: DNS
              ports: [{number: 443, name: https, protocol: HTTPS}]
            status:
              addresses:
              - {value: 240.240.0.1, host: auth.global}
              - {value: 240.240.0.2}
            """));

        Assert.True(MeshDns.Models.Json.ServiceEntryJson.TryDecode(
            System.Text.Json.JsonDocument.Parse("""
            {"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry",
             "metadata":{"name":"auth","namespace":"web","creationTimestamp":"2024-01-02T03:04:05Z"},
             "spec":{"hosts":["auth.global","*.auth.global"],"addresses":["240.0.0.1","2001:db8::/64"],"resolution":"DNS",
                     "ports":[{"number":443,"name":"https","protocol":"HTTPS"}]},
             "status":{"addresses":[{"value":"240.240.0.1","host":"auth.global"},{"value":"240.240.0.2"}]}}
            """).RootElement,
            out ServiceEntryInput? fromJson,
            out _,
            out string? error), error);

        Assert.Equal(fromJson.Id, fromYaml.Id);
        Assert.Equal(fromJson.CreationTimestamp, fromYaml.CreationTimestamp);
        Assert.Equal(fromJson.Hosts, fromYaml.Hosts);
        Assert.Equal(fromJson.Addresses, fromYaml.Addresses);
        Assert.Equal(fromJson.Resolution, fromYaml.Resolution);
        Assert.Equal(fromJson.StatusAddresses, fromYaml.StatusAddresses);
    }

    [Fact]
    public void Alias_bombs_do_not_explode()
    {
        // Each level doubles the size: expanding every alias would take 2^30 nodes.
        var yaml = new System.Text.StringBuilder("a0: &a0 [x, x]\n");
        for (int i = 1; i <= 30; i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n");
        }

        FileParseResult result = Parse($"apiVersion: v1\nkind: List\nanchors:\n{Indent(yaml.ToString())}items:\n- apiVersion: networking.istio.io/v1\n  kind: ServiceEntry\n  metadata: {{name: x}}\n  spec:\n    hosts: [a.global]\n    exportTo: *a30\n");

        Assert.Empty(result.Entries);
        Assert.Single(result.Warnings);
    }

    private static string Indent(string text) =>
        string.Concat(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => $"  {l}\n"));

    [Fact]
    public void Every_example_file_parses_without_errors_or_warnings()
    {
        string examples = Path.Join(RepoRoot(), "examples");
        string[] files = [.. Directory.EnumerateFiles(examples, "*.y*ml").Order(StringComparer.Ordinal)];
        Assert.Equal(["list.yaml", "multi.yaml", "seed.yaml"], files.Select(Path.GetFileName));

        var ids = new List<string>();
        foreach (string file in files)
        {
            FileParseResult result = ServiceEntryYaml.Parse(System.IO.File.ReadAllText(file), Path.GetFileName(file));
            Assert.Null(result.Error);
            Assert.Empty(result.Warnings);
            Assert.Equal(0, result.OtherDocuments);
            Assert.NotEmpty(result.Entries);
            ids.AddRange(result.Entries.Select(e => e.Id));
        }

        Assert.Equal(["web/search", "default/auth", "shop/payments", "shop/inventory", "shop/legacy-db", "default/test-service-entry"], ids);
    }

    [Fact]
    public void The_seed_example_is_the_canonical_entry()
    {
        FileParseResult result = ServiceEntryYaml.Parse(System.IO.File.ReadAllText(Path.Join(RepoRoot(), "examples", "seed.yaml")), "seed.yaml");

        ServiceEntryInput entry = Single(result);
        Assert.Equal("default/test-service-entry", entry.Id);
        Assert.Equal(["*.test.global"], entry.Hosts);
        Assert.Equal(["127.255.0.2"], entry.Addresses);
        Assert.Equal("DNS", entry.Resolution);
    }

    internal static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Join(dir.FullName, "MeshDns.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No MeshDns.sln above {AppContext.BaseDirectory}");
    }
}
