namespace MeshDns.Chart.Tests;

/// <summary>A plugin line of a server block, with the lines of its own { } block.</summary>
internal sealed record Directive(string Name, IReadOnlyList<string> Args, IReadOnlyList<Directive> Block)
{
    public override string ToString() => string.Join(' ', [Name, .. Args]);
}

/// <summary>One server block: its keys ("zone:port") and plugins.</summary>
internal sealed record ServerBlock(IReadOnlyList<string> Keys, IReadOnlyList<Directive> Directives)
{
    public IEnumerable<Directive> All(string plugin) => Directives.Where(d => d.Name == plugin);

    public Directive? One(string plugin)
    {
        Directive[] found = All(plugin).ToArray();
        Assert.True(found.Length <= 1, $"{plugin} appears {found.Length} times in server block {string.Join(' ', Keys)} (CoreDNS allows it once)");
        return found.SingleOrDefault();
    }
}

/// <summary>
/// The Corefile as CoreDNS reads it, in the subset the chart writes: one plugin per line, "{" only at the
/// end of a line, "}" alone on a line, "#" comments. Anything else (a ";" separator, two plugins on one
/// line) fails the parse, as it would fail CoreDNS.
/// </summary>
internal sealed class Corefile
{
    private Corefile(string text, IReadOnlyList<ServerBlock> blocks)
    {
        Text = text;
        Blocks = blocks;
    }

    public string Text { get; }

    public IReadOnlyList<ServerBlock> Blocks { get; }

    public ServerBlock Block(string key)
    {
        ServerBlock? found = Blocks.SingleOrDefault(b => b.Keys.Contains(key));
        Assert.True(found is not null, $"no server block {key} in\n{Text}");
        return found;
    }

    public static Corefile Parse(string text)
    {
        string[] lines = text.Split('\n')
            .Select(l => (l.Contains('#', StringComparison.Ordinal) ? l[..l.IndexOf('#', StringComparison.Ordinal)] : l).Trim())
            .Where(l => l.Length > 0)
            .ToArray();
        int at = 0;
        var blocks = new List<ServerBlock>();
        while (at < lines.Length)
        {
            string[] head = Tokens(lines[at++]);
            Assert.True(head.Length >= 2 && head[^1] == "{", $"a server block must start with \"KEYS {{\", not \"{lines[at - 1]}\"");
            blocks.Add(new ServerBlock(head[..^1], Body(lines, ref at)));
        }

        return new Corefile(text, blocks);
    }

    private static List<Directive> Body(string[] lines, ref int at)
    {
        var directives = new List<Directive>();
        while (true)
        {
            Assert.True(at < lines.Length, "a { is not closed");
            string[] tokens = Tokens(lines[at++]);
            if (tokens is ["}"])
            {
                return directives;
            }

            Assert.DoesNotContain("}", tokens);
            Assert.True(tokens.Take(tokens.Length - 1).All(t => t != "{"), $"\"{{\" may only end a line: {lines[at - 1]}");
            Assert.True(tokens.All(t => !t.Contains(';', StringComparison.Ordinal)), $"the Corefile has no ';' separator: {lines[at - 1]}");
            bool opens = tokens[^1] == "{";
            string[] words = opens ? tokens[..^1] : tokens;
            Assert.NotEmpty(words);
            directives.Add(new Directive(words[0], words[1..], opens ? Body(lines, ref at) : []));
        }
    }

    private static string[] Tokens(string line) => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
}
