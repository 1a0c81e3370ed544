namespace ActorChat.Messages;

/// <summary>Why a frame could not be read, as the error frame the peer should get; <see cref="Ref"/> is the frame's own, when it could be read.</summary>
public sealed record ProtocolError(string Code, string Message, string? Ref = null)
{
    public ErrorFrame ToFrame() => new(Code, Message) { Ref = Ref };
}

/// <summary>Either a frame or the reason there is none.</summary>
public readonly record struct DecodeResult<TFrame>(TFrame? Frame, ProtocolError? Error) where TFrame : class
{
    public bool IsSuccess => Frame is not null;
    public static DecodeResult<TFrame> Ok(TFrame frame) => new(frame, null);
    public static DecodeResult<TFrame> Fail(string code, string message, string? reference = null) =>
        new(null, new ProtocolError(code, message, reference));
}
