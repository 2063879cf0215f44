using System.Text.Json;
using System.Text.Json.Nodes;
using MeshDns.Models.Json;
using MeshDns.Table;

namespace MeshDns.Models.Tests;

/// <summary><see cref="ServiceEntryJson"/>: checks, messages and the mapping to <see cref="ServiceEntryInput"/>.</summary>
public class ServiceEntryJsonTests
{
    private const string ResolutionValues = "NONE, STATIC, DNS, DNS_ROUND_ROBIN or DYNAMIC_DNS";

    [Fact]
    public void Valid_entry_maps_to_the_table_input()
    {
        Assert.True(ServiceEntryJson.TryDecode(Element(Samples.ExternalV1), out ServiceEntryInput? entry, out string id, out string? error), error);

        Assert.Equal("payments/external-apis", id);
        Assert.Null(error);
        Assert.Equal("payments", entry.Namespace);
        Assert.Equal("external-apis", entry.Name);
        Assert.Equal(id, entry.Id);
        Assert.Equal(new DateTimeOffset(2024, 5, 14, 9, 21, 7, TimeSpan.Zero), entry.CreationTimestamp);
        Assert.Equal(["api.stripe.example", "*.googleapis.example"], entry.Hosts);
        Assert.Empty(entry.Addresses);
        Assert.Equal("DNS", entry.Resolution);
        Assert.Equal([new StatusAddress("240.240.0.1", "api.stripe.example"), new StatusAddress("2001:2::f0f0:1", "api.stripe.example")], entry.StatusAddresses);
    }

    [Fact]
    public void Static_entry_maps_its_addresses()
    {
        Assert.True(ServiceEntryJson.TryDecode(Element(Samples.StaticV1Alpha3), out ServiceEntryInput? entry, out string id, out string? error), error);

        Assert.Equal("data/legacy-db", id);
        Assert.Equal(["10.20.0.0/16", "192.168.7.12"], entry.Addresses);
        Assert.Equal("STATIC", entry.Resolution);
        Assert.Empty(entry.StatusAddresses);
    }

