using System.Buffers;

namespace ActorChat.Server.Transport;

/// <summary>
/// The frames waiting for a client while a write is in flight, bounded in bytes. When the write completes, all
/// that queued meanwhile goes out as one buffer (one socket write). A queue that would pass its limit refuses the
/// frame: the client is not reading, and the transport cuts it off instead of buffering without end.
/// </summary>
public sealed class OutboundQueue
{
    private readonly long _limitBytes;
    private readonly Queue<byte[]> _lines = new();
    private byte[]? _rented;

    public OutboundQueue(long limitBytes)
    {
        if (limitBytes < 1) throw new ArgumentOutOfRangeException(nameof(limitBytes));
        _limitBytes = limitBytes;
    }

    /// <summary>Bytes queued behind the write in flight.</summary>
    public long QueuedBytes { get; private set; }

    public int QueuedFrames => _lines.Count;

    public bool WriteInFlight { get; private set; }

    /// <summary>
    /// Queues a line; false when that would pass the limit. The limit bounds the backlog behind the frame that
    /// goes out next, so a single large frame (a join with a long history) never makes a client look slow.
    /// </summary>
    public bool TryEnqueue(byte[] line)
    {
        var backlog = _lines.Count == 0 ? 0 : QueuedBytes - _lines.Peek().Length;
        if (_lines.Count > 0 && backlog + line.Length > _limitBytes) return false;
        _lines.Enqueue(line);
        QueuedBytes += line.Length;
        return true;
    }

    /// <summary>Queues a line whatever the limit: the last words before a close.</summary>
    public void EnqueueFinal(byte[] line)
    {
        _lines.Enqueue(line);
        QueuedBytes += line.Length;
    }

    /// <summary>
    /// When no write is in flight and frames are queued: takes them all as one buffer and marks a write in flight
    /// until <see cref="WriteCompleted"/>. Otherwise an empty segment.
    /// </summary>
    public ArraySegment<byte> TakeNextWrite()
    {
        if (WriteInFlight || _lines.Count == 0) return ArraySegment<byte>.Empty;
        WriteInFlight = true;
        if (_lines.Count == 1)
        {
            QueuedBytes = 0;
            return _lines.Dequeue();
        }

        // Coalesce into a pooled buffer; it goes back to the pool once the kernel has taken the bytes.
        var total = (int)QueuedBytes;
        _rented = ArrayPool<byte>.Shared.Rent(total);
        var offset = 0;
        while (_lines.TryDequeue(out var line))
        {
            line.CopyTo(_rented, offset);
            offset += line.Length;
        }
        QueuedBytes = 0;
        return new ArraySegment<byte>(_rented, 0, total);
    }

    public void WriteCompleted()
    {
        WriteInFlight = false;
        ReturnBuffer();
    }

    /// <summary>Drops everything queued (the client is being cut off).</summary>
    public void Clear()
    {
        _lines.Clear();
        QueuedBytes = 0;
    }

    /// <summary>Gives the coalescing buffer back; call when the connection is gone.</summary>
    public void Release()
    {
        Clear();
        if (!WriteInFlight) ReturnBuffer();
        // A buffer still in flight when the connection dies is left to the GC: the socket may still read it.
        _rented = null;
    }

    private void ReturnBuffer()
    {
        if (_rented is null) return;
        ArrayPool<byte>.Shared.Return(_rented);
        _rented = null;
    }
}
