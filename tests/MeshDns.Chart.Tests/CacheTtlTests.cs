namespace MeshDns.Chart.Tests;

/// <summary>cacheTtl: the cap of CoreDNS's cache plugin in the sidecar's Corefile, by default MeshDns's ttl.</summary>
public sealed class CacheTtlTests
{
    [Theory]
    [InlineData(new string[0], "30")]
    [InlineData(new[] { "ttl=5" }, "5")]
    [InlineData(new[] { "ttl=60", "cacheTtl=10" }, "10")]
    [InlineData(new[] { "ttl=60", "cacheTtl=null" }, "60")]
    public void Every_server_block_caches_for_cacheTtl_else_ttl(string[] values, string cache)
    {
        Corefile corefile = Helm.Render([.. values, "zones={global,mesh.internal}"]).Corefile;
        Assert.Equal(2, corefile.Blocks.Count);
        Assert.All(corefile.Blocks, b => Assert.Equal([cache], b.One("cache")!.Args));
    }

    [Fact]
    public void CacheTtl_0_leaves_the_cache_plugin_out()
    {
        Corefile corefile = Helm.Render("cacheTtl=0", "zones={global,mesh.internal}").Corefile;
        Assert.All(corefile.Blocks, b => Assert.Null(b.One("cache")));
        Assert.NotNull(corefile.Block(".:1053").One("grpc"));
    }

    [Fact]
    public void A_negative_cacheTtl_is_rejected_by_the_schema()
    {
        HelmResult result = Helm.Template("cacheTtl=-1");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("cacheTtl", result.Stderr, StringComparison.Ordinal);
    }
}
