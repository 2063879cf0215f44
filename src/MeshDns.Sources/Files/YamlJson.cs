using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MeshDns.Sources.Files;

/// <summary>
/// A YAML stream as one JSON array with one value per document, written from YamlDotNet's parsing events straight
/// into a <see cref="Utf8JsonWriter"/>, much as <c>kubectl</c> turns manifests into JSON: plain scalars that are
/// YAML 1.2 core-schema nulls, booleans, integers or floats become JSON null, booleans and numbers; every other
/// scalar (quoted, block, or plain text, including YAML 1.1's <c>yes</c>/<c>no</c>/<c>on</c>/<c>off</c>) a string;
/// an explicit <c>!!str</c>, <c>!!int</c>… tag is followed; aliases are replaced by a copy of their anchor's node
/// (merge keys, <c>&lt;&lt;</c>, are an ordinary key).
/// </summary>
/// <remarks>
/// <para>Every value written (not the mapping keys) is a node, numbered in document order as its value starts in
/// the JSON; <see cref="Line"/> and <see cref="Size"/> tell where a node starts in the YAML and how many nodes its
/// value spans, so that a node's JSON element and its line can be found together (see <see cref="ChildNode"/>).</para>
/// <para>What cannot be JSON is left out and noted in <see cref="Problems"/> (by node, line and path): a key
/// repeated in a mapping (kept, the later one wins when read), a key that is not a scalar (the pair is dropped), an
/// alias to an unknown anchor, an alias beyond the budget of <see cref="MaxAliasNodes"/> nodes copied per document
/// (which bounds "billion laughs" input), nesting deeper than <see cref="MaxDepth"/> (written as null).</para>
/// </remarks>
internal sealed class YamlJson : IDisposable
{
    /// <summary>The deepest nesting of mappings and sequences written; deeper values are null.</summary>
    public const int MaxDepth = 64;

    /// <summary>Nodes that aliases may copy in one document.</summary>
    public const int MaxAliasNodes = 1_000_000;

