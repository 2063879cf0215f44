namespace MeshDns.Sources.Kubernetes;

/// <summary>
/// Reads newline-delimited JSON (a watch stream) one line at a time, with a bound on the line length so
/// a broken or hostile server cannot make it buffer without end.
/// </summary>
internal sealed class NdjsonReader(Stream stream, int maxLineBytes)
{
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>The next non-empty line without its newline, or null at the end of the stream.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken cancellationToken)
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

                return line;
            }

            searched = _end - _start;
            if (searched >= maxLineBytes)
            {
                throw new InvalidDataException($"a watch event is longer than {maxLineBytes} bytes");
            }

            Compact();
            int read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            _end += read;
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
