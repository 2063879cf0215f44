namespace MeshDns.Table;

/// <summary>One thing wrong with an object: where (<c>spec.hosts[0]</c>), the value found (if any), and why; the
/// sources' checks and the table builder report with it.</summary>
/// <param name="Path">The field's path from the object's root; empty for the object itself.</param>
/// <param name="Value">The offending value as written, when there is one.</param>
/// <param name="Reason">What is wrong, in plain words.</param>
public sealed record Problem(string Path, string? Value, string Reason)
{
    /// <summary>The source line, when the source has lines (YAML files); 0 otherwise.</summary>
    public int Line { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Path.Length == 0 ? Reason : $"{Path}: {Reason}";

    private const int MaxShown = 3;

    private static readonly string[] TopLevelOrder = ["apiVersion", "kind", "metadata", "spec", "status"];

    /// <summary>The problems in the order they are shown: top-level fields in their usual order, then as found.</summary>
    public static List<Problem> Ordered(IEnumerable<Problem> problems) =>
        [.. problems.Select((p, i) => (p, i)).OrderBy(x => Rank(x.p.Path)).ThenBy(x => x.i).Select(x => x.p)];

    /// <summary>The one-line form every source logs: up to three problems, then how many more.</summary>
    public static string Format(IEnumerable<Problem> problems)
    {
        List<Problem> ordered = Ordered(problems);
        string text = string.Join("; ", ordered.Take(MaxShown));
        text = text.ReplaceLineEndings("\\n"); // values are quoted as found, line breaks included
        return ordered.Count > MaxShown ? $"{text}; and {ordered.Count - MaxShown} more" : text;
    }

    private static int Rank(string path)
    {
        int end = path.IndexOfAny(['.', '[']);
        int rank = Array.IndexOf(TopLevelOrder, end < 0 ? path : path[..end]);
        return rank < 0 ? TopLevelOrder.Length : rank;
    }
}
