namespace MeshDns.Sources.Kubernetes;

/// <summary>What <see cref="NdjsonReader.ReadLineAsync"/> found.</summary>
internal enum NdjsonRead
{
    /// <summary>A complete line (without its newline).</summary>
    Line,

    /// <summary>A line longer than the bound; its bytes were read and dropped, up to and including its newline.</summary>
    Oversized,

    /// <summary>The stream ended.</summary>
    End,
}

/// <summary>
/// Reads newline-delimited JSON (a watch stream) one line at a time, with a bound on the line length so
/// a broken or hostile server cannot make it buffer without end. A longer line is skipped, not fatal: the
/// stream stays usable for the lines after it.
/// </summary>
internal sealed class NdjsonReader(Stream stream, int maxLineBytes)
{
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>The next non-empty line (Line is set only for <see cref="NdjsonRead.Line"/>).</summary>
    public async ValueTask<(NdjsonRead Kind, ReadOnlyMemory<byte> Line)> ReadLineAsync(CancellationToken cancellationToken)
    {
        int searched = 0; // octets after _start already known to hold no newline
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start + searched, _end - _start - searched);
            if (newline >= 0)
            {
                var line = new ReadOnlyMemory<byte>(_buffer, _start, newline - _start);
                _start = newline + 1;
                searched = 0;
                if (line.Length == 0 || (line.Length == 1 && line.Span[0] == '\r'))
                {
                    continue;
                }

                return (NdjsonRead.Line, line);
            }

            searched = _end - _start;
            if (searched >= maxLineBytes)
            {
                return (await SkipLineAsync(cancellationToken).ConfigureAwait(false), default);
            }

            Compact();
            int read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return (NdjsonRead.End, default);
            }

            _end += read;
        }
    }

    /// <summary>Drops the rest of an oversized line, keeping what follows its newline.</summary>
    private async ValueTask<NdjsonRead> SkipLineAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = 0;
        while (true)
        {
            int read = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return NdjsonRead.Oversized; // the next call reports the end
            }

            int newline = Array.IndexOf(_buffer, (byte)'\n', 0, read);
            if (newline >= 0)
            {
                _start = newline + 1;
                _end = read;
                return NdjsonRead.Oversized;
            }
        }
    }

    private void Compact()
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, maxLineBytes + 1));
        }
    }
}