    private const string CoreTag = "tag:yaml.org,2002:";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = MaxDepth + 2,
    };

    private readonly PooledBufferWriter _buffer = new();
    private readonly Utf8JsonWriter _writer;
    private int[] _lines = ArrayPool<int>.Shared.Rent(1024);
    private int[] _sizes = ArrayPool<int>.Shared.Rent(1024);
    private int _nodes;

    // The open mappings and sequences, innermost last, and for each the keys seen so far (mappings).
    private Frame[] _frames = new Frame[16];
    private int _depth;
    private readonly List<KeySet> _keys = [];

    // Anchors of the current document, the anchored nodes being recorded, and the alias budget left.
    private readonly Dictionary<string, Capture> _anchors = new(StringComparer.Ordinal);
    private readonly List<Capture> _recording = [];
    private long _aliasBudget;

    // Events to drop: whole nodes left (after the current one), and the nesting inside the current one.
    private int _skipNodes;
    private int _skipDepth;

    private YamlJson()
    {
        _writer = new Utf8JsonWriter(_buffer, WriterOptions);
    }

    /// <summary>The JSON: an array with one value per document of the stream.</summary>
    public ReadOnlyMemory<byte> Json => _buffer.WrittenMemory;

    /// <summary>What was left out or is doubtful, in stream order (a key's problem is on its mapping's node).</summary>
    public List<ConversionProblem> Problems { get; } = [];

    /// <summary>Reads a whole YAML stream; a syntax error throws <see cref="YamlException"/>.</summary>
    public static YamlJson Convert(string yaml)
    {
        var result = new YamlJson();
        try
        {
            result.Read(new Parser(new StringReader(yaml)));
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>Line (1-based) where a node starts.</summary>
    public int Line(int node) => _lines[node];

    /// <summary>How many nodes the value of a node spans, itself included.</summary>
    public int Size(int node) => _sizes[node];

    /// <summary>
    /// The node of a child of an object or array element whose node is <paramref name="node"/>: the property
    /// (the last one of that name, as when reading) or item, or -1 when it is not there.
    /// </summary>
    public int ChildNode(JsonElement element, int node, string name, out JsonElement child)
    {
        child = default;
        int found = -1;
        if (element.ValueKind == JsonValueKind.Object)
        {
            int next = node + 1;
            foreach (JsonProperty property in element.EnumerateObject())
            {
                if (property.NameEquals(name))
                {
                    found = next;
                    child = property.Value;
                }

                next += _sizes[next];
            }
        }

        return found;
    }

    /// <summary>The nodes of the items of an array element, in order.</summary>
    public IEnumerable<(JsonElement Item, int Node)> Items(JsonElement array, int node)
    {
        int next = node + 1;
        foreach (JsonElement item in array.EnumerateArray())
        {
            yield return (item, next);
            next += _sizes[next];
        }
    }

    /// <summary>
    /// The line of what a path (<c>spec.hosts[1]</c>, as <see cref="MeshDns.Models.Json.ServiceEntryJson"/> writes
    /// them) names below an element, or of the deepest part of it that is there.
    /// </summary>
    public int LineOf(JsonElement element, int node, string path)
    {
        int i = 0;
        while (i < path.Length)
        {
            if (path[i] == '[')
            {
                int close = path.IndexOf(']', i);
                if (close < 0 || element.ValueKind != JsonValueKind.Array
                    || !int.TryParse(path.AsSpan(i + 1, close - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                    || index >= element.GetArrayLength())
                {
                    break;
                }

                int next = node + 1;
                for (int k = 0; k < index; k++)
                {
                    next += _sizes[next];
                }

                element = element[index];
                node = next;
                i = close + 1;
                continue;
            }

            if (path[i] == '.')
            {
                i++;
            }

            if (element.ValueKind != JsonValueKind.Object)
            {
                break;
            }

            // The longest property name that the path goes on with (a label key may hold dots).
            ReadOnlySpan<char> rest = path.AsSpan(i);
            int length = -1;
            int next2 = node + 1;
            int match = -1;
            JsonElement value = default;
            foreach (JsonProperty property in element.EnumerateObject())
            {
                string name = property.Name;
                if (name.Length >= length
                    && rest.StartsWith(name, StringComparison.Ordinal)
                    && (rest.Length == name.Length || rest[name.Length] is '.' or '['))
                {
                    length = name.Length;
                    match = next2;
                    value = property.Value;
                }

                next2 += _sizes[next2];
            }

            if (match < 0)
            {
                break;
            }

            element = value;
            node = match;
            i += length;
        }

        return _lines[node];
    }

    public void Dispose()
    {
        _writer.Dispose();
        _buffer.Dispose();
        ArrayPool<int>.Shared.Return(_lines);
        ArrayPool<int>.Shared.Return(_sizes);
        _lines = [];
        _sizes = [];
    }

    private void Read(Parser parser)
    {
        Mark last = Mark.Empty;
        while (MoveNext(parser, last))
        {
            ParsingEvent e = parser.Current!;
            last = e.End;
            switch (e)
            {
                case StreamStart:
                    _writer.WriteStartArray();
                    break;
                case StreamEnd:
                    _writer.WriteEndArray();
                    break;
                case DocumentStart:
                    _anchors.Clear(); // anchors are scoped to their document
                    _recording.Clear();
                    _aliasBudget = MaxAliasNodes;
                    break;
                case DocumentEnd:
                    break;
                default:
                    Live(e);
                    break;
            }
        }

        _writer.Flush();
    }

    /// <summary>The parser's next event; its failures that are not <see cref="YamlException"/> made one.</summary>
    private static bool MoveNext(Parser parser, Mark last)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException
            or FormatException or OverflowException or InvalidCastException)
        {
            // YamlDotNet's scanner fails this way on some malformed input (e.g. "{a: b" followed by more
            // lines); report it as a syntax error where the last good event ended.
            throw new YamlException(last, last, "invalid YAML", e);
        }
    }

    /// <summary>An event of the stream (not a replay): recorded for the anchors it is inside, then written.</summary>
    private void Live(ParsingEvent e)
    {
        Capture? target = null;
        if (e is AnchorAlias alias)
        {
            target = _anchors.GetValueOrDefault(alias.Value.Value);
            if (target is { Complete: false })
            {
                target = Capture.Containing; // so that a later copy of the node does not refer to itself
            }
        }

        if (e is NodeEvent { Anchor.IsEmpty: false } anchored)
        {
            var capture = new Capture();
            _anchors[anchored.Anchor.Value] = capture; // open until its node ends: an alias inside it is refused
            _recording.Add(capture);
        }

        if (_recording.Count > 0)
        {
            for (int i = _recording.Count - 1; i >= 0; i--)
            {
                Capture capture = _recording[i];
                capture.Add(e, target);
                if (capture.Complete)
                {
                    _recording.RemoveAt(i);
                }
            }
        }

        Node(e, target, (int)e.Start.Line);
    }

    /// <summary>Writes an event: a key, a value (an alias is replayed), or the end of a mapping or sequence.</summary>
    private void Node(ParsingEvent e, Capture? target, int line)
    {
        if (_skipNodes > 0)
        {
            Skip(e);
            return;
        }

        switch (e)
        {
            case MappingEnd:
                _writer.WriteEndObject();
                Close();
                return;
            case SequenceEnd:
                _writer.WriteEndArray();
                Close();
                return;
            default:
                break;
        }

        if (_depth > 0 && _frames[_depth - 1].IsMapping && _frames[_depth - 1].ExpectKey)
        {
            Key(e, target, line);
        }
        else
        {
            Value(e, target, line);
        }
    }

    private void Key(ParsingEvent e, Capture? target, int line)
    {
        ref Frame frame = ref _frames[_depth - 1];
        string? key = e switch
        {
            Scalar s => s.Value,
            AnchorAlias when target is { Complete: true, Scalar: { } s } => s.Value,
            _ => null,
        };

        if (key is null)
        {
            string message = e is AnchorAlias && target is null ? "alias to an unknown anchor" : "a mapping key must be a scalar";
            Problem(frame.Node, line, Path(includeKey: false), message);
            _skipNodes = e is MappingStart or SequenceStart ? 2 : 1; // the rest of this key, and its value
            _skipDepth = e is MappingStart or SequenceStart ? 1 : 0;
            return;
        }

        if (!_keys[_depth - 1].Add(key))
        {
            frame.Key = key;
            Problem(frame.Node, line, Path(), "key repeated");
        }

        frame.Key = key;
        frame.ExpectKey = false;
        _writer.WritePropertyName(key);
    }

    private void Value(ParsingEvent e, Capture? target, int line)
    {
        if (e is AnchorAlias)
        {
            Alias(target, line);
            return;
        }

        int node = AddNode(line);
        switch (e)
        {
            case Scalar scalar:
                WriteScalar(scalar);
                AfterValue();
                return;
            case MappingStart or SequenceStart when _depth >= MaxDepth:
                _writer.WriteNullValue();
                Problem(node, line, Path(), $"nested more than {MaxDepth} levels deep");
                AfterValue();
                _skipNodes = 1;
                _skipDepth = 1;
                return;
            case MappingStart:
                _writer.WriteStartObject();
                Open(node, isMapping: true);
                return;
            case SequenceStart:
                _writer.WriteStartArray();
                Open(node, isMapping: false);
                return;
            default:
                _writer.WriteNullValue(); // not produced by the parser in a node's place
                AfterValue();
                return;
        }
    }

    /// <summary>An alias in a value's place: a copy of its anchor's node, or null and a problem.</summary>
    private void Alias(Capture? target, int line)
    {
        string? problem = target switch
        {
            null => "alias to an unknown anchor",
            { Complete: false } => "alias to a node that contains it",
            { Expanded: var n } when n > _aliasBudget => "too many nodes after expanding aliases",
            _ => null,
        };

        if (problem is not null)
        {
            int node = AddNode(line);
            _writer.WriteNullValue();
            Problem(node, line, Path(), problem);
            AfterValue();
            return;
        }

        _aliasBudget -= target!.Expanded;
        Replay(target, line);
    }

    /// <summary>Writes the recorded events of an anchored node again; its first node is placed at the alias's line.</summary>
    private void Replay(Capture capture, int aliasLine)
    {
        List<(ParsingEvent Event, Capture? Target)> events = capture.Events;
        for (int i = 0; i < events.Count; i++)
        {
            (ParsingEvent e, Capture? target) = events[i];
            Node(e, target, i == 0 ? aliasLine : (int)e.Start.Line);
        }
    }

    private void Skip(ParsingEvent e)
    {
        switch (e)
        {
            case MappingStart or SequenceStart:
                _skipDepth++;
                return;
            case MappingEnd or SequenceEnd:
                _skipDepth--;
                break;
            default:
                break;
        }

        if (_skipDepth == 0)
        {
            _skipNodes--;
        }
    }

    private int AddNode(int line)
    {
        if (_nodes == _lines.Length)
        {
            Grow(ref _lines, _nodes);
            Grow(ref _sizes, _nodes);
        }

        _lines[_nodes] = line;
        _sizes[_nodes] = 1;
        return _nodes++;
    }

    private static void Grow(ref int[] array, int count)
    {
        int[] larger = ArrayPool<int>.Shared.Rent(array.Length * 2);
        array.AsSpan(0, count).CopyTo(larger);
        ArrayPool<int>.Shared.Return(array);
        array = larger;
    }

    private void Open(int node, bool isMapping)
    {
        if (_depth == _frames.Length)
        {
            Array.Resize(ref _frames, _depth * 2);
        }

        _frames[_depth] = new Frame { Node = node, IsMapping = isMapping, ExpectKey = isMapping };
        if (_keys.Count == _depth)
        {
            _keys.Add(new KeySet());
        }

        _keys[_depth].Clear();
        _depth++;
    }

    private void Close()
    {
        _depth--;
        int node = _frames[_depth].Node;
        _sizes[node] = _nodes - node;
        AfterValue();
    }

    private void AfterValue()
    {
        if (_depth == 0)
        {
            return;
        }

        ref Frame frame = ref _frames[_depth - 1];
        if (frame.IsMapping)
        {
            frame.ExpectKey = true;
        }
        else
        {
            frame.Index++;
        }
    }

    /// <summary>Where the current value is, from the document's root: keys and item indexes.</summary>
    /// <param name="includeKey">False for the path of the innermost mapping itself (its last key left out).</param>
    private PathSegment[] Path(bool includeKey = true)
    {
        int count = !includeKey && _depth > 0 && _frames[_depth - 1].IsMapping ? _depth - 1 : _depth;
        var path = new PathSegment[count];
        for (int i = 0; i < count; i++)
        {
            Frame frame = _frames[i];
            path[i] = frame.IsMapping ? new PathSegment(frame.Key ?? "", -1) : new PathSegment(null, frame.Index);
        }

        return path;
    }

    private void Problem(int node, int line, PathSegment[] path, string message) =>
        Problems.Add(new ConversionProblem(node, line, path, message));

    private void WriteScalar(Scalar scalar)
    {
        string value = scalar.Value;
        bool plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
        string? tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        ScalarKind kind = tag switch
        {
            null => plain ? Resolve(value) : ScalarKind.String,
            "!" => ScalarKind.String,
            CoreTag + "str" => ScalarKind.String,
            CoreTag + "null" => ScalarKind.Null,
            CoreTag + "bool" => Only(Resolve(value), ScalarKind.True, ScalarKind.False),
            CoreTag + "int" => Only(Resolve(value), ScalarKind.Integer, ScalarKind.Integer),
            CoreTag + "float" => Only(Resolve(value), ScalarKind.Integer, ScalarKind.Float),
            _ => plain ? Resolve(value) : ScalarKind.String,
        };

        switch (kind)
        {
            case ScalarKind.Null:
                _writer.WriteNullValue();
                break;
            case ScalarKind.True:
                _writer.WriteBooleanValue(true);
                break;
            case ScalarKind.False:
                _writer.WriteBooleanValue(false);
                break;
            case ScalarKind.Integer:
                WriteInteger(value);
                break;
            case ScalarKind.Float:
                _writer.WriteRawValue(NormalFloat(value));
                break;
            default:
                _writer.WriteStringValue(value);
                break;
        }
    }

    /// <summary>The kind when it is one of two, else a string (a tag that does not fit its value).</summary>
    private static ScalarKind Only(ScalarKind kind, ScalarKind one, ScalarKind other) =>
        kind == one || kind == other ? kind : ScalarKind.String;

    /// <summary>What a plain scalar is in the YAML 1.2 core schema (.inf and .nan, not JSON, are strings).</summary>
    internal static ScalarKind Resolve(string text)
    {
        if (text.Length == 0)
        {
            return ScalarKind.Null;
        }

        char first = text[0];
        if (first is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') && first is not ('n' or 'N' or 't' or 'T' or 'f' or 'F'))
        {
            return ScalarKind.String; // most text: names, hosts
        }

        switch (text)
        {
            case "~" or "null" or "Null" or "NULL":
                return ScalarKind.Null;
            case "true" or "True" or "TRUE":
                return ScalarKind.True;
            case "false" or "False" or "FALSE":
                return ScalarKind.False;
            default:
                break;
        }

        if (first is not ((>= '0' and <= '9') or '-' or '+' or '.'))
        {
            return ScalarKind.String;
        }

        ReadOnlySpan<char> s = text;
        if (s.Length > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x'))
        {
            bool hex = s[1] == 'x';
            foreach (char c in s[2..])
            {
                if (!(hex ? char.IsAsciiHexDigit(c) : c is >= '0' and <= '7'))
                {
                    return ScalarKind.String;
                }
            }

            return ScalarKind.Integer;
        }

        // [-+]? ( \.[0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
        int i = s[0] is '-' or '+' ? 1 : 0;
        int digits = Digits(s, ref i);
        bool point = i < s.Length && s[i] == '.';
        int fraction = 0;
        if (point)
        {
            i++;
            fraction = Digits(s, ref i);
        }

        if (digits == 0 && fraction == 0)
        {
            return ScalarKind.String; // also .inf and .nan
        }

        bool exponent = false;
        if (i < s.Length && s[i] is 'e' or 'E')
        {
            i++;
            if (i < s.Length && s[i] is '-' or '+')
            {
                i++;
            }

            if (Digits(s, ref i) == 0)
            {
                return ScalarKind.String;
            }

            exponent = true;
        }

        return i != s.Length ? ScalarKind.String : point || exponent ? ScalarKind.Float : ScalarKind.Integer;
    }

    private static int Digits(ReadOnlySpan<char> s, ref int i)
    {
        int start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        return i - start;
    }

    private void WriteInteger(string text)
    {
        ReadOnlySpan<char> s = text;
        if (s.Length > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x'))
        {
            NumberStyles style = s[1] == 'x' ? NumberStyles.AllowHexSpecifier : NumberStyles.None;
            if (s[1] == 'x' && ulong.TryParse(s[2..], style, CultureInfo.InvariantCulture, out ulong hex))
            {
                _writer.WriteNumberValue(hex);
                return;
            }

            if (s[1] == 'o' && s.Length <= 2 + 21)
            {
                ulong octal = 0;
                foreach (char c in s[2..])
                {
                    octal = (octal * 8) + (ulong)(c - '0');
                }

                _writer.WriteNumberValue(octal);
                return;
            }

            _writer.WriteStringValue(text); // beyond 64 bits: no one means a number by it
            return;
        }

        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            _writer.WriteNumberValue(value);
            return;
        }

        _writer.WriteRawValue(NormalFloat(text)); // a long decimal integer: as written, in JSON's form
    }

    /// <summary>A core-schema number as JSON writes it: no '+', no leading zeros, digits around the point.</summary>
    private static string NormalFloat(string text)
    {
        ReadOnlySpan<char> s = text;
        var json = new System.Text.StringBuilder(s.Length + 2);
        int i = 0;
        if (s[0] is '-' or '+')
        {
            if (s[0] == '-')
            {
                json.Append('-');
            }

            i = 1;
        }

        int start = i;
        Digits(s, ref i);
        ReadOnlySpan<char> whole = s[start..i].TrimStart('0');
        json.Append(whole.IsEmpty ? "0" : whole);
        if (i < s.Length && s[i] == '.')
        {
            i++;
            start = i;
            Digits(s, ref i);
            if (i > start)
            {
                json.Append('.').Append(s[start..i]);
            }
        }

        json.Append(s[i..]); // the exponent, if any
        return json.ToString();
    }

    /// <summary>A mapping or sequence being written.</summary>
    private struct Frame
    {
        public int Node;
        public bool IsMapping;
        public bool ExpectKey;
        public string? Key;
        public int Index;
    }

    /// <summary>The keys of one mapping: a list while small, a set when large.</summary>
    private sealed class KeySet
    {
        private readonly List<string> _list = [];
        private HashSet<string>? _set;

        public void Clear()
        {
            _list.Clear();
            _set = null;
        }

        /// <summary>Adds a key; false when it was there already.</summary>
        public bool Add(string key)
        {
            if (_set is not null)
            {
                return _set.Add(key);
            }

            foreach (string k in _list)
            {
                if (string.Equals(k, key, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            _list.Add(key);
            if (_list.Count > 16)
            {
                _set = new HashSet<string>(_list, StringComparer.Ordinal);
            }

            return true;
        }
    }

    /// <summary>
    /// The events of an anchored node, an alias inside it kept with the node it referred to then, and how many
    /// nodes writing it takes with its aliases expanded (for the budget).
    /// </summary>
    private sealed class Capture
    {
        /// <summary>The target of an alias inside its own anchor's node: never complete, so refused.</summary>
        public static readonly Capture Containing = new();

        private int _open;

        public List<(ParsingEvent Event, Capture? Target)> Events { get; } = [];

        public bool Complete { get; private set; }

        public long Expanded { get; private set; }

        /// <summary>The node when it is a single scalar (usable as a mapping key).</summary>
        public Scalar? Scalar => Events is [(Scalar s, _)] ? s : null;

        public void Add(ParsingEvent e, Capture? target)
        {
            Events.Add((e, target));
            switch (e)
            {
                case MappingStart or SequenceStart:
                    _open++;
                    Expanded++;
                    break;
                case MappingEnd or SequenceEnd:
                    _open--;
                    break;
                case AnchorAlias:
                    Expanded = Math.Min(Expanded + (target is { Complete: true } ? target.Expanded : 1), int.MaxValue);
                    break;
                default:
                    Expanded++;
                    break;
            }

            Complete = _open == 0;
        }
    }

    /// <summary>An <see cref="IBufferWriter{T}"/> on pooled arrays.</summary>
    private sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
    {
        private byte[] _array = ArrayPool<byte>.Shared.Rent(64 * 1024);
        private int _written;

        public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _written);

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _array.AsMemory(_written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _array.AsSpan(_written);
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
            _written = 0;
        }

        private void Ensure(int sizeHint)
        {
            int needed = _written + Math.Max(sizeHint, 256);
            if (needed > _array.Length)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array.Length * 2));
                _array.AsSpan(0, _written).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_array);
                _array = larger;
            }
        }
    }
}

/// <summary>What a plain scalar is.</summary>
internal enum ScalarKind
{
    String,
    Null,
    True,
    False,
    Integer,
    Float,
}

/// <summary>A key (<see cref="Key"/> non-null) or an item index of a path.</summary>
internal readonly record struct PathSegment(string? Key, int Index);

/// <summary>Something the YAML has that its JSON cannot: on which node, at which line, where from the document's root.</summary>
internal readonly record struct ConversionProblem(int Node, int Line, PathSegment[] Path, string Message)
{
    /// <summary>The problem as <c>path: message</c>, the path without its first <paramref name="skip"/> segments.</summary>
    public string Describe(int skip)
    {
        var text = new System.Text.StringBuilder();
        for (int i = Math.Min(skip, Path.Length); i < Path.Length; i++)
        {
            if (Path[i].Key is { } key)
            {
                text.Append(text.Length == 0 ? "" : ".").Append(key);
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"[{Path[i].Index}]");
            }
        }

        return text.Length == 0 ? Message : $"{text}: {Message}";
    }
}
