namespace MeshDns.IntegrationTests;

internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Examples => Path.Combine(Root, "examples");

    /// <summary>MESHDNS_BINARY (set by CI to the AOT build), else the JIT build's apphost.</summary>
    public static string Binary
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable("MESHDNS_BINARY");
            if (!string.IsNullOrEmpty(configured))
            {
                return Path.GetFullPath(configured, Root); // relative paths are from the repository root
            }

            string bin = Path.Combine(Root, "src", "MeshDns", "bin");
            string? found = Directory.Exists(bin)
                ? Directory.GetFiles(bin, "meshdns", SearchOption.AllDirectories)
                    .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}publish{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                    .OrderByDescending(File.GetLastWriteTimeUtc)
                    .FirstOrDefault()
                : null;
            return found ?? throw new FileNotFoundException($"no meshdns binary under {bin}; build src/MeshDns or set MESHDNS_BINARY");
        }
    }

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
