namespace MeshDns.E2E.Support;

/// <summary>podman with the environment this machine needs.</summary>
internal static class Podman
{
    public static CommandResult Run(params string[] args) => Command.Run("podman", args, TimeSpan.FromMinutes(3), Conditions.PodmanEnvironment);

    public static string Check(params string[] args) => Command.Check("podman", args, TimeSpan.FromMinutes(3), Conditions.PodmanEnvironment);

    /// <summary>Waits until the container's log holds <paramref name="text"/>; fails with the log otherwise.</summary>
    public static string WaitForLog(string container, string text, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        string log = "";
        while (DateTime.UtcNow < deadline)
        {
            log = Run("logs", container).All;
            if (log.Contains(text, StringComparison.Ordinal))
            {
                return log;
            }

            Thread.Sleep(200);
        }

        throw new TimeoutException($"container {container} did not log \"{text}\" in {timeout.TotalSeconds:0} s; its log:\n{log}");
    }
}
