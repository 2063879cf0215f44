using System.Text.Json;
using MeshDns.Models.Json;

namespace MeshDns.Models.Tests;

/// <summary>The generated models read and written through the source-generated <see cref="ServiceEntryJsonContext"/>.</summary>
public class ModelJsonTests
{
    [Fact]
    public void Kubectl_output_deserializes_into_the_models()
    {
        ServiceEntry se = JsonSerializer.Deserialize(Samples.ExternalV1, ServiceEntryJsonContext.Default.ServiceEntry)!;

        Assert.Equal("networking.istio.io/v1", se.ApiVersion);
        Assert.Equal("ServiceEntry", se.Kind);
        ObjectMeta meta = se.Metadata!;
        Assert.Equal(("external-apis", "payments", "0c4b6f3e-8c9d-4e4f-9a55-2f0d6d7c1b21", "48213377", 3L),
            (meta.Name, meta.Namespace, meta.Uid, meta.ResourceVersion, meta.Generation));
        Assert.Equal(new DateTimeOffset(2024, 5, 14, 9, 21, 7, TimeSpan.Zero), meta.CreationTimestamp);
        Assert.Equal("argocd", meta.Labels!["app.kubernetes.io/managed-by"]);
        Assert.StartsWith("{\"apiVersion\":\"networking.istio.io/v1\"", meta.Annotations!["kubectl.kubernetes.io/last-applied-configuration"], StringComparison.Ordinal);
        Assert.Null(meta.DeletionTimestamp);

        ServiceEntrySpec spec = se.Spec!;
        Assert.Equal(["api.stripe.example", "*.googleapis.example"], spec.Hosts!);
        Assert.Null(spec.Addresses);
        Assert.Equal(ServiceEntrySpecLocationValues.MeshExternal, spec.Location);
        Assert.Equal(ServiceEntrySpecResolutionValues.Dns, spec.Resolution);
        ServiceEntrySpecPortsItem port = Assert.Single(spec.Ports!);
        Assert.Equal((443, "TLS", "https", 8443), (port.Number, port.Protocol, port.Name, port.TargetPort));
        Assert.Equal(["."], spec.ExportTo!);
        Assert.Equal(["spiffe://cluster.local/ns/payments/sa/gateway"], spec.SubjectAltNames!);

        ServiceEntryStatus status = se.Status!;
        Assert.Equal([("240.240.0.1", "api.stripe.example"), ("2001:2::f0f0:1", "api.stripe.example")], status.Addresses!.Select(a => (a.Value, a.Host)));
        Assert.Equal("3", status.ObservedGeneration!.Value.GetString());
        ServiceEntryStatusConditionsItem condition = Assert.Single(status.Conditions!);
        Assert.Equal(("AddressesAllocated", "True", "Allocated", "addresses allocated"), (condition.Type, condition.Status, condition.Reason, condition.Message));
        Assert.Equal(new DateTimeOffset(2024, 5, 14, 9, 21, 8, TimeSpan.Zero).AddTicks(1041128), condition.LastTransitionTime);
        Assert.Equal(JsonValueKind.String, condition.ObservedGeneration!.Value.ValueKind);
    }

    [Fact]
    public void Endpoints_and_maps_deserialize()
    {
        ServiceEntry se = JsonSerializer.Deserialize(Samples.StaticV1Alpha3, ServiceEntryJsonContext.Default.ServiceEntry)!;

        Assert.Equal(["10.20.0.0/16", "192.168.7.12"], se.Spec!.Addresses!);
        Assert.Equal(2, se.Spec.Endpoints!.Count);
        ServiceEntrySpecEndpointsItem first = se.Spec.Endpoints[0];
        Assert.Equal(("192.168.7.12", "vm-net", "eu-west/zone-a", 80L, "db"), (first.Address, first.Network, first.Locality, first.Weight, first.ServiceAccount));
        Assert.Equal(15432, first.Ports!["postgres"]);
        Assert.Equal("v1", first.Labels!["version"]);
        Assert.Null(se.Spec.Endpoints[1].Ports);
        Assert.Null(se.Status);
    }

    [Theory]
    [InlineData(nameof(Samples.ExternalV1))]
    [InlineData(nameof(Samples.StaticV1Alpha3))]
    public void Round_trip_is_stable_and_drops_only_unknown_fields_and_nulls(string sample)
    {
        string json = sample == nameof(Samples.ExternalV1) ? Samples.ExternalV1 : Samples.StaticV1Alpha3;

        ServiceEntry first = JsonSerializer.Deserialize(json, ServiceEntryJsonContext.Default.ServiceEntry)!;
        string written = JsonSerializer.Serialize(first, ServiceEntryJsonContext.Default.ServiceEntry);
        ServiceEntry second = JsonSerializer.Deserialize(written, ServiceEntryJsonContext.Default.ServiceEntry)!;
        string rewritten = JsonSerializer.Serialize(second, ServiceEntryJsonContext.Default.ServiceEntry);

        Assert.Equal(written, rewritten);
        Assert.DoesNotContain("null", written, StringComparison.Ordinal);
        Assert.DoesNotContain("managedFields", written, StringComparison.Ordinal);
        Assert.DoesNotContain("trafficPolicy", written, StringComparison.Ordinal);
        Assert.DoesNotContain("validationMessages", written, StringComparison.Ordinal);

        // Every field the models know survives: compare the original, pruned to known fields, with the output.
        using JsonDocument original = JsonDocument.Parse(json);
        using JsonDocument output = JsonDocument.Parse(written);
        AssertKnownFieldsKept(original.RootElement, output.RootElement, string.Empty);
    }

