using System.Text;
using MeshDns.Models.Json;
using MeshDns.Table;

namespace MeshDns.Sources.Tests;

/// <summary>Found by the watch fuzz target: JsonDocument accepts octets that are not UTF-8 inside strings and only
/// throws (InvalidOperationException) when one is read, so decoding such an object threw instead of refusing it.</summary>
public class JsonInvalidUtf8Tests
{
    [Theory]
    [InlineData("""{"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"name":"a@"},"spec":{"hosts":["a.global"]}}""")]
    [InlineData("""{"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"name":"a"},"spec":{"hosts":["a.global"],"@":1}}""")]
    [InlineData("""{"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry@","metadata":{"name":"a"},"spec":{"hosts":["a.global"]}}""")]
    public void An_object_with_a_string_that_is_not_UTF8_is_refused_with_one_line(string json)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        utf8[Array.IndexOf(utf8, (byte)'@')] = 0x81; // a continuation octet with nothing to continue

        using var document = System.Text.Json.JsonDocument.Parse(utf8);
        bool valid = ServiceEntryJson.TryDecode(document.RootElement, out ServiceEntryInput? entry, out string id, out string? error);

        Assert.False(valid);
        Assert.Null(entry);
        Assert.Equal("default/(no name)", id);
        Assert.Equal("cannot be read: a string is not valid UTF-8", error);
    }
}
