using System.Buffers;
using System.Net.WebSockets;
using ActorChat.Messages;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;

namespace ActorChat.Server.Transport.Web;

/// <summary>
/// One browser (or any WebSocket client). The WebSocket twin of the TCP connection actor: each text message is
/// one JSON frame for its <see cref="ChatSession"/>, and frames go back one per text message through the same
/// bounded <see cref="OutboundQueue"/>: one send in flight, what queues meanwhile sent right after it, and a
/// client that does not read cut off as a slow consumer. Reads one message at a time (the next read starts once
/// a message is handled), so a client that floods the server is read no faster than its frames are handled.
/// </summary>
public sealed class WebSocketConnectionActor : UntypedActor, ISessionTransport, IWithTimers
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

    private sealed class CloseDeadline
    {
        public static readonly CloseDeadline Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly WebSocket _socket;
    private readonly string _remote;
    private readonly SessionServices _services;
    private readonly TaskCompletionSource _finished;
    private readonly OutboundQueue _outbound;
    private readonly ChatSession _session;
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _chunk = new byte[ReceiveChunkBytes];
    private readonly ArrayBufferWriter<byte> _message = new(ReceiveChunkBytes);
    private bool _messageIsBinary;
    private bool _closing;
    private bool _closeSent;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;

    /// <param name="finished">Completed when the actor stops: the HTTP request that carries the socket may end.</param>
    public WebSocketConnectionActor(WebSocket socket, string remote, SessionServices services, TaskCompletionSource finished)
    {
        _socket = socket;
        _remote = remote;
        _services = services;
        _finished = finished;
        _outbound = new OutboundQueue(services.Settings.OutboundLimitBytes);
        _session = new ChatSession(services, this);
    }

    public static Props Props(WebSocket socket, string remote, SessionServices services, TaskCompletionSource finished) =>
        Akka.Actor.Props.Create<WebSocketConnectionActor>(socket, remote, services, finished); // not the expression form: it is compiled on every call

    public ITimerScheduler Timers { get; set; } = null!;

    IActorRef ISessionTransport.Self => Self;

    protected override void PreStart()
    {
        _log.Debug("WebSocket connection from {0}", _remote);
        ReadNext();
    }

    protected override void PostStop()
    {
        _stop.Cancel();
        if (_socket.State is not (WebSocketState.Closed or WebSocketState.Aborted)) _socket.Abort(); // never leave it half open
        _outbound.Release();
        _stop.Dispose();
        _finished.TrySetResult();
        _log.Debug("WebSocket connection from {0} closed ({1})", _remote, _session.UserName ?? "not identified");
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Deliver deliver: Send(deliver.Line); break;
            case ReadCompleted read: OnRead(read); break;
            case ReadFailed failed:
                _log.Debug("WebSocket read from {0} ended: {1}", _remote, failed.Cause.Message);
                Context.Stop(Self);
                break;
            case WriteCompleted: OnWriteCompleted(); break;
            case WriteFailed failed:
                _log.Debug("WebSocket write to {0} failed: {1}", _remote, failed.Cause.Message);
                Abort();
                break;
            case CloseGracefully: CloseAfterFlush(new ByeFrame(ByeFrame.ServerShutdown)); break;
            case PeerCloseAnswered: Context.Stop(Self); break;
            case CloseDeadline: Abort(); break;
            default:
                if (!_session.Handle(message)) Unhandled(message);
                break;
        }
    }

    private void ReadNext()
    {
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
            _closing = _closeSent = true;
            _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).PipeTo(Self,
                success: () => PeerCloseAnswered.Instance,
                failure: _ => PeerCloseAnswered.Instance);
            Timers.StartSingleTimer(CloseDeadline.Instance, CloseDeadline.Instance, _services.Settings.CloseGracePeriod);
            return;
        }
        if (_closing)
        {
            ReadNext(); // drain whatever the client still sends until its close arrives or the deadline passes
            return;
        }

        if (_message.WrittenCount == 0) _messageIsBinary = read.Type == WebSocketMessageType.Binary;
        if (_message.WrittenCount + read.Count > _services.Settings.MaxFrameBytes)
        {
            CloseAfterFlush(new ErrorFrame(ErrorCodes.FrameTooLarge,
                $"A frame is at most {_services.Settings.MaxFrameBytes} bytes; closing the connection."));
            ReadNext();
            return;
        }

        var chunk = _chunk.AsSpan(0, read.Count);
        if (!read.EndOfMessage || _message.WrittenCount > 0) _message.Write(chunk);
        if (read.EndOfMessage)
        {
            // A message that fit in one read is handled straight from the read buffer.
            var whole = _message.WrittenCount > 0 ? _message.WrittenSpan : chunk;
            OnMessage(whole);
            _message.ResetWrittenCount();
        }
        ReadNext();
    }

    private void OnMessage(ReadOnlySpan<byte> message)
    {
        if (_messageIsBinary)
        {
            _session.Receive(DecodeResult<ClientFrame>.Fail(ErrorCodes.BadRequest,
                "Send frames as WebSocket text messages, one JSON frame per message; binary messages are not read."));
            return;
        }
        if (message.Trim((byte)' ').IsEmpty) return; // an empty message is not a frame, as a blank line on TCP
        _session.Receive(FrameCodec.DecodeClientFrame(message));
    }

    public void Send(ServerFrame frame) => Send(FrameCodec.EncodeLine(frame));

    private void Send(byte[] line)
    {
        if (_closing) return;
        if (!_outbound.TryEnqueue(line))
        {
            _log.Warning("Cutting off WebSocket {0} ({1}): {2} bytes queued and not read", _remote,
                _session.UserName ?? "not identified", _outbound.QueuedBytes);
            _outbound.Clear();
            CloseAfterFlush(new ErrorFrame(ErrorCodes.SlowConsumer,
                "You are not reading fast enough to keep up; disconnecting."));
            return;
        }
        WriteNext();
    }

    public void CloseAfterFlush(ServerFrame finalFrame)
    {
        if (_closing) return;
        _closing = true;
        _closeStatus = finalFrame switch
        {
            ErrorFrame { Code: ErrorCodes.FrameTooLarge } => WebSocketCloseStatus.MessageTooBig,
            ErrorFrame => WebSocketCloseStatus.PolicyViolation,
            _ => WebSocketCloseStatus.NormalClosure,
        };
        _outbound.EnqueueFinal(FrameCodec.EncodeLine(finalFrame));
        WriteNext();
        // A client that does not read would hold a graceful close open for ever: give it a deadline.
        Timers.StartSingleTimer(CloseDeadline.Instance, CloseDeadline.Instance, _services.Settings.CloseGracePeriod);
    }

    private void OnWriteCompleted()
    {
        _outbound.WriteCompleted();
        WriteNext();
    }

    private void WriteNext()
    {
        var next = _outbound.TakeNextWrite();
        if (next.Count > 0)
        {
            SendMessagesAsync(_socket, next, _stop.Token).PipeTo(Self,
                success: () => WriteCompleted.Instance,
                failure: cause => new WriteFailed(cause));
        }
        else if (_closing && !_outbound.WriteInFlight && !_closeSent)
        {
            // Everything is out: start the closing handshake. The client's close (or the deadline) ends the actor.
            _closeSent = true;
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                _socket.CloseOutputAsync(_closeStatus, null, CancellationToken.None)
                    .ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// Sends queued lines as WebSocket text messages, one frame each, without their '\n'. Lines come from the JSON
    /// encoder, which escapes every control character inside strings, so '\n' only ever ends a frame.
    /// </summary>
    private static async Task SendMessagesAsync(WebSocket socket, ArraySegment<byte> lines, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> rest = lines;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var frame = end < 0 ? rest : rest[..end];
            await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
        }
    }

    private void Abort()
    {
        _socket.Abort();
        Context.Stop(Self);
    }
}
