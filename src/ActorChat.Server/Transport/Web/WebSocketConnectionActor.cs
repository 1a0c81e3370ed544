using System.Buffers;
using System.Net.WebSockets;
using ActorChat.Messages;
using Akka.Actor;
using Akka.Event;

namespace ActorChat.Server.Transport.Web;

/// <summary>
/// One browser (or any WebSocket client): the WebSocket wire of a <see cref="ConnectionCore"/>. Each text message
/// is one JSON frame; frames go back one per text message. One receive and one send in flight at a time, piped
/// back to the actor as they complete; the next message is read only when the core asks, so a client that floods
/// the server is read no faster than its frames are handled.
/// </summary>
public sealed class WebSocketConnectionActor : UntypedActor, IConnectionWire, IWithTimers
{
    private const int ReceiveChunkBytes = 4096;

    private sealed record ReadCompleted(int Count, WebSocketMessageType Type, bool EndOfMessage);

    private sealed record ReadFailed(Exception Cause);

    private sealed class WriteCompleted
    {
        public static readonly WriteCompleted Instance = new();
    }

    private sealed record WriteFailed(Exception Cause);

    private sealed class PeerCloseAnswered
    {
        public static readonly PeerCloseAnswered Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly WebSocket _socket;
    private readonly string _remote;
    private readonly Sessions.SessionServices _services;
    private readonly TaskCompletionSource _finished;
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _chunk = new byte[ReceiveChunkBytes];
    private readonly ArrayBufferWriter<byte> _message = new(ReceiveChunkBytes);
    private ConnectionCore _core = null!;
    private bool _messageIsBinary;
    private bool _discardingMessage;
    private bool _closeSent;
    private bool _receiving;

    /// <param name="finished">Completed when the actor stops: the HTTP request that carries the socket may end.</param>
    public WebSocketConnectionActor(WebSocket socket, string remote, Sessions.SessionServices services, TaskCompletionSource finished)
    {
        _socket = socket;
        _remote = remote;
        _services = services;
        _finished = finished;
    }

    public static Props Props(WebSocket socket, string remote, Sessions.SessionServices services, TaskCompletionSource finished) =>
        Akka.Actor.Props.Create<WebSocketConnectionActor>(socket, remote, services, finished); // not the expression form: it is compiled on every call

    public ITimerScheduler Timers { get; set; } = null!;

    string IConnectionWire.Kind => "WebSocket";

    protected override void PreStart()
    {
        _core = new ConnectionCore(this, Context, Timers, _services, _log, _remote, framesAreLines: false);
        _core.Start();
    }

    protected override void PostStop()
    {
        _stop.Cancel();
        if (_socket.State is not (WebSocketState.Closed or WebSocketState.Aborted)) _socket.Abort(); // never leave it half open
        _stop.Dispose();
        _finished.TrySetResult();
        _core.Stopped();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ReadCompleted read:
                _receiving = false;
                OnRead(read);
                break;
            case ReadFailed failed:
                _log.Debug("WebSocket read from {0} ended: {1}", _remote, failed.Cause.Message);
                Context.Stop(Self);
                break;
            case WriteCompleted: _core.OnWriteCompleted(); break;
            case WriteFailed failed:
                _log.Debug("WebSocket write to {0} failed: {1}", _remote, failed.Cause.Message);
                Abort();
                break;
            case PeerCloseAnswered: Context.Stop(Self); break;
            default:
                if (!_core.Handle(message)) Unhandled(message);
                break;
        }
    }

    void IConnectionWire.ReadMore()
    {
        if (!_receiving) ReadNext(); // a WebSocket takes one receive at a time; a repeated request waits for it
    }

    private void ReadNext()
    {
        _receiving = true;
        _socket.ReceiveAsync(_chunk.AsMemory(), _stop.Token).AsTask().PipeTo(Self,
            success: result => new ReadCompleted(result.Count, result.MessageType, result.EndOfMessage),
            failure: cause => new ReadFailed(cause));
    }

    private void OnRead(ReadCompleted read)
    {
        if (read.Type == WebSocketMessageType.Close)
        {
            // The client said goodbye (or answered ours): answer its close if we have not closed yet, then go.
            if (_closeSent || _socket.State != WebSocketState.CloseReceived)
            {
                Context.Stop(Self);
                return;
            }
            _closeSent = true;
            _core.OnPeerClosing();
            _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).PipeTo(Self,
                success: () => PeerCloseAnswered.Instance,
                failure: _ => PeerCloseAnswered.Instance);
            return;
        }
        if (_core.Closing)
        {
            _core.OnMessage(default); // thrown away; the core reads on until the peer's close or the deadline
            return;
        }

        if (_message.WrittenCount == 0 && !_discardingMessage) _messageIsBinary = read.Type == WebSocketMessageType.Binary;
        if (_messageIsBinary)
        {
            // Not read at all: skip to its end without keeping it, then say why.
            _discardingMessage = !read.EndOfMessage;
            if (read.EndOfMessage)
                _core.OnUnreadableMessage(read.Count,
                    "Send frames as WebSocket text messages, one JSON frame per message; binary messages are not read.");
            else
                ReadNext();
            return;
        }
        if (_message.WrittenCount + read.Count > _services.Settings.MaxFrameBytes)
        {
            _core.OnFrameTooLarge();
            return;
        }

        var chunk = _chunk.AsSpan(0, read.Count);
        if (!read.EndOfMessage)
        {
            _message.Write(chunk);
            ReadNext(); // the rest of this message; bounded by the frame limit
            return;
        }
        // A message that fit in one read is handled straight from the read buffer.
        if (_message.WrittenCount > 0)
        {
            _message.Write(chunk);
            _core.OnMessage(_message.WrittenSpan);
            _message.ResetWrittenCount();
        }
        else
        {
            _core.OnMessage(chunk);
        }
    }

    void IConnectionWire.Write(IReadOnlyList<byte[]> chunks)
    {
        SendMessagesAsync(_socket, chunks.ToArray(), _stop.Token).PipeTo(Self,
            success: () => WriteCompleted.Instance,
            failure: cause => new WriteFailed(cause));
    }

    void IConnectionWire.Close(ServerFrame finalFrame)
    {
        // Everything is out: start the closing handshake. The client's close (or the deadline) ends the actor.
        if (_closeSent) return;
        _closeSent = true;
        var status = finalFrame switch
        {
            ErrorFrame { Code: ErrorCodes.FrameTooLarge } => WebSocketCloseStatus.MessageTooBig,
            ErrorFrame => WebSocketCloseStatus.PolicyViolation,
            _ => WebSocketCloseStatus.NormalClosure,
        };
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            _socket.CloseOutputAsync(status, null, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    void IConnectionWire.Abort() => Abort();

    /// <summary>
    /// Sends queued lines as WebSocket text messages, one frame each, without their '\n'. Lines come from the JSON
    /// encoder, which escapes every control character inside strings, so '\n' only ever ends a frame.
    /// </summary>
    private static async Task SendMessagesAsync(WebSocket socket, byte[][] chunks, CancellationToken cancellationToken)
    {
        foreach (var chunk in chunks)
        {
            ReadOnlyMemory<byte> rest = chunk;
            while (!rest.IsEmpty)
            {
                var end = rest.Span.IndexOf((byte)'\n');
                var frame = end < 0 ? rest : rest[..end];
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            }
        }
    }

    private void Abort()
    {
        _socket.Abort();
        Context.Stop(Self);
    }
}
