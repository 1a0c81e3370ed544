namespace ActorChat.Server.Transport;

/// <summary>
/// What waits for one client: one write in flight and the chunks (encoded lines) queued behind it. When the write
/// completes, everything queued meanwhile goes out as the next write, one socket write for many frames. The queue
/// itself refuses nothing: the connection core reads <see cref="PendingBytes"/> to apply the slow-consumer rule.
/// The chunks are the very arrays rooms share among their members; nothing is copied per member.
/// </summary>
public sealed class OutboundQueue
{
    private readonly Queue<byte[]> _chunks = new();
    private List<byte[]> _inFlight = [];
    private List<byte[]> _spare = [];

    /// <summary>Bytes queued behind the write in flight.</summary>
    public long QueuedBytes { get; private set; }

    /// <summary>Bytes of the write in flight, handed to the transport and not yet confirmed written.</summary>
    public long InFlightBytes { get; private set; }

    /// <summary>Everything the client has not taken yet: in flight and queued.</summary>
    public long PendingBytes => QueuedBytes + InFlightBytes;

    public bool WriteInFlight { get; private set; }

    public void Enqueue(byte[] chunk)
    {
        _chunks.Enqueue(chunk);
        QueuedBytes += chunk.Length;
    }

    /// <summary>
    /// When no write is in flight and chunks are queued: takes them all, in order, and marks a write in flight until
    /// <see cref="WriteCompleted"/>. Otherwise an empty list. The list stays valid until the write completes.
    /// </summary>
    public IReadOnlyList<byte[]> TakeNextWrite()
    {
        if (WriteInFlight || _chunks.Count == 0) return [];
        WriteInFlight = true;
        (_inFlight, _spare) = (_spare, _inFlight);
        _inFlight.Clear();
        while (_chunks.TryDequeue(out var chunk)) _inFlight.Add(chunk);
        InFlightBytes = QueuedBytes;
        QueuedBytes = 0;
        return _inFlight;
    }

    public void WriteCompleted()
    {
        WriteInFlight = false;
        InFlightBytes = 0;
        _inFlight.Clear();
    }

    /// <summary>Drops everything queued behind the write in flight (the client is being cut off).</summary>
    public void Clear()
    {
        _chunks.Clear();
        QueuedBytes = 0;
    }
}
