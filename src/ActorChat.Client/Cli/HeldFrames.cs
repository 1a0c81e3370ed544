using ActorChat.Messages;

namespace ActorChat.Client.Cli;

/// <summary>
/// Frames for lines typed while there is no connection, oldest first, at most <see cref="Capacity"/>: they are sent
/// once the client has reconnected and rejoined its rooms, in the order typed and once each.
/// </summary>
public sealed class HeldFrames
{
    public const int DefaultCapacity = 100;
    private readonly Queue<(ClientFrame Frame, PendingRequest Request)> _frames = new();

    public HeldFrames(int capacity = DefaultCapacity) => Capacity = capacity;

    public int Capacity { get; }

    public int Count => _frames.Count;

    public bool IsFull => _frames.Count >= Capacity;

    /// <summary>Keeps the frame; false when <see cref="Capacity"/> frames are waiting already (it is not kept).</summary>
    public bool TryHold(ClientFrame frame, PendingRequest request)
    {
        if (IsFull) return false;
        _frames.Enqueue((frame, request));
        return true;
    }

    /// <summary>Every frame waiting, oldest first; none are kept after this.</summary>
    public IReadOnlyList<(ClientFrame Frame, PendingRequest Request)> TakeAll()
    {
        var all = _frames.ToList();
        _frames.Clear();
        return all;
    }
}