    public static TheoryData<string, string?, string> Accepted() => new()
    {
        // path, new value (JSON; null removes the field), expected id
        { "metadata.namespace", null, "default/external-apis" },
        { "metadata.namespace", "\"\"", "default/external-apis" },
        { "apiVersion", null, "payments/external-apis" },
        { "kind", null, "payments/external-apis" },
        { "apiVersion", "\"networking.istio.io/v1beta1\"", "payments/external-apis" },
        { "spec.resolution", "\"DYNAMIC_DNS\"", "payments/external-apis" },
        { "spec.resolution", null, "payments/external-apis" },
        { "spec.addresses", "null", "payments/external-apis" },
        { "spec.addresses", "[\"10.0.0.0/8\", \"fd00::1\", \"10.1.2.3\", \"2001:db8::/32\"]", "payments/external-apis" },
        { "status", null, "payments/external-apis" },
        { "status", "null", "payments/external-apis" },
        { "status.observedGeneration", "3", "payments/external-apis" },
        { "status.addresses", "[{\"value\": \"240.240.0.9\"}]", "payments/external-apis" },
        { "metadata.creationTimestamp", "\"2024-05-14T09:21:07.123456789+02:00\"", "payments/external-apis" },
        { "metadata.creationTimestamp", null, "payments/external-apis" },
        { "spec.unknownFutureField", "{\"a\": [1, 2, {\"b\": null}]}", "payments/external-apis" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Accepted_variations(string path, string? value, string expectedId)
    {
        Assert.True(ServiceEntryJson.TryDecode(Modified(path, value), out ServiceEntryInput? entry, out string id, out string? error), error);
        Assert.Equal(expectedId, id);
        Assert.Null(error);
        Assert.Equal(expectedId, entry.Id);
    }

    public static TheoryData<string, string?, string, string> Rejected() => new()
    {
        // path, new value (JSON; null removes the field), expected id, expected error
        { "metadata.name", null, "payments/(no name)", "metadata.name: missing" },
        { "metadata.name", "\"\"", "payments/(no name)", "metadata.name: missing" },
        { "metadata.name", "42", "payments/(no name)", "metadata.name: expected a string, found 42" },
        { "metadata", null, "default/(no name)", "metadata.name: missing" },
        { "metadata", "[]", "default/(no name)", "metadata: expected an object, found an array" },
        { "spec", null, "payments/external-apis", "spec: missing" },
        { "spec", "null", "payments/external-apis", "spec: missing" },
        { "spec", "[\"a\"]", "payments/external-apis", "spec: expected an object, found an array" },
        { "spec.hosts", "\"a.example\"", "payments/external-apis", "spec.hosts: expected an array of strings, found a string" },
        { "spec.hosts", "[]", "payments/external-apis", "spec.hosts: at least one host is required" },
        { "spec.hosts", null, "payments/external-apis", "spec.hosts: at least one host is required" },
        { "spec.hosts", "[\"a.example\", null]", "payments/external-apis", "spec.hosts[1]: expected a string, found null" },
        { "spec.hosts", "[\"a.example\", 7]", "payments/external-apis", "spec.hosts[1]: expected a string, found 7" },
        { "spec.hosts", "[\"a.example\", \" \"]", "payments/external-apis", "spec.hosts[1]: empty host" },
        { "spec.addresses", "{\"a\": \"10.0.0.1\"}", "payments/external-apis", "spec.addresses: expected an array of strings, found an object" },
        { "spec.resolution", "\"dns\"", "payments/external-apis", $"spec.resolution: unknown value 'dns' (expected {ResolutionValues})" },
        { "spec.resolution", "1", "payments/external-apis", "spec.resolution: expected a string, found 1" },
        { "spec.location", "\"EXTERNAL\"", "payments/external-apis", "spec.location: unknown value 'EXTERNAL' (expected MESH_EXTERNAL or MESH_INTERNAL)" },
        { "spec.ports", "[{\"number\": 70000000000, \"name\": \"x\"}]", "payments/external-apis", "spec.ports[0].number: expected a 32-bit integer, found 70000000000" },
        { "spec.ports", "[{\"number\": \"443\", \"name\": \"x\"}]", "payments/external-apis", "spec.ports[0].number: expected a 32-bit integer, found a string" },
        { "spec.ports", "[null]", "payments/external-apis", "spec.ports[0]: expected an object, found null" },
        { "spec.endpoints", "[{\"ports\": {\"http\": \"80\"}}]", "payments/external-apis", "spec.endpoints[0].ports.http: expected a 32-bit integer, found a string" },
        { "spec.endpoints", "[{\"labels\": [\"a\"]}]", "payments/external-apis", "spec.endpoints[0].labels: expected a map of strings, found an array" },
        { "spec.endpoints", "[{\"weight\": 1.5}]", "payments/external-apis", "spec.endpoints[0].weight: expected an integer, found 1.5" },
        { "spec.workloadSelector", "{\"labels\": {\"app\": null}}", "payments/external-apis", "spec.workloadSelector.labels.app: expected a string, found null" },
        { "metadata.creationTimestamp", "\"yesterday\"", "payments/external-apis", "metadata.creationTimestamp: expected an RFC 3339 date-time, found 'yesterday'" },
        { "metadata.creationTimestamp", "\"2024-05-14\"", "payments/external-apis", "metadata.creationTimestamp: '2024-05-14' is not an RFC 3339 time" },
        { "metadata.generation", "\"3\"", "payments/external-apis", "metadata.generation: expected an integer, found a string" },
        { "metadata.labels", "{\"a\": 1}", "payments/external-apis", "metadata.labels.a: expected a string, found 1" },
        { "status", "\"ok\"", "payments/external-apis", "status: expected an object, found a string" },
        { "status.addresses", "[{\"host\": \"a\"}]", "payments/external-apis", "status.addresses[0].value: missing" },
        { "status.addresses", "[{\"value\": \"\"}]", "payments/external-apis", "status.addresses[0].value: missing" },
        { "status.conditions", "[{\"lastTransitionTime\": \"soon\"}]", "payments/external-apis", "status.conditions[0].lastTransitionTime: expected an RFC 3339 date-time, found 'soon'" },
        { "apiVersion", "\"networking.istio.io/v2\"", "payments/external-apis", "apiVersion: unsupported version 'networking.istio.io/v2' (expected networking.istio.io/v1, networking.istio.io/v1beta1, networking.istio.io/v1alpha3)" },
        { "apiVersion", "\"v1\"", "payments/external-apis", "apiVersion: unsupported version 'v1' (expected networking.istio.io/v1, networking.istio.io/v1beta1, networking.istio.io/v1alpha3)" },
        { "apiVersion", "3", "payments/external-apis", "apiVersion: expected a string, found 3" },
        { "kind", "\"DestinationRule\"", "payments/external-apis", "kind: expected ServiceEntry, found 'DestinationRule'" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Rejected_variations(string path, string? value, string expectedId, string expectedError)
    {
        Assert.False(ServiceEntryJson.TryDecode(Modified(path, value), out ServiceEntryInput? entry, out string id, out string? error));

        Assert.Null(entry);
        Assert.Equal(expectedId, id);
        Assert.Equal(expectedError, error);
    }

    [Fact]
    public void Addresses_are_kept_as_written_for_the_table_to_judge()
    {
        // The CRD lets any string through, so the decoder does not reject an entry for an address:
        // the table skips the ones it cannot serve, one by one (MeshDns.TestCases.AddressCases).
        JsonNode root = JsonNode.Parse(Samples.ExternalV1)!;
        string[] texts = [.. MeshDns.TestCases.AddressCases.All.Select(c => c.Text)];
        root["spec"]!["addresses"] = new JsonArray([.. texts.Select(t => (JsonNode?)JsonValue.Create(t))]);

        Assert.True(ServiceEntryJson.TryDecode(Element(root.ToJsonString()), out ServiceEntryInput? entry, out _, out string? error), error);

        Assert.Equal(texts, entry.Addresses);
    }

    [Fact]
    public void Several_problems_are_listed_in_document_order_up_to_three()
    {
        JsonNode root = JsonNode.Parse(Samples.ExternalV1)!;
        root["status"]!["addresses"] = JsonNode.Parse("[{}]");
        root["spec"]!["location"] = "NOWHERE";
        root["spec"]!["resolution"] = "SOMETIMES";
        root["metadata"]!.AsObject().Remove("name");

        Assert.False(ServiceEntryJson.TryDecode(Element(root.ToJsonString()), out _, out string id, out string? error));

        Assert.Equal("payments/(no name)", id);
        Assert.Equal(
            $"metadata.name: missing; spec.resolution: unknown value 'SOMETIMES' (expected {ResolutionValues}); " +
            "spec.location: unknown value 'NOWHERE' (expected MESH_EXTERNAL or MESH_INTERNAL); and 1 more",
            error);
    }

    [Fact]
    public void Shape_problems_are_all_reported_before_value_checks()
    {
        JsonNode root = JsonNode.Parse(Samples.ExternalV1)!;
        root["spec"]!["hosts"] = "one.example";
        root["spec"]!["ports"] = JsonNode.Parse("[{\"number\": true}]");

        Assert.False(ServiceEntryJson.TryDecode(Element(root.ToJsonString()), out _, out _, out string? error));

        Assert.Equal("spec.hosts: expected an array of strings, found a string; spec.ports[0].number: expected a 32-bit integer, found true", error);
    }

    [Theory]
    [InlineData("[]", "expected an object, found an array")]
    [InlineData("\"se\"", "expected an object, found a string")]
    [InlineData("null", "expected an object, found null")]
    public void Not_an_object(string json, string expectedError)
    {
        Assert.False(ServiceEntryJson.TryDecode(Element(json), out ServiceEntryInput? entry, out string id, out string? error));

        Assert.Null(entry);
        Assert.Equal("default/(no name)", id);
        Assert.Equal(expectedError, error);
    }

    [Fact]
    public void Default_element_is_not_an_object()
    {
        Assert.False(ServiceEntryJson.TryDecode(default(JsonElement), out _, out string id, out string? error));

        Assert.Equal("default/(no name)", id);
        Assert.Equal("expected an object, found nothing", error);
    }

    [Fact]
    public void List_items_decode_one_by_one()
    {
        JsonNode page = JsonNode.Parse(Samples.ListPage)!;
        page["items"]!.AsArray().Add(JsonNode.Parse("""{"metadata": {"name": "broken", "namespace": "three"}, "spec": {"hosts": "not-a-list.example"}}"""));
        using JsonDocument list = JsonDocument.Parse(page.ToJsonString());
        var results = list.RootElement.GetProperty("items").EnumerateArray()
            .Select(item => (Ok: ServiceEntryJson.TryDecode(item, out ServiceEntryInput? entry, out string id, out string? error), entry, id, error))
            .ToList();

        Assert.Equal([true, true, false], results.Select(r => r.Ok));
        Assert.Equal(["one/a", "two/b", "three/broken"], results.Select(r => r.id));
        Assert.Equal("DYNAMIC_DNS", results[1].entry!.Resolution);
        Assert.Equal("spec.hosts: expected an array of strings, found a string", results[2].error);
    }

    [Fact]
    public void ToInput_maps_without_checking()
    {
        var se = new ServiceEntry
        {
            Metadata = new ObjectMeta { Name = "n", CreationTimestamp = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromHours(1)) },
            Spec = new ServiceEntrySpec
            {
                Hosts = ["a.example", null!, "b.example"],
                Resolution = "whatever",
                Ports = [new() { Name = "http", Number = 80, Protocol = "HTTP" }, null!, new() { Number = 53, Protocol = "UDP" }],
            },
            Status = new ServiceEntryStatus
            {
                Addresses =
                [
                    new ServiceEntryStatusAddressesItem { Value = "240.240.0.1", Host = "" },
                    new ServiceEntryStatusAddressesItem { Value = null, Host = "a.example" },
                    new ServiceEntryStatusAddressesItem { Value = "240.240.0.2", Host = "b.example" },
                ],
            },
        };

        ServiceEntryInput input = MeshDns.Models.Validation.ServiceEntryCheck.ToInput(se);

        Assert.Equal("default", input.Namespace);
        Assert.Equal("n", input.Name);
        Assert.Equal(new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromHours(1)), input.CreationTimestamp);
        Assert.Equal(["a.example", "b.example"], input.Hosts);
        Assert.Empty(input.Addresses);
        Assert.Equal("whatever", input.Resolution);
        Assert.Equal([new StatusAddress("240.240.0.1", null), new StatusAddress("240.240.0.2", "b.example")], input.StatusAddresses);
        Assert.Equal([new ServicePort("http", 80, "HTTP"), new ServicePort(null, 53, "UDP")], input.Ports);
    }

    [Fact]
    public void ToInput_of_an_empty_entry()
    {
        ServiceEntryInput input = MeshDns.Models.Validation.ServiceEntryCheck.ToInput(new ServiceEntry());

        Assert.Equal(("default", "", null, null), (input.Namespace, input.Name, input.CreationTimestamp, input.Resolution));
        Assert.Empty(input.Hosts);
        Assert.Empty(input.Addresses);
        Assert.Empty(input.StatusAddresses);
        Assert.Empty(input.Ports);
        Assert.Throws<ArgumentNullException>(() => MeshDns.Models.Validation.ServiceEntryCheck.ToInput(null!));
    }

    private static JsonElement Element(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary><see cref="Samples.ExternalV1"/> with the field at <paramref name="path"/> set to <paramref name="value"/> (JSON), or removed when null.</summary>
    private static JsonElement Modified(string path, string? value)
    {
        JsonNode root = JsonNode.Parse(Samples.ExternalV1)!;
        string[] parts = path.Split('.');
        JsonObject parent = root.AsObject();
        foreach (string part in parts[..^1])
        {
            parent = parent[part]!.AsObject();
        }

        if (value is null)
        {
            parent.Remove(parts[^1]);
        }
        else
        {
            parent[parts[^1]] = JsonNode.Parse(value);
        }

        return Element(root.ToJsonString());
    }
}
