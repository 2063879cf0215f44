namespace MeshDns.Chart.Tests;

internal static class Repo
{
    /// <summary>The folder holding MeshDns.sln, found upwards from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "MeshDns.sln")))
            {
                return dir;
            }
        }

        throw new DirectoryNotFoundException("MeshDns.sln not found above " + AppContext.BaseDirectory);
    }
}
