using System.Runtime.CompilerServices;

namespace MeshDns.Generators.Tests.Support;

/// <summary>
/// Checked-in expected output under <c>Baselines/</c>. Tests compare against the copy in the output directory.
/// To accept new output, run the tests with <c>MESHDNS_UPDATE_BASELINES=1</c>: the files in the source tree are
/// rewritten instead of compared, then review the diff.
/// </summary>
internal static class Baseline
{
    public const string UpdateVariable = "MESHDNS_UPDATE_BASELINES";

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    /// <summary>Compares <paramref name="actual"/> with <c>Baselines/<paramref name="name"/></c>, or writes it when updating.</summary>
    public static void Verify(string name, string actual)
    {
        string text = Normalize(actual);
        if (Updating)
        {
            File.WriteAllText(Path.Combine(SourceDirectory(), name), text);
            return;
        }

        string path = Path.Combine(AppContext.BaseDirectory, "Baselines", name);
        Assert.True(File.Exists(path), $"No baseline '{name}'. Run the tests with {UpdateVariable}=1 to create it, then review it.");
        string expected = Normalize(File.ReadAllText(path));
        Assert.True(
            expected == text,
            $"Generated '{name}' differs from its baseline (rerun with {UpdateVariable}=1 to accept).\n{FirstDifference(expected, text)}");
    }

    private static string Normalize(string text) => text.ReplaceLineEndings("\n");

    private static string FirstDifference(string expected, string actual)
    {
        string[] e = expected.Split('\n');
        string[] a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string? left = i < e.Length ? e[i] : null;
            string? right = i < a.Length ? a[i] : null;
            if (left != right)
            {
                return $"line {i + 1}:\n  expected: {left ?? "<end>"}\n  actual:   {right ?? "<end>"}";
            }
        }

        return "(no line differs)";
    }

    private static string SourceDirectory([CallerFilePath] string thisFile = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(thisFile))!, "Baselines");
        Assert.True(Directory.Exists(directory), $"Cannot find the source baselines at '{directory}'; update them from a source checkout.");
        return directory;
    }
}
