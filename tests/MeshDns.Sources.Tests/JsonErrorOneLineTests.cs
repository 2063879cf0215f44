using System.Text;
using MeshDns.Models.Json;
using MeshDns.Table;

namespace MeshDns.Sources.Tests;

/// <summary>Found by the watch fuzz target: values quoted by the checks (Problem.Format) kept their line breaks, so
/// the "one line" error of an entry spanned several. Line breaks are now written as \n.</summary>
public class JsonErrorOneLineTests
{
    [Fact]
    public void A_value_with_line_breaks_is_quoted_on_one_line()
    {
        byte[] json = Encoding.UTF8.GetBytes("""{"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"name":"a"},"spec":{"hosts":["a.global"],"resolution":"DNS\r\nX"}}""");

        using var document = System.Text.Json.JsonDocument.Parse(json);
        bool valid = ServiceEntryJson.TryDecode(document.RootElement, out ServiceEntryInput? entry, out _, out string? error);

        Assert.False(valid);
        Assert.Null(entry);
        Assert.NotNull(error);
        Assert.DoesNotContain('\n', error);
        Assert.DoesNotContain('\r', error);
        Assert.StartsWith("spec.resolution: unknown value 'DNS\\nX'", error, StringComparison.Ordinal);
    }
}
