using Microsoft.CodeAnalysis.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace MeshDns.Generators.Crd;

/// <summary>YamlDotNet's node tree, read the way a CRD schema needs it (YAML 1.2 core scalars, positions for diagnostics).</summary>
internal static class CrdYaml
{
    /// <summary>The documents of a file; throws <see cref="YamlException"/> (with its position) on malformed YAML.</summary>
    public static IEnumerable<YamlDocument> Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StrictParser(new Parser(new StringReader(text.TrimStart('\uFEFF')))));
        return stream.Documents;
    }

    public static YamlNode? Get(this YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? value) ? value : null;

    public static YamlNode? KeyNode(this YamlMappingNode mapping, string key) =>
        mapping.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: { } v } && v == key);

    /// <summary>A scalar's text, or null when absent or null.</summary>
    public static string? Text(this YamlMappingNode mapping, string key) =>
        mapping.Get(key) is YamlScalarNode scalar && !scalar.IsNull() ? scalar.Value : null;

    public static bool Flag(this YamlMappingNode mapping, string key) => mapping.Get(key)?.AsBoolean() == true;

    /// <summary>An absent value: a plain empty scalar, <c>~</c> or <c>null</c>.</summary>
    public static bool IsNull(this YamlNode? node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>A plain <c>true</c>/<c>false</c> in the spellings YAML 1.2 core allows, else null.</summary>
    public static bool? AsBoolean(this YamlNode node) => node is YamlScalarNode { Style: ScalarStyle.Plain } scalar
        ? scalar.Value switch { "true" or "True" or "TRUE" => true, "false" or "False" or "FALSE" => false, _ => null }
        : null;

    /// <summary>Same content (values, keys, order), wherever the nodes are: used to compare version schemas.</summary>
    public static bool SameAs(this YamlNode a, YamlNode b) => (a, b) switch
    {
        (YamlScalarNode x, YamlScalarNode y) => x.Value == y.Value && (x.Style == ScalarStyle.Plain) == (y.Style == ScalarStyle.Plain),
        (YamlSequenceNode x, YamlSequenceNode y) => x.Children.Count == y.Children.Count && x.Children.Zip(y.Children, SameAs).All(same => same),
        (YamlMappingNode x, YamlMappingNode y) => x.Children.Count == y.Children.Count
            && x.Children.Zip(y.Children, (p, q) => p.Key.SameAs(q.Key) && p.Value.SameAs(q.Value)).All(same => same),
        _ => false,
    };

    /// <summary>Where a node or a YAML error is, on its first line (YamlDotNet counts from 1, Roslyn from 0).</summary>
    public static LinePositionSpan LineSpan(Mark start, Mark end)
    {
        int length = start.Line == end.Line ? (int)Math.Max(1, end.Column - start.Column) : 1;
        var first = new LinePosition((int)start.Line - 1, (int)start.Column - 1);
        return new LinePositionSpan(first, new LinePosition(first.Line, first.Character + length));
    }

    public static DiagnosticInfo At(DiagnosticDescriptor descriptor, string path, Mark start, Mark end, params string[] arguments)
    {
        LinePositionSpan lines = LineSpan(start, end);
        var span = new TextSpan((int)start.Index, lines.End.Character - lines.Start.Character);
        return new DiagnosticInfo(descriptor, path, span, lines, new EquatableArray<string>(arguments));
    }

    /// <summary>Rejects anchors, aliases, tags and deep nesting (the tree is built recursively, inside the compiler); the
    /// scanner's own failures (some unclosed flow collections) become a positioned error.</summary>
    private sealed class StrictParser(IParser inner) : IParser
    {
        private const int MaxDepth = 100;
        private int _depth;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            Mark last = inner.Current?.End ?? Mark.Empty;
            try
            {
                if (!inner.MoveNext())
                {
                    return false;
                }
            }
            catch (Exception e) when (e is not YamlException)
            {
                throw new YamlException(last, last, $"malformed YAML after this point ({e.Message})");
            }

            _depth += inner.Current switch { MappingStart or SequenceStart => 1, MappingEnd or SequenceEnd => -1, _ => 0 };
            string? problem = inner.Current switch
            {
                AnchorAlias => "aliases are not supported in a CRD file",
                NodeEvent { Anchor.IsEmpty: false } => "anchors are not supported in a CRD file",
                NodeEvent { Tag.IsEmpty: false } => "tags are not supported in a CRD file",
                _ when _depth > MaxDepth => $"nesting deeper than {MaxDepth} levels",
                _ => null,
            };
            return problem is null ? true : throw new YamlException(inner.Current!.Start, inner.Current.End, problem);
        }
    }
}
