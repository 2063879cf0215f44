using System;
using System.Collections.Generic;

namespace MeshDns.Generators.Crd.Yaml;

/// <summary>
/// A node of the small YAML tree <see cref="YamlReader"/> builds. Positions are 0-based and point into the
/// original text, so diagnostics can name the file, line and column.
/// </summary>
internal abstract class YamlNode
{
    protected YamlNode(int line, int column, int offset)
    {
        Line = line;
        Column = column;
        Offset = offset;
    }

    /// <summary>0-based line of the node's first character.</summary>
    public int Line { get; }

    /// <summary>0-based column of the node's first character.</summary>
    public int Column { get; }

    /// <summary>0-based character offset of the node's first character in the text.</summary>
    public int Offset { get; }

    /// <summary>Same content (values, keys, order), wherever the nodes are: used to compare version schemas.</summary>
    public abstract bool SameContent(YamlNode other);
}

internal enum YamlScalarStyle
{
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

internal sealed class YamlScalar : YamlNode
{
    public YamlScalar(string value, YamlScalarStyle style, int line, int column, int offset, int length)
        : base(line, column, offset)
    {
        Value = value;
        Style = style;
        Length = length;
    }

    public string Value { get; }

    public YamlScalarStyle Style { get; }

    /// <summary>Characters of the first line the scalar covers, for diagnostic spans.</summary>
    public int Length { get; }

    /// <summary>An absent value: a plain empty scalar, <c>~</c> or <c>null</c>.</summary>
    public bool IsNull => Style == YamlScalarStyle.Plain && Value is "" or "~" or "null" or "Null" or "NULL";

    /// <summary>A plain <c>true</c>/<c>false</c> (in the spellings YAML 1.2 core allows), else null.</summary>
    public bool? AsBoolean => Style != YamlScalarStyle.Plain
        ? null
        : Value switch
        {
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => null,
        };

    public override bool SameContent(YamlNode other) =>
        other is YamlScalar s && s.Value == Value && (s.Style == YamlScalarStyle.Plain) == (Style == YamlScalarStyle.Plain);
}

internal sealed class YamlMapping : YamlNode
{
    private readonly List<KeyValuePair<YamlScalar, YamlNode>> _entries = new();

    public YamlMapping(int line, int column, int offset)
        : base(line, column, offset)
    {
    }

    public IReadOnlyList<KeyValuePair<YamlScalar, YamlNode>> Entries => _entries;

    public bool ContainsKey(string key) => Find(key) is not null;

    /// <summary>The value of <paramref name="key"/>, or null when the key is absent.</summary>
    public YamlNode? Get(string key) => Find(key)?.Value;

    /// <summary>The key node of <paramref name="key"/>, or null.</summary>
    public YamlScalar? KeyNode(string key) => Find(key)?.Key;

    internal void Add(YamlScalar key, YamlNode value) => _entries.Add(new KeyValuePair<YamlScalar, YamlNode>(key, value));

    private KeyValuePair<YamlScalar, YamlNode>? Find(string key)
    {
        foreach (KeyValuePair<YamlScalar, YamlNode> entry in _entries)
        {
            if (string.Equals(entry.Key.Value, key, StringComparison.Ordinal))
            {
                return entry;
            }
        }

        return null;
    }

    public override bool SameContent(YamlNode other)
    {
        if (other is not YamlMapping m || m._entries.Count != _entries.Count)
        {
            return false;
        }

        for (int i = 0; i < _entries.Count; i++)
        {
            if (!_entries[i].Key.SameContent(m._entries[i].Key) || !_entries[i].Value.SameContent(m._entries[i].Value))
            {
                return false;
            }
        }

        return true;
    }
}

internal sealed class YamlSequence : YamlNode
{
    private readonly List<YamlNode> _items = new();

    public YamlSequence(int line, int column, int offset)
        : base(line, column, offset)
    {
    }

    public IReadOnlyList<YamlNode> Items => _items;

    internal void Add(YamlNode item) => _items.Add(item);

    public override bool SameContent(YamlNode other)
    {
        if (other is not YamlSequence s || s._items.Count != _items.Count)
        {
            return false;
        }

        for (int i = 0; i < _items.Count; i++)
        {
            if (!_items[i].SameContent(s._items[i]))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>One document of a stream; <see cref="Root"/> is null for an empty document.</summary>
internal sealed class YamlDocument
{
    public YamlDocument(YamlNode? root, int line)
    {
        Root = root;
        Line = line;
    }

    public YamlNode? Root { get; }

    /// <summary>0-based line where the document starts (its <c>---</c>, or its first content).</summary>
    public int Line { get; }
}

/// <summary>Input the reader does not accept, with its 0-based position.</summary>
internal sealed class YamlSyntaxException : Exception
{
    public YamlSyntaxException(string reason, int line, int column, int offset)
        : base(reason)
    {
        Reason = reason;
        Line = line;
        Column = column;
        Offset = offset;
    }

    public string Reason { get; }

    public int Line { get; }

    public int Column { get; }

    public int Offset { get; }
}
