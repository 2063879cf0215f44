using MeshDns.Sources.Files;

namespace MeshDns.Sources.Tests;

/// <summary>Found by the yaml fuzz target: on a document end marker followed by a carriage return and more text,
/// YamlDotNet's parser throws InvalidOperationException ("The scanner should contain no more tokens"), and on the
/// escape of a lone surrogate ArgumentOutOfRangeException, instead of a YamlException; Parse, which never throws for
/// bad input, let them out. Each is a syntax error of that file now.</summary>
public class YamlParserStateErrorTests
{
    [Theory]
    [InlineData("...\r.")]
    [InlineData("...\0\u0004.")]
    [InlineData("#)\r...\0")]
    [InlineData("...\u00004 \r")]
    [InlineData("a: \"\\uD800\"")]
    [InlineData("- \"x\\UDFFF0000\"")]
    public void A_stream_that_breaks_the_parser_state_is_a_syntax_error_of_the_file(string yaml)
    {
        FileParseResult result = ServiceEntryYaml.Parse(yaml, "se.yaml");

        Assert.Empty(result.Entries);
        Assert.Empty(result.Warnings);
        Assert.NotNull(result.Error);
        Assert.StartsWith("se.yaml:", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Error);
    }
}
