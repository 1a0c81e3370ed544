using System.Net;
using ActorChat.Messages;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;
using Akka.IO;

namespace ActorChat.Server.Transport.Tcp;

/// <summary>
/// One TCP client. Turns bytes into lines and frames for its <see cref="ChatSession"/>, and frames back into
/// bytes: one acknowledged write in flight, what queues meanwhile coalesced into the next write, the queue
/// bounded, and a client that does not read cut off.
/// </summary>
public sealed class TcpConnectionActor : UntypedActor, ISessionTransport, IWithTimers
{
    private sealed class WriteAck : Akka.IO.Tcp.Event
    {
        public static readonly WriteAck Instance = new();
    }

    private sealed class CloseDeadline
    {
        public static readonly CloseDeadline Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _connection;
    private readonly EndPoint _remote;
    private readonly SessionServices _services;
    private readonly LineFramer _framer;
    private readonly OutboundQueue _outbound;
    private readonly ChatSession _session;
    private bool _closing;
    private bool _closeSent;

    public TcpConnectionActor(IActorRef connection, EndPoint remote, SessionServices services)
    {
        _connection = connection;
        _remote = remote;
        _services = services;
        _framer = new LineFramer(services.Settings.MaxFrameBytes, initialCapacity: 256);
        _outbound = new OutboundQueue(services.Settings.OutboundLimitBytes);
        _session = new ChatSession(services, this);
    }

    public static Props Props(IActorRef connection, EndPoint remote, SessionServices services) =>
        Akka.Actor.Props.Create<TcpConnectionActor>(connection, remote, services); // not the expression form: it is compiled on every call

    public ITimerScheduler Timers { get; set; } = null!;

    IActorRef ISessionTransport.Self => Self;

    protected override void PreStart()
    {
        Context.Watch(_connection);
        _log.Info("Connection from {0}", _remote);
    }

    protected override void PostStop()
    {
        _outbound.Release();
        _log.Info("Connection from {0} closed ({1})", _remote, _session.UserName ?? "not identified");
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Deliver deliver: Send(deliver.Line); break;
            case WriteAck: OnWriteAck(); break;
            case Akka.IO.Tcp.Received received: OnReceived(received.Data); break;
            case Akka.IO.Tcp.ConnectionClosed: Context.Stop(Self); break;
            case Terminated terminated when terminated.ActorRef.Equals(_connection): Context.Stop(Self); break;
            case Akka.IO.Tcp.CommandFailed failed:
                _log.Debug("TCP command failed for {0}: {1}", _remote, failed.Cmd);
                Abort();
                break;
            case CloseGracefully: CloseAfterFlush(new ByeFrame(ByeFrame.ServerShutdown)); break;
            case CloseDeadline: Abort(); break;
            default:
                if (!_session.Handle(message)) Unhandled(message);
                break;
        }
    }

    private void OnReceived(ByteString data)
    {
        // Akka.IO hands each read over as one compact buffer, so this does not copy.
        _framer.Append(data.ToReadOnlySpan());
        while (!_closing && _framer.TryReadLine(out var line))
        {
            if (line.Trim((byte)' ').IsEmpty) continue; // a blank line is not a frame
            _session.Receive(FrameCodec.DecodeClientFrame(line));
        }
        if (_closing) return;
        if (_framer.Overflowed)
        {
            CloseAfterFlush(new ErrorFrame(ErrorCodes.FrameTooLarge,
                $"A frame is at most {_services.Settings.MaxFrameBytes} bytes; closing the connection."));
        }
    }

    public void Send(ServerFrame frame) => Send(FrameCodec.EncodeLine(frame));

    private void Send(byte[] line)
    {
        if (_closing) return;
        if (!_outbound.TryEnqueue(line))
        {
            _log.Warning("Cutting off {0} ({1}): {2} bytes queued and not read", _remote,
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
        _outbound.EnqueueFinal(FrameCodec.EncodeLine(finalFrame));
        WriteNext();
        // A client that does not read would hold a graceful close open for ever: give it a deadline.
        Timers.StartSingleTimer(CloseDeadline.Instance, CloseDeadline.Instance, _services.Settings.CloseGracePeriod);
    }

    private void OnWriteAck()
    {
        _outbound.WriteCompleted();
        WriteNext();
    }

    private void WriteNext()
    {
        var next = _outbound.TakeNextWrite();
        if (next.Count > 0)
        {
            _connection.Tell(Akka.IO.Tcp.Write.Create(ByteString.FromBytes(next), WriteAck.Instance));
        }
        else if (_closing && !_outbound.WriteInFlight && !_closeSent)
        {
            _closeSent = true;
            _connection.Tell(Akka.IO.Tcp.Close.Instance);
        }
    }

    private void Abort()
    {
        _connection.Tell(Akka.IO.Tcp.Abort.Instance);
        Context.Stop(Self);
    }
}
