using System.Text;
using MeshDns.Models.Json;
using MeshDns.Table;

namespace MeshDns.Sources.Tests;

/// <summary>Found by the watch fuzz target: the JSON reader's message quotes the bad text, line breaks included, so
/// the "one line" error of a document spanned several. Values quoted by the checks (Problem.Format) had the same
/// flaw. Line breaks are now written as \n.</summary>
public class JsonErrorOneLineTests
{
    [Fact]
    public void A_syntax_error_quoting_a_line_break_stays_on_one_line()
    {
        bool valid = ServiceEntryJson.TryDecode("ti\nM"u8, out _, out _, out string? error);

        Assert.False(valid);
        Assert.NotNull(error);
        Assert.DoesNotContain('\n', error);
        Assert.StartsWith("invalid JSON at line 1, byte 2: 'ti\\nM' is an invalid JSON literal", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_with_line_breaks_is_quoted_on_one_line()
    {
        byte[] json = Encoding.UTF8.GetBytes("""{"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"name":"a"},"spec":{"hosts":["a.global"],"resolution":"DNS\r\nX"}}""");

        bool valid = ServiceEntryJson.TryDecode(json, out ServiceEntryInput? entry, out _, out string? error);

        Assert.False(valid);
        Assert.Null(entry);
        Assert.NotNull(error);
        Assert.DoesNotContain('\n', error);
        Assert.DoesNotContain('\r', error);
        Assert.StartsWith("spec.resolution: unknown value 'DNS\\nX'", error, StringComparison.Ordinal);
    }
}
