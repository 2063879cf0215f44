namespace MeshDns.Kubernetes.Tests.Stops;

/// <summary>
/// The stop matrix on the real binary: sources × stage × signal. Each source is its own class so that
/// xUnit runs the three in parallel.
/// </summary>
public static class StopMatrix
{
    public static readonly TimeSpan Lameduck = TimeSpan.FromSeconds(3); // room for a probe and a query on a busy machine

    public static TheoryData<StopStage, string> Cases(params StopStage[] stages)
    {
        var data = new TheoryData<StopStage, string>();
        foreach (StopStage stage in stages)
        {
            data.Add(stage, "TERM");
            data.Add(stage, "INT");
        }

        return data;
    }

    public static TheoryData<StopStage, string> KubernetesStages() => Cases(Enum.GetValues<StopStage>());

    public static TheoryData<StopStage, string> FileStages() => Cases(StopStage.Starting, StopStage.Synced);
}

public sealed class FileStopTests
{
    [Theory]
    [MemberData(nameof(StopMatrix.FileStages), MemberType = typeof(StopMatrix))]
    public Task File_source_stops_with_exit_0(StopStage stage, string signal) =>
        StopCase.RunAsync(StopSources.File, stage, signal, StopMatrix.Lameduck);

    [Fact]
    public Task No_lame_duck_stops_at_once() =>
        StopCase.RunAsync(StopSources.File, StopStage.Synced, "TERM", TimeSpan.Zero);

    [Fact]
    public void A_second_ctrl_c_cuts_the_lame_duck_short()
    {
        int dns = IntegrationTests.ServerProcess.FreePort();
        using var server = IntegrationTests.ServerProcess.Start(dns, "--from-file", IntegrationTests.Repo.Examples, "--dns-listen", $"127.0.0.1:{dns}", "--lameduck", "60s");
        server.Signal("INT");
        server.WaitForLine("lame duck", TimeSpan.FromSeconds(10));
        server.Signal("INT");
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(10))); // not the 60 s lame duck
    }
}

public sealed class KubernetesStopTests
{
    [Theory]
    [MemberData(nameof(StopMatrix.KubernetesStages), MemberType = typeof(StopMatrix))]
    public Task Kubernetes_source_stops_with_exit_0(StopStage stage, string signal) =>
        StopCase.RunAsync(StopSources.Kubernetes, stage, signal, StopMatrix.Lameduck);

    [Theory]
    [InlineData(StopStage.Synced)]
    [InlineData(StopStage.Outage)]
    public Task No_lame_duck_stops_at_once(StopStage stage) =>
        StopCase.RunAsync(StopSources.Kubernetes, stage, "TERM", TimeSpan.Zero);
}

public sealed class BothSourcesStopTests
{
    [Theory]
    [MemberData(nameof(StopMatrix.KubernetesStages), MemberType = typeof(StopMatrix))]
    public Task Both_sources_stop_with_exit_0(StopStage stage, string signal) =>
        StopCase.RunAsync(StopSources.Both, stage, signal, StopMatrix.Lameduck);
}
