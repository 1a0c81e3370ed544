using ActorChat.Messages;

namespace ActorChat.Server.Transport;

/// <summary>
/// Flood control of one connection: a budget in frames and one in bytes. A frame over budget is not refused;
/// the connection stops reading until the budget has refilled, so a flooder is slowed down and loses nothing
/// (TCP's own flow control pushes back on it). Pings, pongs and quit cost no frame, only their bytes.
/// </summary>
public sealed class FloodGate
{
    private readonly TokenBucket _frames;
    private readonly TokenBucket _bytes;

    public FloodGate(FloodSettings settings, long nowTicks)
    {
        var off = settings.FramesPerSecond <= 0;
        _frames = new TokenBucket(off ? 0 : settings.FramesPerSecond, settings.FrameBurst, nowTicks);
        _bytes = new TokenBucket(off ? 0 : settings.BytesPerSecond, settings.ByteBurst, nowTicks);
    }

    public bool Off => _frames.Unlimited;

    /// <summary>Charges the frame if the budget allows it now; otherwise how long to wait before trying again.</summary>
    public bool TryAdmit(ClientFrame? frame, int bytes, long nowTicks, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        if (Off) return true;
        var frameCost = CostsAFrame(frame) ? 1 : 0;
        var frameWait = _frames.TimeUntil(frameCost, nowTicks);
        var byteWait = _bytes.TimeUntil(bytes, nowTicks);
        if (frameWait > TimeSpan.Zero || byteWait > TimeSpan.Zero)
        {
            wait = frameWait > byteWait ? frameWait : byteWait;
            return false;
        }
        if (_frames.TryTake(frameCost, nowTicks) && _bytes.TryTake(bytes, nowTicks)) return true;
        wait = TimeSpan.FromMilliseconds(1); // not reached: TimeUntil said both budgets suffice
        return false;
    }

    /// <summary>Frames that cost the server work count; the keep-alive and goodbye frames do not.</summary>
    private static bool CostsAFrame(ClientFrame? frame) => frame is not (PingRequest or PongRequest or QuitRequest);
}

/// <summary>
/// Flood control per connection: <see cref="FramesPerSecond"/> sustained with bursts of <see cref="FrameBurst"/>,
/// and <see cref="BytesPerSecond"/> of input with bursts of <see cref="ByteBurst"/>. A frame rate of 0 turns flood
/// control off (benchmarks only).
/// </summary>
public sealed record FloodSettings(double FramesPerSecond, int FrameBurst, long BytesPerSecond, long ByteBurst)
{
    public static readonly FloodSettings Default = new(10, 20, 64 * 1024, 256 * 1024);

    public static readonly FloodSettings Off = new(0, 1, 0, 1);
}
