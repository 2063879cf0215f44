using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace MeshDns.Generators.Crd.Yaml;

/// <summary>
/// A small, strict YAML reader for the subset CustomResourceDefinitions are written in (a generator cannot
/// load YamlDotNet). Accepted: block mappings and sequences (also sequences at their key's indentation and
/// <c>- key: value</c> items), plain, single- and double-quoted scalars (also over several lines), flow
/// sequences and mappings closed on the line they start, <c>|</c> and <c>&gt;</c> block scalars with
/// chomping and indentation indicators, comments, and documents separated by <c>---</c> (ended by
/// <c>...</c>). Rejected with a <see cref="YamlSyntaxException"/> at the offending position: tabs in
/// indentation, anchors, aliases, tags, directives, complex (<c>?</c>) keys, duplicate keys, and anything
/// malformed.
/// </summary>
internal sealed class YamlReader
{
    private const int MaxDepth = 100;

    private readonly string[] _lines;
    private readonly int[] _lineStarts;
    private int _line;
    private int _depth;

    private YamlReader(string text)
    {
        var lines = new List<string>();
        var starts = new List<int>();
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == '\n' || text[i] == '\r')
            {
                lines.Add(text.Substring(start, i - start));
                starts.Add(start);
                if (i < text.Length && text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                start = i + 1;
            }
        }

        if (lines.Count > 0 && lines[0].Length > 0 && lines[0][0] == '\uFEFF')
        {
            lines[0] = lines[0].Substring(1); // a byte order mark is not content
            starts[0] = 1;
        }

