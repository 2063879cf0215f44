using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace MeshDns.Sources.Files;

/// <summary>
/// A YAML syntax error as <c>line:column: what is wrong</c>: YamlDotNet's reason without its position, and
/// for the mistakes people make by hand (a tab in the indentation, an unclosed '[' or '{', a line indented
/// differently from its siblings) a sentence saying so and where.
/// </summary>
internal static partial class YamlSyntaxError
{
    public static string Describe(string yaml, YamlException e)
    {
        string reason = Reason(e.Message);
        if (reason.Contains("tab", StringComparison.Ordinal) && FirstTabIndent(yaml) is (int tabLine, int tabColumn))
        {
            return $"{tabLine}:{tabColumn}: a tab in the indentation: YAML indents with spaces only";
        }

        if ((reason == Generic || reason.Contains("flow", StringComparison.Ordinal)) && Unclosed(yaml) is (char open, int line, int column))
        {
            char close = open == '[' ? ']' : '}';
            return $"{e.Start.Line}:{e.Start.Column}: unclosed '{open}' opened at line {line}, column {column}: add the '{close}'";
        }

        if (reason.Contains("invalid mapping", StringComparison.Ordinal) || reason.Contains("did not find expected key", StringComparison.Ordinal))
        {
            reason += " (is this line indented differently from the keys above it?)";
        }

        return $"{e.Start.Line}:{e.Start.Column}: {reason}";
    }

    private const string Generic = "invalid YAML";

    /// <summary>A YamlDotNet message made short: no position, no final period.</summary>
    private static string Reason(string message)
    {
        string text = PositionPattern().Replace(message, "").Trim().TrimEnd('.');
        return text.Length == 0 ? Generic : char.ToLowerInvariant(text[0]) + text[1..];
    }

    /// <summary>The first line whose indentation holds a tab, and the tab's column (both 1-based).</summary>
    private static (int Line, int Column)? FirstTabIndent(string yaml)
    {
        string[] lines = yaml.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int tab = lines[i].IndexOf('\t');
            if (tab >= 0 && lines[i][..tab].All(c => c == ' ') && lines[i].Trim().Length > 0)
            {
                return (i + 1, tab + 1);
            }
        }

        return null;
    }

    /// <summary>The innermost '[' or '{' never closed, skipping quoted text and comments.</summary>
    private static (char Open, int Line, int Column)? Unclosed(string yaml)
    {
        var open = new Stack<(char, int, int)>();
        int line = 1, column = 0;
        char quote = '\0';
        bool comment = false;
        for (int i = 0; i < yaml.Length; i++)
        {
            char c = yaml[i];
            column++;
            if (c == '\n')
            {
                (line, column, comment) = (line + 1, 0, false);
                continue;
            }

            if (comment || (quote != '\0' && c != quote))
            {
                continue;
            }

            switch (c)
            {
                case '"' or '\'' when quote == c:
                    quote = '\0';
                    break;
                case '"' or '\'':
                    quote = c;
                    break;
                case '#' when i == 0 || char.IsWhiteSpace(yaml[i - 1]):
                    comment = true;
                    break;
                case '[' or '{':
                    open.Push((c, line, column));
                    break;
                case ']' or '}' when open.Count > 0:
                    open.Pop();
                    break;
            }
        }

        return open.Count > 0 ? open.Peek() : null;
    }

    [GeneratedRegex(@"\s*\(?Line: \d+, Col: \d+, Idx: \d+\)?( - \(?Line: \d+, Col: \d+, Idx: \d+\)?)?:?")]
    private static partial Regex PositionPattern();
}
