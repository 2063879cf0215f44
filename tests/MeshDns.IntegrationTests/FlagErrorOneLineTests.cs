namespace MeshDns.IntegrationTests;

/// <summary>Found by the cli fuzz target: an argument with a line break (argv may hold one) was quoted as given, so
/// the exit-2 error ran over several lines. Line breaks are now written as \n.</summary>
public sealed class FlagErrorOneLineTests
{
    [Theory]
    [InlineData(new[] { "stray\nargument" }, "unexpected argument \"stray\\nargument\"")]
    [InlineData(new[] { "--frob\r\nnicate" }, "unknown flag --frob\\nnicate")]
    [InlineData(new[] { "--http-listen", "[::1]\n:80" }, "invalid value \"[::1]\\n:80\" for --http-listen")]
    public void A_line_break_in_an_argument_keeps_the_exit_2_error_on_one_line(string[] args, string expected)
    {
        using ServerProcess server = ServerProcess.Start(args);
        Assert.Equal(2, server.WaitForExit(TimeSpan.FromSeconds(30)));
        string line = Assert.Single(server.Lines, l => l.Length > 0);
        Assert.StartsWith("meshdns: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }
}