        _lines = lines.ToArray();
        _lineStarts = starts.ToArray();
    }

    /// <summary>Reads every document of <paramref name="text"/>.</summary>
    /// <exception cref="YamlSyntaxException">The text is not in the accepted subset.</exception>
    public static IReadOnlyList<YamlDocument> Read(string text) => new YamlReader(text).ReadStream();

    private List<YamlDocument> ReadStream()
    {
        var documents = new List<YamlDocument>();
        bool explicitStart = false;
        int documentLine = 0;
        while (true)
        {
            SkipBlankLines();
            if (_line >= _lines.Length)
            {
                if (explicitStart)
                {
                    documents.Add(new YamlDocument(null, documentLine));
                }

                return documents;
            }

            string text = _lines[_line];
            if (text.StartsWith("%", StringComparison.Ordinal))
            {
                throw Error("directives ('%YAML', '%TAG') are not supported", _line, 0);
            }

            if (IsMarker(text, "---"))
            {
                if (explicitStart)
                {
                    documents.Add(new YamlDocument(null, documentLine)); // '---' right after '---': an empty document
                }

                string rest = StripComment(text, 3).Trim();
                if (rest.Length > 0)
                {
                    throw Error("content on the '---' line is not supported; start it on the next line", _line, 4);
                }

                explicitStart = true;
                documentLine = _line;
                _line++;
                continue;
            }

            if (IsMarker(text, "..."))
            {
                if (StripComment(text, 3).Trim().Length > 0)
                {
                    throw Error("content after '...' is not allowed", _line, 4);
                }

                if (explicitStart)
                {
                    documents.Add(new YamlDocument(null, documentLine));
                }

                explicitStart = false;
                _line++;
                continue;
            }

            int rootLine = explicitStart ? documentLine : _line;
            YamlNode? root = ParseBlockNode(-1, allowIndentlessSequence: false);
            SkipBlankLines();
            if (_line < _lines.Length && !IsMarker(_lines[_line], "---") && !IsMarker(_lines[_line], "..."))
            {
                throw Error("unexpected content after the end of the document", _line, Indent(_line));
            }

            documents.Add(new YamlDocument(root, rootLine));
            explicitStart = false;
            if (_line < _lines.Length && IsMarker(_lines[_line], "..."))
            {
                _line++;
            }
        }
    }

    private static bool IsMarker(string text, string marker) =>
        text.StartsWith(marker, StringComparison.Ordinal) && (text.Length == 3 || text[3] == ' ' || text[3] == '\t');

    /// <summary>Moves past empty and comment-only lines.</summary>
    private void SkipBlankLines()
    {
        while (_line < _lines.Length && IsBlank(_lines[_line]))
        {
            _line++;
        }
    }

    private static bool IsBlank(string text)
    {
        foreach (char c in text)
        {
            if (c == '#')
            {
                return true;
            }

            if (c != ' ' && c != '\t')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Spaces before the content of a non-blank line; a tab there is an error.</summary>
    private int Indent(int line)
    {
        string text = _lines[line];
        int i = 0;
        while (i < text.Length && text[i] == ' ')
        {
            i++;
        }

        if (i < text.Length && text[i] == '\t')
        {
            throw Error("tabs are not allowed in indentation", line, i);
        }

        return i;
    }

    /// <summary>
    /// The node starting at the current (non-blank) line, if it is indented more than
    /// <paramref name="parentIndent"/> (or, with <paramref name="allowIndentlessSequence"/>, a sequence at the
    /// same indentation, as a mapping value may be). Null when there is none.
    /// </summary>
    private YamlNode? ParseBlockNode(int parentIndent, bool allowIndentlessSequence)
    {
        SkipBlankLines();
        if (_line >= _lines.Length || IsMarker(_lines[_line], "---") || IsMarker(_lines[_line], "..."))
        {
            return null;
        }

        int indent = Indent(_line);
        string text = _lines[_line];
        if (indent <= parentIndent)
        {
            if (allowIndentlessSequence && indent == parentIndent && IsSequenceEntry(text, indent))
            {
                return Nested(() => ParseSequence(indent, indentless: true));
            }

            return null;
        }

        if (IsSequenceEntry(text, indent))
        {
            return Nested(() => ParseSequence(indent, indentless: false));
        }

        if (TryReadKey(_line, indent, out _, out _))
        {
            return Nested(() => ParseMapping(indent));
        }

        return ParseInlineValue(_line, indent, parentIndent);
    }

    private T Nested<T>(Func<T> parse)
    {
        if (++_depth > MaxDepth)
        {
            throw Error($"nesting deeper than {MaxDepth} levels", _line, 0);
        }

        try
        {
            return parse();
        }
        finally
        {
            _depth--;
        }
    }

    private static bool IsSequenceEntry(string text, int indent) =>
        indent < text.Length && text[indent] == '-' && (indent + 1 == text.Length || text[indent + 1] == ' ' || text[indent + 1] == '\t');

    /// <summary>
    /// Skips blank lines; true when the block at <paramref name="indent"/> ends here (end of input, a
    /// document marker, or a line indented less). A line indented more is an error.
    /// </summary>
    private bool AtBlockEnd(int indent, string block, out int current)
    {
        SkipBlankLines();
        current = 0;
        if (_line >= _lines.Length || IsMarker(_lines[_line], "---") || IsMarker(_lines[_line], "..."))
        {
            return true;
        }

        current = Indent(_line);
        if (current > indent)
        {
            throw Error($"bad indentation: this line is indented more than the {block} it belongs to", _line, current);
        }

        return current < indent;
    }

    private YamlMapping ParseMapping(int indent)
    {
        var mapping = new YamlMapping(_line, indent, Offset(_line, indent));
        while (true)
        {
            if (AtBlockEnd(indent, "mapping", out int current))
            {
                return mapping;
            }

            if (IsSequenceEntry(_lines[_line], current))
            {
                throw Error("a sequence item ('- ') is not allowed here: expected a mapping key", _line, current);
            }

            if (!TryReadKey(_line, indent, out YamlScalar? key, out int valueColumn))
            {
                throw Error("expected a mapping key ('key: value')", _line, indent);
            }

            if (mapping.ContainsKey(key!.Value))
            {
                throw Error($"duplicate key '{key.Value}'", _line, indent);
            }

            string text = _lines[_line];
            int keyLine = _line;
            YamlNode value;
            if (StripComment(text, valueColumn).Trim().Length == 0)
            {
                _line++;
                value = ParseBlockNode(indent, allowIndentlessSequence: true)
                    ?? new YamlScalar(string.Empty, YamlScalarStyle.Plain, keyLine, valueColumn, Offset(keyLine, valueColumn), 0);
            }
            else
            {
                value = ParseInlineValue(keyLine, SkipSpaces(text, valueColumn), indent);
            }

            mapping.Add(key, value);
        }
    }

    private YamlSequence ParseSequence(int indent, bool indentless)
    {
        var sequence = new YamlSequence(_line, indent, Offset(_line, indent));
        while (true)
        {
            if (AtBlockEnd(indent, "sequence", out int current))
            {
                return sequence;
            }

            string text = _lines[_line];
            if (!IsSequenceEntry(text, current))
            {
                if (indentless)
                {
                    return sequence; // the next key of the mapping that holds this sequence
                }

                throw Error("expected a sequence item ('- ')", _line, current);
            }

            // "- x" is read as "  x": the item's content then starts at its own column, as YAML defines it.
            int itemLine = _line;
            _lines[_line] = text.Substring(0, current) + " " + text.Substring(current + 1);
            YamlNode? item = ParseBlockNode(indent, allowIndentlessSequence: false);
            sequence.Add(item ?? new YamlScalar(string.Empty, YamlScalarStyle.Plain, itemLine, current, Offset(itemLine, current), 0));
        }
    }

    /// <summary>
    /// A mapping key at <paramref name="column"/>: a plain or quoted scalar followed by ':' and a space or the
    /// end of the line. False (without error) when the line holds no key.
    /// </summary>
    private bool TryReadKey(int line, int column, out YamlScalar? key, out int valueColumn)
    {
        key = null;
        valueColumn = 0;
        string text = _lines[line];
        char first = text[column];
        CheckNodeStart(text, column, line);
        if (first == '?' && (column + 1 == text.Length || text[column + 1] == ' ' || text[column + 1] == '\t'))
        {
            throw Error("complex mapping keys ('? ') are not supported", line, column);
        }

        if (first == '"' || first == '\'')
        {
            int end = column;
            string? value = TryReadQuotedOnLine(text, ref end, first == '"', line);
            if (value is null)
            {
                return false; // a quoted scalar over several lines cannot be a key
            }

            int after = SkipSpaces(text, end);
            if (after < text.Length && text[after] == ':' && (after + 1 == text.Length || text[after + 1] == ' ' || text[after + 1] == '\t'))
            {
                key = new YamlScalar(value, first == '"' ? YamlScalarStyle.DoubleQuoted : YamlScalarStyle.SingleQuoted, line, column, Offset(line, column), end - column);
                valueColumn = after + 1;
                return true;
            }

            return false;
        }

        if (first == '[' || first == '{')
        {
            int end = column;
            if (TryFindFlowEnd(text, ref end))
            {
                int after = SkipSpaces(text, end);
                if (after < text.Length && text[after] == ':')
                {
                    throw Error("complex mapping keys (a flow collection as a key) are not supported", line, column);
                }
            }

            return false;
        }

        if (first == '|' || first == '>' || first == '#')
        {
            return false;
        }

        for (int i = column; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '#' && i > column && (text[i - 1] == ' ' || text[i - 1] == '\t'))
            {
                return false;
            }

            if (c == ':' && (i + 1 == text.Length || text[i + 1] == ' ' || text[i + 1] == '\t'))
            {
                string value = text.Substring(column, i - column).TrimEnd(' ', '\t');
                if (value.Length == 0)
                {
                    throw Error("empty mapping key", line, column);
                }

                key = new YamlScalar(value, YamlScalarStyle.Plain, line, column, Offset(line, column), value.Length);
                valueColumn = i + 1;
                return true;
            }
        }

        return false;
    }

    /// <summary>Rejects what this reader does not support where a node starts: anchors, aliases, tags, reserved indicators.</summary>
    private void CheckNodeStart(string text, int column, int line)
    {
        switch (text[column])
        {
            case '&':
                throw Error("anchors ('&') are not supported", line, column);
            case '*':
                throw Error("aliases ('*') are not supported", line, column);
            case '!':
                throw Error("tags ('!') are not supported", line, column);
            case '@':
            case '`':
                throw Error($"'{text[column]}' is reserved and cannot start a plain scalar", line, column);
            case '%':
                throw Error("'%' cannot start a plain scalar", line, column);
        }
    }

    /// <summary>A value that starts on a line (after 'key: ', after '- ', or alone): a scalar or a flow collection.</summary>
    private YamlNode ParseInlineValue(int line, int column, int parentIndent)
    {
        string text = _lines[line];
        char first = text[column];
        CheckNodeStart(text, column, line);
        if ((first == '-' || first == '?' || first == ':') && (column + 1 == text.Length || text[column + 1] == ' ' || text[column + 1] == '\t'))
        {
            throw Error(first == '-'
                ? "a block sequence cannot start on the same line as its key"
                : first == '?' ? "complex mapping keys ('? ') are not supported" : "unexpected ':'", line, column);
        }

        if (first == '|' || first == '>')
        {
            return ParseBlockScalar(line, column, parentIndent);
        }

        if (first == '"' || first == '\'')
        {
            YamlScalar quoted = ParseQuoted(line, column, first == '"');
            int endLine = _line;
            int after = _quotedEndColumn;
            string rest = StripComment(_lines[endLine], after).Trim();
            if (rest.Length > 0)
            {
                throw Error(rest.StartsWith(":", StringComparison.Ordinal)
                    ? "a mapping cannot start on the same line as its key"
                    : "unexpected content after a quoted scalar", endLine, after);
            }

            _line = endLine + 1;
            return quoted;
        }

        if (first == '[' || first == '{')
        {
            int position = column;
            YamlNode flow = ParseFlowNode(text, ref position, line, 0);
            string rest = StripComment(text, position).Trim();
            if (rest.Length > 0)
            {
                throw Error(rest.StartsWith(":", StringComparison.Ordinal)
                    ? "complex mapping keys (a flow collection as a key) are not supported"
                    : "unexpected content after a flow collection", line, position);
            }

            _line = line + 1;
            return flow;
        }

        return ParsePlain(line, column, parentIndent);
    }

    /// <summary>A plain scalar in block context, folded over continuation lines indented more than the parent.</summary>
    private YamlScalar ParsePlain(int line, int column, int parentIndent)
    {
        string text = _lines[line];
        string first = PlainSegment(text, column, line, out bool commentEnded);
        var value = new StringBuilder(first);
        int next = line + 1;
        _line = next;
        if (commentEnded)
        {
            return new YamlScalar(first, YamlScalarStyle.Plain, line, column, Offset(line, column), first.Length);
        }

        int emptyLines = 0;
        while (next < _lines.Length)
        {
            string candidate = _lines[next];
            if (candidate.Trim().Length == 0)
            {
                emptyLines++;
                next++;
                continue;
            }

            if (IsBlank(candidate) || IsMarker(candidate, "---") || IsMarker(candidate, "..."))
            {
                break; // a comment line ends a plain scalar
            }

            int indent = Indent(next);
            if (indent <= parentIndent)
            {
                break;
            }

            string segment = PlainSegment(candidate, indent, next, out commentEnded);
            value.Append(emptyLines == 0 ? " " : new string('\n', emptyLines));
            value.Append(segment);
            emptyLines = 0;
            next++;
            _line = next;
            if (commentEnded)
            {
                break;
            }
        }

        return new YamlScalar(value.ToString(), YamlScalarStyle.Plain, line, column, Offset(line, column), first.Length);
    }

    /// <summary>The plain text of one line from <paramref name="column"/>, without a trailing comment.</summary>
    private string PlainSegment(string text, int column, int line, out bool commentEnded)
    {
        commentEnded = false;
        int end = text.Length;
        for (int i = column; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '#' && i > column && (text[i - 1] == ' ' || text[i - 1] == '\t'))
            {
                end = i;
                commentEnded = true;
                break;
            }

            if (c == ':' && (i + 1 == text.Length || text[i + 1] == ' ' || text[i + 1] == '\t'))
            {
                throw Error("a mapping value is not allowed here (quote the scalar if it contains ': ')", line, i);
            }
        }

        return text.Substring(column, end - column).Trim(' ', '\t');
    }

    private int _quotedEndColumn;

    /// <summary>A quoted scalar, possibly folded over several lines; leaves <see cref="_line"/> on its last line.</summary>
    private YamlScalar ParseQuoted(int line, int column, bool isDouble)
    {
        var value = new StringBuilder();
        int current = line;
        int i = column + 1;
        string text = _lines[current];
        while (true)
        {
            if (i >= text.Length)
            {
                // Line folding: trailing spaces dropped, then one space, or a newline per empty line.
                TrimTrailingSpaces(value);
                int empty = 0;
                current++;
                while (current < _lines.Length && _lines[current].Trim().Length == 0)
                {
                    empty++;
                    current++;
                }

                if (current >= _lines.Length)
                {
                    throw Error("unterminated quoted scalar", line, column);
                }

                text = _lines[current];
                if (IsMarker(text, "---") || IsMarker(text, "..."))
                {
                    throw Error("unterminated quoted scalar (a document marker inside it)", line, column);
                }

                value.Append(empty == 0 ? " " : new string('\n', empty));
                i = SkipSpaces(text, 0);
                continue;
            }

            char c = text[i];
            if (!isDouble && c == '\'')
            {
                if (i + 1 < text.Length && text[i + 1] == '\'')
                {
                    value.Append('\'');
                    i += 2;
                    continue;
                }

                i++;
                break;
            }

            if (isDouble && c == '"')
            {
                i++;
                break;
            }

            if (isDouble && c == '\\')
            {
                if (i + 1 >= text.Length)
                {
                    // An escaped line break: the lines join without a space.
                    current++;
                    if (current >= _lines.Length)
                    {
                        throw Error("unterminated quoted scalar", line, column);
                    }

                    text = _lines[current];
                    i = SkipSpaces(text, 0);
                    continue;
                }

                i = Escape(text, i, value, current);
                continue;
            }

            value.Append(c);
            i++;
        }

        _line = current;
        _quotedEndColumn = i;
        int length = current == line ? i - column : _lines[line].Length - column;
        return new YamlScalar(value.ToString(), isDouble ? YamlScalarStyle.DoubleQuoted : YamlScalarStyle.SingleQuoted, line, column, Offset(line, column), length);
    }

    private static void TrimTrailingSpaces(StringBuilder value)
    {
        while (value.Length > 0 && (value[value.Length - 1] == ' ' || value[value.Length - 1] == '\t'))
        {
            value.Length--;
        }
    }

    /// <summary>A quoted scalar that must end on its line (keys, flow collections); null if it does not.</summary>
    private string? TryReadQuotedOnLine(string text, ref int position, bool isDouble, int line)
    {
        var value = new StringBuilder();
        int i = position + 1;
        while (i < text.Length)
        {
            char c = text[i];
            if (!isDouble && c == '\'')
            {
                if (i + 1 < text.Length && text[i + 1] == '\'')
                {
                    value.Append('\'');
                    i += 2;
                    continue;
                }

                position = i + 1;
                return value.ToString();
            }

            if (isDouble && c == '"')
            {
                position = i + 1;
                return value.ToString();
            }

            if (isDouble && c == '\\' && i + 1 < text.Length)
            {
                i = Escape(text, i, value, line);
                continue;
            }

            value.Append(c);
            i++;
        }

        return null;
    }

    /// <summary>Decodes the escape at <paramref name="i"/> (a backslash) and returns the index after it.</summary>
    private int Escape(string text, int i, StringBuilder value, int line)
    {
        char e = text[i + 1];
        switch (e)
        {
            case '0': value.Append('\0'); return i + 2;
            case 'a': value.Append('\a'); return i + 2;
            case 'b': value.Append('\b'); return i + 2;
            case 't': case '\t': value.Append('\t'); return i + 2;
            case 'n': value.Append('\n'); return i + 2;
            case 'v': value.Append('\v'); return i + 2;
            case 'f': value.Append('\f'); return i + 2;
            case 'r': value.Append('\r'); return i + 2;
            case 'e': value.Append('\u001B'); return i + 2;
            case ' ': value.Append(' '); return i + 2;
            case '"': value.Append('"'); return i + 2;
            case '/': value.Append('/'); return i + 2;
            case '\\': value.Append('\\'); return i + 2;
            case 'N': value.Append('\u0085'); return i + 2;
            case '_': value.Append('\u00A0'); return i + 2;
            case 'L': value.Append('\u2028'); return i + 2;
            case 'P': value.Append('\u2029'); return i + 2;
            case 'x': return Hex(text, i, 2, value, line);
            case 'u': return Hex(text, i, 4, value, line);
            case 'U': return Hex(text, i, 8, value, line);
            default:
                throw Error($"unknown escape '\\{e}' in a double-quoted scalar", line, i);
        }
    }

    private int Hex(string text, int i, int digits, StringBuilder value, int line)
    {
        if (i + 2 + digits > text.Length
            || !int.TryParse(text.Substring(i + 2, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code)
            || code < 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        {
            throw Error($"invalid escape '\\{text[i + 1]}': expected {digits} hexadecimal digits of a code point", line, i);
        }

        value.Append(char.ConvertFromUtf32(code));
        return i + 2 + digits;
    }

    /// <summary>A <c>|</c> or <c>&gt;</c> scalar: header on this line, content on the lines below.</summary>
    private YamlScalar ParseBlockScalar(int line, int column, int parentIndent)
    {
        string header = _lines[line];
        bool literal = header[column] == '|';
        char chomping = ' ';
        int explicitIndent = 0;
        int i = column + 1;
        for (int n = 0; n < 2 && i < header.Length; n++, i++)
        {
            char c = header[i];
            if ((c == '-' || c == '+') && chomping == ' ')
            {
                chomping = c;
            }
            else if (c >= '1' && c <= '9' && explicitIndent == 0)
            {
                explicitIndent = c - '0';
            }
            else
            {
                break;
            }
        }

        if (i < header.Length && header[i] != ' ' && header[i] != '\t')
        {
            throw Error("invalid block scalar header (expected '|' or '>', then '-', '+' or an indentation digit)", line, i);
        }

        if (StripComment(header, i).Trim().Length > 0)
        {
            throw Error("unexpected content after a block scalar header", line, SkipSpaces(header, i));
        }

        int baseIndent = Math.Max(parentIndent, 0);
        int contentIndent = explicitIndent > 0 ? baseIndent + explicitIndent : -1;
        int next = line + 1;
        if (contentIndent < 0)
        {
            int maxEmptyIndent = 0;
            for (int k = next; k < _lines.Length; k++)
            {
                string candidate = _lines[k];
                if (candidate.Trim().Length == 0)
                {
                    maxEmptyIndent = Math.Max(maxEmptyIndent, candidate.Length);
                    continue;
                }

                int indent = Indent(k);
                contentIndent = indent;
                if (indent > parentIndent && maxEmptyIndent > indent)
                {
                    throw Error("a leading empty line of a block scalar has more spaces than its first content line", k, 0);
                }

                break;
            }

            if (contentIndent <= parentIndent)
            {
                contentIndent = parentIndent + 1; // no content: only empty lines (if any) belong to the scalar
            }
        }

        var content = new List<string>();
        while (next < _lines.Length)
        {
            string candidate = _lines[next];
            if (candidate.Trim().Length == 0 && candidate.Length <= contentIndent)
            {
                content.Add(string.Empty);
                next++;
                continue;
            }

            int spaces = 0;
            while (spaces < candidate.Length && candidate[spaces] == ' ')
            {
                spaces++;
            }

            if (spaces < contentIndent || (contentIndent == 0 && (IsMarker(candidate, "---") || IsMarker(candidate, "..."))))
            {
                if (candidate.Trim().Length == 0)
                {
                    content.Add(string.Empty);
                    next++;
                    continue;
                }

                break;
            }

            content.Add(candidate.Substring(contentIndent));
            next++;
        }

        // Empty lines at the end belong to the scalar only as far as chomping keeps them; the reader goes on
        // from the first of them either way (they are blank to the parent).
        int trailing = 0;
        while (trailing < content.Count && content[content.Count - 1 - trailing].Length == 0)
        {
            trailing++;
        }

        int bodyCount = content.Count - trailing;
        var value = new StringBuilder();
        if (literal)
        {
            for (int k = 0; k < bodyCount; k++)
            {
                if (k > 0)
                {
                    value.Append('\n');
                }

                value.Append(content[k]);
            }
        }
        else
        {
            Fold(content, bodyCount, value);
        }

        if (bodyCount > 0 && chomping != '-')
        {
            value.Append('\n');
        }

        if (chomping == '+')
        {
            value.Append('\n', trailing);
        }

        _line = next - trailing;
        return new YamlScalar(value.ToString(), literal ? YamlScalarStyle.Literal : YamlScalarStyle.Folded, line, column, Offset(line, column), header.Length - column);
    }

    /// <summary>Folded content: lines at the content indentation join with a space; empty lines and more-indented lines keep breaks.</summary>
    private static void Fold(List<string> content, int count, StringBuilder value)
    {
        bool hasPrevious = false;
        bool previousMore = false;
        int empty = 0;
        for (int k = 0; k < count; k++)
        {
            string text = content[k];
            if (text.Length == 0)
            {
                empty++;
                continue;
            }

            bool more = text[0] == ' ' || text[0] == '\t';
            if (!hasPrevious)
            {
                value.Append('\n', empty);
            }
            else if (!previousMore && !more)
            {
                if (empty == 0)
                {
                    value.Append(' ');
                }
                else
                {
                    value.Append('\n', empty);
                }
            }
            else
            {
                value.Append('\n', empty + 1);
            }

            value.Append(text);
            hasPrevious = true;
            previousMore = more;
            empty = 0;
        }
    }

    /// <summary>A flow node (collection or scalar) that must be complete on <paramref name="text"/>.</summary>
    private YamlNode ParseFlowNode(string text, ref int position, int line, int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error($"nesting deeper than {MaxDepth} levels", line, position);
        }

        position = SkipSpaces(text, position);
        if (position >= text.Length)
        {
            throw Error("flow collections must be closed on the line they start", line, position);
        }

        CheckNodeStart(text, position, line);
        char c = text[position];
        int start = position;
        if (c == '[')
        {
            var sequence = new YamlSequence(line, start, Offset(line, start));
            position++;
            while (true)
            {
                position = SkipSpaces(text, position);
                if (position >= text.Length || text[position] == '#')
                {
                    throw Error("flow collections must be closed on the line they start", line, start);
                }

                if (text[position] == ']')
                {
                    position++;
                    return sequence;
                }

                YamlNode item = ParseFlowNode(text, ref position, line, depth + 1);
                position = SkipSpaces(text, position);
                if (position < text.Length && text[position] == ':')
                {
                    throw Error("a 'key: value' pair inside a flow sequence is not supported", line, position);
                }

                sequence.Add(item);
                if (!FlowSeparator(text, ref position, ']', line, start))
                {
                    return sequence;
                }
            }
        }

        if (c == '{')
        {
            var mapping = new YamlMapping(line, start, Offset(line, start));
            position++;
            while (true)
            {
                position = SkipSpaces(text, position);
                if (position >= text.Length || text[position] == '#')
                {
                    throw Error("flow collections must be closed on the line they start", line, start);
                }

                if (text[position] == '}')
                {
                    position++;
                    return mapping;
                }

                if (text[position] == '[' || text[position] == '{')
                {
                    throw Error("complex mapping keys (a flow collection as a key) are not supported", line, position);
                }

                YamlNode keyNode = ParseFlowNode(text, ref position, line, depth + 1);
                var key = (YamlScalar)keyNode;
                if (mapping.ContainsKey(key.Value))
                {
                    throw Error($"duplicate key '{key.Value}'", line, key.Column);
                }

                position = SkipSpaces(text, position);
                YamlNode value;
                if (position < text.Length && text[position] == ':')
                {
                    position++;
                    int after = SkipSpaces(text, position);
                    value = after < text.Length && text[after] != ',' && text[after] != '}'
                        ? ParseFlowNode(text, ref position, line, depth + 1)
                        : new YamlScalar(string.Empty, YamlScalarStyle.Plain, line, after, Offset(line, after), 0);
                }
                else
                {
                    value = new YamlScalar(string.Empty, YamlScalarStyle.Plain, line, position, Offset(line, position), 0);
                }

                mapping.Add(key, value);
                if (!FlowSeparator(text, ref position, '}', line, start))
                {
                    return mapping;
                }
            }
        }

        if (c == '"' || c == '\'')
        {
            string? value = TryReadQuotedOnLine(text, ref position, c == '"', line);
            if (value is null)
            {
                throw Error("flow collections must be closed on the line they start", line, start);
            }

            return new YamlScalar(value, c == '"' ? YamlScalarStyle.DoubleQuoted : YamlScalarStyle.SingleQuoted, line, start, Offset(line, start), position - start);
        }

        if (c == ']' || c == '}' || c == ',')
        {
            throw Error($"unexpected '{c}'", line, position);
        }

        if ((c == '-' || c == '?' || c == ':') && (position + 1 >= text.Length || " \t,[]{}".IndexOf(text[position + 1]) >= 0))
        {
            throw Error($"unexpected '{c}' in a flow collection", line, position);
        }

        // A plain scalar in flow context ends at ',', brackets, braces, ': ' or a comment.
        int end = position;
        while (end < text.Length)
        {
            char d = text[end];
            if (d == ',' || d == '[' || d == ']' || d == '{' || d == '}')
            {
                break;
            }

            if (d == ':' && (end + 1 == text.Length || " \t,[]{}".IndexOf(text[end + 1]) >= 0))
            {
                break;
            }

            if (d == '#' && end > position && (text[end - 1] == ' ' || text[end - 1] == '\t'))
            {
                break;
            }

            end++;
        }

        string plain = text.Substring(position, end - position).TrimEnd(' ', '\t');
        position = end;
        return new YamlScalar(plain, YamlScalarStyle.Plain, line, start, Offset(line, start), plain.Length);
    }

    /// <summary>After a flow item: true at ',' (more may follow), false at the closing bracket.</summary>
    private bool FlowSeparator(string text, ref int position, char close, int line, int start)
    {
        position = SkipSpaces(text, position);
        if (position >= text.Length || text[position] == '#')
        {
            throw Error("flow collections must be closed on the line they start", line, start);
        }

        if (text[position] == ',')
        {
            position++;
            return true;
        }

        if (text[position] == close)
        {
            position++;
            return false;
        }

        throw Error($"expected ',' or '{close}'", line, position);
    }

    /// <summary>Finds the end of a flow collection on one line, respecting quotes; false if it does not close.</summary>
    private static bool TryFindFlowEnd(string text, ref int position)
    {
        int depth = 0;
        for (int i = position; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '"' || c == '\'')
            {
                int close = text.IndexOf(c, i + 1);
                if (close < 0)
                {
                    return false;
                }

                i = close;
            }
            else if (c == '[' || c == '{')
            {
                depth++;
            }
            else if (c == ']' || c == '}')
            {
                depth--;
                if (depth == 0)
                {
                    position = i + 1;
                    return true;
                }
            }
        }

        return false;
    }

    private static int SkipSpaces(string text, int position)
    {
        while (position < text.Length && (text[position] == ' ' || text[position] == '\t'))
        {
            position++;
        }

        return position;
    }

    /// <summary>The line from <paramref name="column"/> up to a comment (a '#' after a space, or first).</summary>
    private static string StripComment(string text, int column)
    {
        for (int i = column; i < text.Length; i++)
        {
            if (text[i] == '#' && (i == column || text[i - 1] == ' ' || text[i - 1] == '\t'))
            {
                return text.Substring(column, i - column);
            }
        }

        return column >= text.Length ? string.Empty : text.Substring(column);
    }

    private int Offset(int line, int column) => line < _lineStarts.Length ? _lineStarts[line] + column : _lineStarts[_lineStarts.Length - 1];

    private YamlSyntaxException Error(string reason, int line, int column) => new(reason, line, column, Offset(line, column));
}
