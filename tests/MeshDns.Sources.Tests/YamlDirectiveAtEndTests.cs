using MeshDns.Sources.Files;

namespace MeshDns.Sources.Tests;

/// <summary>Found by the yaml fuzz target (AFL++ hangs): YamlDotNet's parser walked 2^32 positions, 30 s to minutes, on an
/// unknown directive running to the end of a text whose length is a multiple of 1024. Such a file now parses at once; the
/// bound below is only there so that the old behaviour fails the test instead of stalling the suite.</summary>
public class YamlDirectiveAtEndTests
{
    private static readonly TimeSpan Stalled = TimeSpan.FromSeconds(20); // parsing takes milliseconds; the bug took 30 s and more

    [Theory]
    [InlineData("%- ", 'e', 1024)]
    [InlineData("%k\0", 'x', 1024)]
    [InlineData("%- 240.0.1", 'e', 2048)]
    [InlineData("a: b\n%- ", 'e', 1024)]
    public async Task A_directive_that_runs_to_the_end_of_the_file_does_not_stall_the_parser(string start, char filler, int length)
    {
        string yaml = start + new string(filler, length - start.Length);

        FileParseResult result = await Task.Run(() => ServiceEntryYaml.Parse(yaml, "se.yaml")).WaitAsync(Stalled);

        Assert.Empty(result.Entries);
        Assert.True(result.Error is null || (result.Error.StartsWith("se.yaml:", StringComparison.Ordinal) && !result.Error.Contains('\n')), result.Error);
    }
}
