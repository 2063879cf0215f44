using System.Text;
using MeshDns.Table;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MeshDns.Sources.Files;

/// <summary>
/// Replays one node of a <see cref="YamlEvents"/> to YamlDotNet's deserializer as an <see cref="IParser"/>:
/// aliases are expanded in place (so every value is checked where it is used) within the alias budget, and
/// the path of the current node is known, so problems are reported as <c>spec.hosts[1]</c> with their line.
/// What has no plain form (a key that is not a scalar, an alias to nothing) is a problem, read as null.
/// </summary>
internal sealed class YamlReplay(YamlEvents doc, int root, YamlBudget? budget) : IParser
{
    private sealed class Frame
    {
        public bool IsMap;
        public bool ExpectKey;
        public string? Key;
        public int Index;
        public readonly List<string> Keys = [];
    }

    private readonly List<Frame> _frames = [];
    private readonly Stack<(int Position, int End)> _cursors = new([(root, doc.Links[root] < 0 ? root : doc.Links[root])]);
    private int _depth;

    public ParsingEvent? Current { get; private set; }

    /// <summary>What was wrong in the YAML itself, in the order met.</summary>
    public List<Problem> Problems { get; } = [];

    /// <summary>Set by the reader of a list item or map value, where null is not allowed; read once.</summary>
    public bool NullForbidden { get; set; }

    /// <summary>The path of <see cref="Current"/>, from the replayed node.</summary>
    public string Path
    {
        get
        {
            var path = new StringBuilder();
            for (int i = 0; i < _depth; i++)
            {
                Frame f = _frames[i];
                if (f.IsMap && f.ExpectKey)
                {
                    break; // at a key: the path of its map
                }

                _ = f.IsMap ? path.Append(path.Length == 0 ? "" : ".").Append(f.Key) : path.Append('[').Append(f.Index).Append(']');
            }

            return path.ToString();
        }
    }

    public void Problem(ParsingEvent at, string? value, string reason) =>
        Problems.Add(new Problem(Path, value, reason) { Line = (int)at.Start.Line });

    public bool MoveNext()
    {
        if (Current is not null)
        {
            Advance(Current);
        }

        Current = Read();
        if (Current is not null && _depth > 0 && _frames[_depth - 1] is { IsMap: true, ExpectKey: true } map)
        {
            CheckKey(map);
        }

        return Current is not null;
    }

    /// <summary>The line of the node at <paramref name="path"/>, or of its nearest ancestor present; aliases not followed.</summary>
    public static int LineOf(YamlEvents doc, int root, string path)
    {
        var walk = new YamlReplay(doc, root, null);
        int line = (int)doc.Events[root].Start.Line, best = 0;
        while (walk.MoveNext())
        {
            string at = walk.Path;
            if (at.Length > best && path.StartsWith(at, StringComparison.Ordinal) && (path.Length == at.Length || path[at.Length] is '.' or '['))
            {
                (line, best) = ((int)walk.Current!.Start.Line, at.Length);
            }
        }

        return line;
    }

    private ParsingEvent? Read()
    {
        while (_cursors.TryPeek(out (int Position, int End) top))
        {
            if (top.Position > top.End)
            {
                _cursors.Pop();
                continue;
            }

            _cursors.Push((_cursors.Pop().Position + 1, top.End));
            ParsingEvent e = doc.Events[top.Position];
            int link = doc.Links[top.Position];
            if (e is not AnchorAlias && link != YamlEvents.TooDeep)
            {
                return e is NodeEvent { Tag.IsEmpty: false } tagged ? Untagged(tagged) : e;
            }

            string? problem = link switch
            {
                YamlEvents.TooDeep => $"nested more than {YamlEvents.MaxDepth} levels deep",
                YamlEvents.UnknownAnchor => "alias to an unknown anchor",
                YamlEvents.Recursive => "alias to a node that contains it",
                _ when budget is null => null, // LineOf: aliases are not followed
                _ when !budget.TryCharge(doc.Links[link] - link + 1) => $"aliases expand to more than {budget.Describe()}",
                _ => "",
            };
            if (problem is "")
            {
                _cursors.Push((link, doc.Links[link]));
                continue;
            }

            var empty = new Scalar(AnchorName.Empty, TagName.Empty, "", ScalarStyle.Plain, true, false, e.Start, e.End);
            if (problem is not null)
            {
                Problem(e, null, problem);
            }

            return empty;
        }

        return null;
    }

    /// <summary>
    /// The event without its tag, which YamlDotNet would map to a .NET type of its own: a scalar tagged as a
    /// string reads as quoted, one tagged with another core type as plain (<c>!!int "80"</c> is 80).
    /// </summary>
    private static ParsingEvent Untagged(NodeEvent e) => e switch
    {
        Scalar s => new Scalar(s.Anchor, TagName.Empty, s.Value, s.Tag.Value is "tag:yaml.org,2002:int" or "tag:yaml.org,2002:float"
            or "tag:yaml.org,2002:bool" or "tag:yaml.org,2002:null" ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted, true, false, s.Start, s.End),
        MappingStart m => new MappingStart(m.Anchor, TagName.Empty, true, m.Style, m.Start, m.End),
        SequenceStart q => new SequenceStart(q.Anchor, TagName.Empty, true, q.Style, q.Start, q.End),
        _ => e,
    };

    /// <summary>Moves the path past the event just consumed.</summary>
    private void Advance(ParsingEvent consumed)
    {
        if (consumed is MappingStart or SequenceStart)
        {
            if (_frames.Count == _depth)
            {
                _frames.Add(new Frame());
            }

            Frame f = _frames[_depth++];
            (f.IsMap, f.ExpectKey, f.Key, f.Index) = (consumed is MappingStart, true, null, 0);
            f.Keys.Clear();
            return;
        }

        if (consumed is MappingEnd or SequenceEnd)
        {
            _depth--;
        }

        if (_depth > 0 && consumed is not (DocumentStart or DocumentEnd or StreamStart or StreamEnd))
        {
            Frame parent = _frames[_depth - 1];
            if (!parent.IsMap)
            {
                parent.Index++;
            }
            else if (parent.ExpectKey && consumed is Scalar key)
            {
                (parent.Key, parent.ExpectKey) = (key.Value, false);
                parent.Keys.Add(key.Value);
            }
            else
            {
                parent.ExpectKey = true;
            }
        }
    }

    /// <summary>A key must be a scalar and must not repeat; a key that is not is skipped with its value.</summary>
    private void CheckKey(Frame map)
    {
        while (Current is MappingStart or SequenceStart)
        {
            Problem(Current, null, "a mapping key must be a scalar");
            (int position, int end) = _cursors.Pop();
            int value = doc.Links[position - 1] + 1;
            int next = doc.Events[value] is MappingStart or SequenceStart ? doc.Links[value] + 1 : value + 1;
            _cursors.Push((next, end));
            Current = Read();
        }

        if (Current is Scalar key && map.Keys.Contains(key.Value))
        {
            (map.Key, map.ExpectKey) = (key.Value, false);
            Problem(key, key.Value, "key repeated");
            (map.Key, map.ExpectKey) = (null, true);
        }
    }
}