    [Fact]
    public void Names_are_matched_exactly_and_trailing_commas_rejected()
    {
        ServiceEntry se = JsonSerializer.Deserialize("""{"Spec": {"hosts": ["a"]}, "spec": {"Hosts": ["b"]}}""", ServiceEntryJsonContext.Default.ServiceEntry)!;
        Assert.Null(se.Spec!.Hosts);

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"spec": {"hosts": ["a",]}}""", ServiceEntryJsonContext.Default.ServiceEntry));
    }

    [Fact]
    public void List_page_deserializes()
    {
        ServiceEntryList list = JsonSerializer.Deserialize(Samples.ListPage, ServiceEntryJsonContext.Default.ServiceEntryList)
            ?? throw new InvalidOperationException("null list");

        Assert.Equal(("networking.istio.io/v1", "ServiceEntryList"), (list.ApiVersion, list.Kind));
        Assert.Equal(("48213400", "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDgyMTM0MDB9", 12L), (list.Metadata!.ResourceVersion, list.Metadata.Continue, list.Metadata.RemainingItemCount));
        Assert.Equal(["a", "b"], list.Items!.Select(i => i.Metadata!.Name));
        Assert.Equal(new DateTimeOffset(2024, 1, 3, 0, 0, 0, TimeSpan.Zero), list.Items![1].Metadata!.DeletionTimestamp);
        Assert.Equal("b", list.Items[1].Spec!.WorkloadSelector!.Labels!["app"]);
    }

    [Fact]
    public void One_bad_item_fails_a_whole_typed_list()
    {
        // Why sources decode list items one by one with ServiceEntryJson.TryDecode instead.
        var page = System.Text.Json.Nodes.JsonNode.Parse(Samples.ListPage)!;
        page["items"]!.AsArray().Add(System.Text.Json.Nodes.JsonNode.Parse("""{"metadata": {"name": "broken"}, "spec": {"hosts": "x.example"}}"""));

        JsonException e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(page.ToJsonString(), ServiceEntryJsonContext.Default.ServiceEntryList));
        Assert.Equal("$.items[2].spec.hosts", e.Path);
    }

    [Fact]
    public void Enum_constants_list_every_schema_value()
    {
        Assert.Equal(["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"], ServiceEntrySpecResolutionValues.All);
        Assert.Equal(
            [ServiceEntrySpecResolutionValues.None, ServiceEntrySpecResolutionValues.Static, ServiceEntrySpecResolutionValues.Dns,
             ServiceEntrySpecResolutionValues.DnsRoundRobin, ServiceEntrySpecResolutionValues.DynamicDns],
            ServiceEntrySpecResolutionValues.All);
        Assert.Equal(["MESH_EXTERNAL", "MESH_INTERNAL"], ServiceEntrySpecLocationValues.All);
        Assert.Equal([ServiceEntrySpecLocationValues.MeshExternal, ServiceEntrySpecLocationValues.MeshInternal], ServiceEntrySpecLocationValues.All);
    }

    /// <summary>Each property of <paramref name="original"/> that the models know is in <paramref name="output"/> with the same value.</summary>
    private static void AssertKnownFieldsKept(JsonElement original, JsonElement output, string path)
    {
        switch (original.ValueKind)
        {
            case JsonValueKind.Object:
                Assert.Equal(JsonValueKind.Object, output.ValueKind);
                foreach (JsonProperty property in original.EnumerateObject())
                {
                    string child = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (output.TryGetProperty(property.Name, out JsonElement kept))
                    {
                        AssertKnownFieldsKept(property.Value, kept, child);
                    }
                    else
                    {
                        Assert.True(IsUnknown(child), $"'{child}' was dropped");
                    }
                }

                break;
            case JsonValueKind.Array:
                Assert.Equal(original.GetArrayLength(), output.GetArrayLength());
                for (int i = 0; i < original.GetArrayLength(); i++)
                {
                    AssertKnownFieldsKept(original[i], output[i], path + "[]");
                }

                break;
            case JsonValueKind.String when path.EndsWith("Time", StringComparison.Ordinal) || path.EndsWith("Timestamp", StringComparison.Ordinal):
                // Times are written in .NET's round-trip form (7 fraction digits at most): compare the instants.
                Assert.Equal(original.GetDateTimeOffset(), output.GetDateTimeOffset());
                break;
            case JsonValueKind.String:
                Assert.Equal(original.GetString(), output.GetString());
                break;
            default:
                Assert.Equal(original.GetRawText(), output.GetRawText());
                break;
        }
    }

    private static bool IsUnknown(string path) =>
        path is "metadata.managedFields" or "metadata.finalizers" or "spec.trafficPolicy" or "status.validationMessages";
}
