using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MeshDns.Sources.Files;

/// <summary>
/// One YAML document's parser events, read ahead so that a document can be looked at (its kind, a List's
/// items) before it is deserialized, and so that aliases can be replayed in place (<see cref="YamlReplay"/>).
/// Nesting is bounded while reading: YamlDotNet's scanner slows down quadratically with depth.
/// </summary>
internal sealed class YamlEvents
{
    /// <summary>Nodes deeper than this are a problem of their entry (and read as null).</summary>
    public const int MaxDepth = 64;

    /// <summary>Nesting deeper than this fails the whole file, before the scanner gets slow.</summary>
    public const int MaxFileDepth = 2 * MaxDepth;

    public const int UnknownAnchor = -1, Recursive = -2, TooDeep = -3;

    /// <summary>The events, from the document's root node to its end (no DocumentStart/End).</summary>
    public List<ParsingEvent> Events { get; } = [];

    /// <summary>Per event: a collection start's end index; an alias's target index (or a negative code); else itself.</summary>
    public List<int> Links { get; } = [];

    /// <summary>The index of the last event of the node that starts at <paramref name="index"/>.</summary>
    public int End(int index) => Events[index] is MappingStart or SequenceStart ? Links[index] : index;

    /// <summary>Reads the next document of <paramref name="parser"/>; throws <see cref="YamlException"/> for bad YAML.</summary>
    public static YamlEvents Read(IParser parser)
    {
        var doc = new YamlEvents();
        Next<DocumentStart>(parser);
        var anchors = new Dictionary<AnchorName, int>();
        var open = new Stack<int>();
        while (parser.Current is not DocumentEnd)
        {
            ParsingEvent e = parser.Current!;
            int index = doc.Events.Count;
            if (e is MappingStart or SequenceStart && open.Count >= MaxDepth)
            {
                Mark start = e.Start;
                SkipDeep(parser, open.Count);
                doc.Add(new Scalar(AnchorName.Empty, TagName.Empty, "", ScalarStyle.Plain, true, false, start, start), TooDeep);
                continue;
            }

            doc.Add(e, index);
            if (e is NodeEvent { Anchor.IsEmpty: false } node)
            {
                anchors[node.Anchor] = index;
            }

            if (e is AnchorAlias alias)
            {
                doc.Links[index] = !anchors.TryGetValue(alias.Value, out int target) ? UnknownAnchor
                    : doc.Links[target] == target && doc.Events[target] is not Scalar ? Recursive : target;
            }
            else if (e is MappingStart or SequenceStart)
            {
                open.Push(index);
            }
            else if (e is MappingEnd or SequenceEnd)
            {
                doc.Links[open.Pop()] = index;
            }

            Next<ParsingEvent>(parser);
        }

        Next<ParsingEvent>(parser); // past DocumentEnd
        return doc;
    }

    private void Add(ParsingEvent e, int link)
    {
        Events.Add(e);
        Links.Add(link);
    }

    /// <summary>Skips a node too deep to keep, failing the file if it goes deeper than <see cref="MaxFileDepth"/>.</summary>
    private static void SkipDeep(IParser parser, int depth)
    {
        int level = 0;
        do
        {
            level += parser.Current switch { MappingStart or SequenceStart => 1, MappingEnd or SequenceEnd => -1, _ => 0 };
            if (depth + level > MaxFileDepth)
            {
                throw new YamlException(parser.Current!.Start, parser.Current.End, $"nested more than {MaxFileDepth} levels deep");
            }

            Next<ParsingEvent>(parser);
        }
        while (level > 0);
    }

    /// <summary>Checks the current event's type and moves on.</summary>
    private static void Next<T>(IParser parser)
        where T : ParsingEvent
    {
        ParsingEvent? current = parser.Current;
        if (current is not null and not T)
        {
            throw new YamlException(current.Start, current.End, $"expected {typeof(T).Name}, found {current.GetType().Name}");
        }

        parser.MoveNext();
    }
}
