using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MeshDns.Sources.Files;

/// <summary>
/// The parsing events of one YAML stream, with the extent of every node and the target of every alias, so
/// that documents and list items can be inspected (kind, apiVersion, metadata) and their shape checked
/// before the static deserializer reads them. A node is named by the index of its first event.
/// </summary>
internal sealed class YamlTree
{
    private readonly List<ParsingEvent> _events;
    private readonly int[] _end;
    private readonly int[] _aliasTarget;

    private YamlTree(List<ParsingEvent> events, int[] end, int[] aliasTarget, List<int> documentRoots)
    {
        _events = events;
        _end = end;
        _aliasTarget = aliasTarget;
        DocumentRoots = documentRoots;
    }

    /// <summary>The root node of each document, in order (a document always has exactly one root).</summary>
    public IReadOnlyList<int> DocumentRoots { get; }

    /// <summary>Reads the whole stream; a syntax error throws <see cref="YamlException"/>.</summary>
    public static YamlTree Load(string yaml)
    {
        var events = new List<ParsingEvent>();
        var parser = new Parser(new StringReader(yaml));
        try
        {
            while (parser.MoveNext())
            {
                events.Add(parser.Current!);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException
            or FormatException or OverflowException or InvalidCastException)
        {
            // YamlDotNet's scanner fails this way on some malformed input (e.g. "{a: b" followed by more
            // lines); report it as a syntax error where the last good event ended.
            Mark near = events.Count > 0 ? events[^1].End : Mark.Empty;
            throw new YamlException(near, near, "invalid YAML", e);
        }

        int[] end = new int[events.Count];
        int[] aliasTarget = new int[events.Count];
        Array.Fill(aliasTarget, -1);
        var open = new Stack<int>();
        var anchors = new Dictionary<string, int>(StringComparer.Ordinal);
        var roots = new List<int>();
        for (int i = 0; i < events.Count; i++)
        {
            ParsingEvent e = events[i];
            switch (e)
            {
                case DocumentStart:
                    anchors.Clear(); // anchors are scoped to their document
                    roots.Add(i + 1);
                    break;
                case MappingStart or SequenceStart:
                    open.Push(i);
                    break;
                case MappingEnd or SequenceEnd:
                    end[open.Pop()] = i + 1;
                    break;
                case AnchorAlias alias:
                    aliasTarget[i] = anchors.GetValueOrDefault(alias.Value.Value, -1);
                    break;
                default:
                    break;
            }

            if (e is not (MappingStart or SequenceStart))
            {
                end[i] = i + 1; // a start's end is set when its closing event is seen
            }

            if (e is NodeEvent { Anchor.IsEmpty: false } node)
            {
                anchors[node.Anchor.Value] = i;
            }
        }

        return new YamlTree(events, end, aliasTarget, roots);
    }

    /// <summary>The node itself, or for an alias the node it refers to (-1 for an unknown anchor).</summary>
    public int Resolve(int node)
    {
        for (int hops = 0; hops < 64 && node >= 0 && _events[node] is AnchorAlias; hops++)
        {
            node = _aliasTarget[node];
        }

        return node >= 0 && _events[node] is AnchorAlias ? -1 : node;
    }

    /// <summary>Line (1-based) where the node starts.</summary>
    public int Line(int node) => (int)_events[node].Start.Line;

    public bool IsMapping(int node) => _events[node] is MappingStart;

    public bool IsSequence(int node) => _events[node] is SequenceStart;

    public bool IsScalar(int node) => _events[node] is Scalar;

    /// <summary>True for an absent value: a plain <c>~</c>, <c>null</c> or empty scalar.</summary>
    public bool IsNull(int node) =>
        _events[node] is Scalar { IsQuotedImplicit: false, Style: ScalarStyle.Plain } s
        && s.Tag.IsEmpty
        && s.Value is "" or "~" or "null" or "Null" or "NULL";

    /// <summary>The text of a non-null scalar, else null.</summary>
    public string? ScalarText(int node) =>
        node >= 0 && _events[node] is Scalar s && !IsNull(node) ? s.Value : null;

    /// <summary>A word for what the node is, for messages: "a map", "a list", "a string", "null".</summary>
    public string Describe(int node) => _events[node] switch
    {
        MappingStart => "a map",
        SequenceStart => "a list",
        Scalar when IsNull(node) => "null",
        Scalar => "a string",
        _ => "an alias to an unknown anchor",
    };

    /// <summary>The key and value nodes of a mapping whose keys are scalars (others are left out).</summary>
    public IEnumerable<(string Key, int KeyNode, int Value)> Pairs(int mapping)
    {
        int i = mapping + 1;
        while (_events[i] is not MappingEnd)
        {
            int key = i;
            int value = _end[key];
            i = _end[value];
            int resolvedKey = Resolve(key);
            if (resolvedKey >= 0 && _events[resolvedKey] is Scalar s)
            {
                yield return (s.Value, key, value);
            }
        }
    }

    /// <summary>The value of a key of a mapping (the last one if repeated), or -1.</summary>
    public int Get(int mapping, string key)
    {
        int found = -1;
        foreach ((string k, _, int value) in Pairs(mapping))
        {
            if (k == key)
            {
                found = value;
            }
        }

        return found;
    }

    /// <summary>The resolved value of a key when it is a mapping, else -1.</summary>
    public int GetMapping(int mapping, string key)
    {
        int value = Get(mapping, key);
        value = value < 0 ? -1 : Resolve(value);
        return value >= 0 && IsMapping(value) ? value : -1;
    }

    /// <summary>The text of a key's value when it is a non-null scalar, else null.</summary>
    public string? GetText(int mapping, string key)
    {
        int value = Get(mapping, key);
        return value < 0 ? null : ScalarText(Resolve(value));
    }

    /// <summary>The item nodes of a sequence.</summary>
    public IEnumerable<int> Items(int sequence)
    {
        int i = sequence + 1;
        while (_events[i] is not SequenceEnd)
        {
            yield return i;
            i = _end[i];
        }
    }

    /// <summary>
    /// A parser that replays one node as a single-document stream. Aliases to anchors defined outside the
    /// node (e.g. in an earlier item of a List) are replaced by a copy of their target; at most
    /// <paramref name="maxEvents"/> events are replayed, which bounds alias expansion.
    /// </summary>
    public IParser Replay(int node, int maxEvents) => new ReplayParser(Events(node, maxEvents));

    private IEnumerable<ParsingEvent> Events(int node, int maxEvents)
    {
        int count = 0;
        yield return new StreamStart();
        yield return new DocumentStart();
        var pending = new Stack<(int Next, int End)>();
        pending.Push((node, _end[node]));
        while (pending.Count > 0)
        {
            (int next, int stop) = pending.Pop();
            if (next >= stop)
            {
                continue;
            }

            pending.Push((next + 1, stop));
            ParsingEvent e = _events[next];
            if (e is AnchorAlias && _aliasTarget[next] >= 0 && _aliasTarget[next] < node)
            {
                int target = _aliasTarget[next];
                pending.Push((target, _end[target]));
                continue;
            }

            if (++count > maxEvents)
            {
                throw new YamlException(e.Start, e.End, "too many nodes after expanding aliases");
            }

            yield return e;
        }

        yield return new DocumentEnd(isImplicit: true);
        yield return new StreamEnd();
    }

    private sealed class ReplayParser(IEnumerable<ParsingEvent> events) : IParser
    {
        private readonly IEnumerator<ParsingEvent> _events = events.GetEnumerator();

        public ParsingEvent? Current { get; private set; }

        public bool MoveNext()
        {
            if (_events.MoveNext())
            {
                Current = _events.Current;
                return true;
            }

            Current = null;
            return false;
        }
    }
}
