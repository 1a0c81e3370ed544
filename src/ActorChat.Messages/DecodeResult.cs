namespace ActorChat.Messages;

/// <summary>Why a frame could not be read, as the error frame the peer should get.</summary>
public sealed record ProtocolError(string Code, string Message)
{
    public ErrorFrame ToFrame() => new(Code, Message);
}

/// <summary>Either a frame or the reason there is none.</summary>
public readonly record struct DecodeResult<TFrame>(TFrame? Frame, ProtocolError? Error) where TFrame : class
{
    public bool IsSuccess => Frame is not null;
    public static DecodeResult<TFrame> Ok(TFrame frame) => new(frame, null);
    public static DecodeResult<TFrame> Fail(string code, string message) => new(null, new ProtocolError(code, message));
}
