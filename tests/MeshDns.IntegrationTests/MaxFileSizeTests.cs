namespace MeshDns.IntegrationTests;

/// <summary>--max-file-size reaches the file source (its bad values are in ServerTests' bad-flag cases).</summary>
public sealed class MaxFileSizeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("meshdns-it-size-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("1Ki", "1 KiB")]
    [InlineData("1024", "1 KiB")]
    [InlineData("1000", "1000 bytes")]
    [InlineData("2K", "2000 bytes")]
    public void A_file_over_the_limit_is_not_read_and_named_in_the_log(string size, string shown)
    {
        string entry = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: NAME, namespace: mesh}\nspec: {hosts: [NAME.mesh.global], addresses: [10.0.0.1], resolution: STATIC}\n";
        File.WriteAllText(Path.Combine(_dir, "big.yaml"), entry.Replace("NAME", "big", StringComparison.Ordinal) + "# " + new string('x', 2048) + "\n");
        File.WriteAllText(Path.Combine(_dir, "small.yaml"), entry.Replace("NAME", "small", StringComparison.Ordinal));
        int port = ServerProcess.FreePort();
        using ServerProcess server = ServerProcess.Start(port, "--from-file", _dir, "--dns-listen", $"127.0.0.1:{port}", "--max-file-size", size);

        Assert.Contains(server.Lines, l => l.Contains($"{Path.Combine(_dir, "big.yaml")}: cannot read: larger than the {shown} limit (--max-file-size); it contributes no entries", StringComparison.Ordinal));
        Assert.Equal(["10.0.0.1"], DigResult.Run(port, "small.mesh.global").Data);
        Assert.Equal("NXDOMAIN", DigResult.Run(port, "big.mesh.global").Status);
    }
}
