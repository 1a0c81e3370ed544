namespace ActorChat.Messages;

/// <summary>
/// Cuts a byte stream into lines ended by '\n' (a '\r' before it is dropped). Bytes arrive in chunks of any
/// size; a line is handed out once complete. A line longer than the limit makes the framer overflow for good:
/// the peer broke the protocol and the connection is to be closed.
/// </summary>
public sealed class LineFramer
{
    private readonly int _maxLineBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _scanned;

    public LineFramer(int maxLineBytes, int initialCapacity = 4096)
    {
        if (maxLineBytes < 1) throw new ArgumentOutOfRangeException(nameof(maxLineBytes));
        _maxLineBytes = maxLineBytes;
        _buffer = new byte[Math.Min(initialCapacity, maxLineBytes + 2)];
    }

    /// <summary>True once a line longer than the limit was seen; no more lines come out.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Bytes held that do not yet form a whole line.</summary>
    public int Buffered => _end - _start;

    public void Append(ReadOnlySpan<byte> chunk)
    {
        if (Overflowed || chunk.IsEmpty) return;
        if (_end + chunk.Length > _buffer.Length)
        {
            var held = _end - _start;
            var needed = held + chunk.Length;
            if (needed > _buffer.Length)
            {
                // Never grow far beyond the limit: what does not fit in limit + terminator is already an overflow.
                var capacity = Math.Max(needed, Math.Min(_buffer.Length * 2, _maxLineBytes + 2));
                var grown = new byte[capacity];
                _buffer.AsSpan(_start, held).CopyTo(grown);
                _buffer = grown;
            }
            else
            {
                _buffer.AsSpan(_start, held).CopyTo(_buffer);
            }
            _scanned -= _start;
            _start = 0;
            _end = held;
        }
        chunk.CopyTo(_buffer.AsSpan(_end));
        _end += chunk.Length;
    }

    /// <summary>
    /// The next complete line, without its terminator; valid until the next call to <see cref="Append"/>.
    /// False when no whole line is buffered, or when the framer overflowed.
    /// </summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        line = default;
        if (Overflowed) return false;
        var pending = _buffer.AsSpan(_scanned, _end - _scanned);
        var newline = pending.IndexOf((byte)'\n');
        if (newline < 0)
        {
            _scanned = _end;
            if (_end - _start > _maxLineBytes + 1) Overflowed = true; // +1: room for a '\r' still waiting for its '\n'
            return false;
        }

        var lineEnd = _scanned + newline;
        var length = lineEnd - _start;
        if (length > 0 && _buffer[lineEnd - 1] == (byte)'\r') length--;
        if (length > _maxLineBytes)
        {
            Overflowed = true;
            return false;
        }
        line = _buffer.AsSpan(_start, length);
        _start = lineEnd + 1;
        _scanned = _start;
        if (_start == _end) _start = _end = _scanned = 0;
        return true;
    }
}
