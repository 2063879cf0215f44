using System.Globalization;

namespace MeshDns.Sources.Files;

/// <summary>One thing wrong with an entry: where, which field, what.</summary>
internal readonly record struct Problem(int Line, string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}

/// <summary>The problems found by one check, and the (node, shape) pairs already checked.</summary>
internal sealed class ShapeCheck : List<Problem>
{
    private readonly HashSet<(int, ServiceEntryShape)> _visited = [];

    public bool FirstVisit(int node, ServiceEntryShape shape) => _visited.Add((node, shape));
}

/// <summary>
/// Checks that a ServiceEntry node has the shape of <see cref="ServiceEntryDocument"/> (maps where maps are
/// expected, lists of strings where lists are expected, unsigned numbers for ports), so that a bad field is
/// reported by its path ("spec.hosts: expected a list of strings, found a string") instead of failing the
/// deserializer. Unknown keys are ignored; a null value counts as absent.
/// </summary>
internal abstract class ServiceEntryShape
{
    private static readonly ServiceEntryShape Text = new ScalarShape("a string", _ => true);
    private static readonly ServiceEntryShape Port = new ScalarShape(
        "a port number (0-65535)", s => uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out uint n) && n <= 65535);
    private static readonly ServiceEntryShape Unsigned = new ScalarShape(
        "an unsigned number", s => uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out _));
    private static readonly ServiceEntryShape Texts = new ListShape(Text, "a list of strings");

    /// <summary>The shape of a whole ServiceEntry object.</summary>
    public static readonly ServiceEntryShape Document = new MapShape(new()
    {
        ["apiVersion"] = Text,
        ["kind"] = Text,
        ["metadata"] = new MapShape(new()
        {
            ["name"] = Text,
            ["namespace"] = Text,
            ["creationTimestamp"] = Text,
        }),
        ["spec"] = new MapShape(new()
        {
            ["hosts"] = Texts,
            ["addresses"] = Texts,
            ["ports"] = new ListShape(new MapShape(new()
            {
                ["number"] = Port,
                ["protocol"] = Text,
                ["name"] = Text,
                ["targetPort"] = Port,
            }), "a list of ports"),
            ["location"] = Text,
            ["resolution"] = Text,
            ["endpoints"] = new ListShape(new MapShape(new()
            {
                ["address"] = Text,
                ["ports"] = new DictionaryShape(Port, "a map of port names to numbers"),
                ["labels"] = new DictionaryShape(Text, "a map of strings"),
                ["network"] = Text,
                ["locality"] = Text,
                ["weight"] = Unsigned,
            }), "a list of endpoints"),
            ["exportTo"] = Texts,
        }),
        ["status"] = new MapShape(new()
        {
            ["addresses"] = new ListShape(new MapShape(new()
            {
                ["value"] = Text,
                ["host"] = Text,
            }), "a list of addresses"),
        }),
    });

    /// <summary>Adds to <paramref name="problems"/> what is wrong with a present, non-null node.</summary>
    protected abstract void Check(YamlTree tree, int node, string path, ShapeCheck problems);

    /// <summary>
    /// Checks a node (an alias is followed); null is accepted here, as an absent value. A node reached again
    /// through an alias is not checked again, which bounds the work on alias-heavy input.
    /// </summary>
    public void CheckValue(YamlTree tree, int node, string path, ShapeCheck problems)
    {
        int resolved = tree.Resolve(node);
        if (resolved < 0)
        {
            problems.Add(new Problem(tree.Line(node), path, "alias to an unknown anchor"));
        }
        else if (!tree.IsNull(resolved) && problems.FirstVisit(resolved, this))
        {
            Check(tree, resolved, path, problems);
        }
    }

    /// <summary>What this shape is, for messages ("a map", "a list of strings").</summary>
    protected abstract string Expected { get; }

    private void Mismatch(YamlTree tree, int node, string path, ShapeCheck problems) =>
        problems.Add(new Problem(tree.Line(node), path, $"expected {Expected}, found {tree.Describe(node)}"));

    private sealed class ScalarShape(string expected, Func<string, bool> accepts) : ServiceEntryShape
    {
        protected override string Expected => expected;

        protected override void Check(YamlTree tree, int node, string path, ShapeCheck problems)
        {
            string? text = tree.ScalarText(node);
            if (text is null || !accepts(text))
            {
                string found = text is null ? tree.Describe(node) : $"'{Shorten(text)}'";
                problems.Add(new Problem(tree.Line(node), path, $"expected {Expected}, found {found}"));
            }
        }

        private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";
    }

    private sealed class ListShape(ServiceEntryShape item, string expected) : ServiceEntryShape
    {
        protected override string Expected => expected;

        protected override void Check(YamlTree tree, int node, string path, ShapeCheck problems)
        {
            if (!tree.IsSequence(node))
            {
                Mismatch(tree, node, path, problems);
                return;
            }

            int index = 0;
            foreach (int child in tree.Items(node))
            {
                string childPath = $"{path}[{index++}]";
                int resolved = tree.Resolve(child);
                if (resolved >= 0 && tree.IsNull(resolved))
                {
                    problems.Add(new Problem(tree.Line(child), childPath, $"expected {item.Expected}, found null"));
                }
                else
                {
                    item.CheckValue(tree, child, childPath, problems);
                }
            }
        }
    }

    private sealed class MapShape(Dictionary<string, ServiceEntryShape> fields) : ServiceEntryShape
    {
        protected override string Expected => "a map";

        protected override void Check(YamlTree tree, int node, string path, ShapeCheck problems)
        {
            if (!tree.IsMapping(node))
            {
                Mismatch(tree, node, path, problems);
                return;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach ((string key, int keyNode, int value) in tree.Pairs(node))
            {
                string childPath = path.Length == 0 ? key : $"{path}.{key}";
                if (!seen.Add(key))
                {
                    problems.Add(new Problem(tree.Line(keyNode), childPath, "key repeated"));
                }
                else if (fields.TryGetValue(key, out ServiceEntryShape? field))
                {
                    field.CheckValue(tree, value, childPath, problems);
                }
            }
        }
    }

    private sealed class DictionaryShape(ServiceEntryShape value, string expected) : ServiceEntryShape
    {
        protected override string Expected => expected;

        protected override void Check(YamlTree tree, int node, string path, ShapeCheck problems)
        {
            if (!tree.IsMapping(node))
            {
                Mismatch(tree, node, path, problems);
                return;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach ((string key, int keyNode, int child) in tree.Pairs(node))
            {
                string childPath = $"{path}.{key}";
                int resolved = tree.Resolve(child);
                if (!seen.Add(key))
                {
                    problems.Add(new Problem(tree.Line(keyNode), childPath, "key repeated"));
                }
                else if (resolved >= 0 && tree.IsNull(resolved))
                {
                    problems.Add(new Problem(tree.Line(child), childPath, $"expected {value.Expected}, found null"));
                }
                else
                {
                    value.CheckValue(tree, child, childPath, problems);
                }
            }
        }
    }
}
