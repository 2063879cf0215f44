using System.Runtime.CompilerServices;
using MeshDns.Generators.Tests.Support;

namespace MeshDns.Generators.Tests.Crd;

/// <summary>
/// Baselines under <c>Baselines/Crd/</c>, compared like <see cref="Baseline"/> (and rewritten with
/// <c>MESHDNS_UPDATE_BASELINES=1</c>). The copy in the output directory is used when the project copies it there;
/// otherwise the checked-in file is read from the source tree.
/// </summary>
internal static class CrdBaseline
{
    public static void Verify(string name, string actual)
    {
        string text = actual.ReplaceLineEndings("\n");
        string source = Path.Combine(SourceDirectory(), name);
        if (Baseline.Updating)
        {
            File.WriteAllText(source, text);
            return;
        }

        string copied = Path.Combine(AppContext.BaseDirectory, "Baselines", "Crd", name);
        string path = File.Exists(copied) ? copied : source;
        Assert.True(File.Exists(path), $"No baseline 'Crd/{name}'. Run the tests with {Baseline.UpdateVariable}=1 to create it, then review it.");
        string expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.True(expected == text, $"Generated '{name}' differs from its baseline (rerun with {Baseline.UpdateVariable}=1 to accept).\n{FirstDifference(expected, text)}");
    }

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

    private static string SourceDirectory([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(thisFile))!, "Baselines", "Crd");
}
