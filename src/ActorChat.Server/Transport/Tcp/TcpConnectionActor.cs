using System.Net;
using ActorChat.Messages;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;
using Akka.IO;

namespace ActorChat.Server.Transport.Tcp;

/// <summary>
/// One TCP client, on top of its Akka.IO connection actor: the TCP wire of a <see cref="ConnectionCore"/>. The
/// connection is in pull mode and reads once each time the core asks (one ResumeReading, one Received), so a
/// client that sends faster than its frames are handled is held back by TCP's own flow control. It writes one
/// acknowledged write at a time, and closes or aborts when told.
/// </summary>
public sealed class TcpConnectionActor : UntypedActor, IConnectionWire, IWithTimers
{
    private sealed class WriteAck : Akka.IO.Tcp.Event
    {
        public static readonly WriteAck Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _connection;
    private readonly EndPoint _remote;
    private readonly SessionServices _services;
    private ConnectionCore _core = null!;

    public TcpConnectionActor(IActorRef connection, EndPoint remote, SessionServices services)
    {
        _connection = connection;
        _remote = remote;
        _services = services;
    }

    public static Props Props(IActorRef connection, EndPoint remote, SessionServices services) =>
        Akka.Actor.Props.Create<TcpConnectionActor>(connection, remote, services); // not the expression form: it is compiled on every call

    public ITimerScheduler Timers { get; set; } = null!;

    string IConnectionWire.Kind => "TCP";

    protected override void PreStart()
    {
        _core = new ConnectionCore(this, Context, Timers, _services, _log, _remote.ToString() ?? "?", framesAreLines: true);
        Context.Watch(_connection);
        // Register from here, not from the listener: Register and the core's first ResumeReading then come from one
        // sender, in that order. Sent by two actors, the read request could arrive first and be lost, and the
        // connection would not read until the core asked again.
        _connection.Tell(new Akka.IO.Tcp.Register(Self));
        _core.Start();
    }

    protected override void PostStop() => _core.Stopped();

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Akka.IO.Tcp.Received received: _core.OnBytes(received.Data.ToReadOnlySpan()); break;
            case WriteAck: _core.OnWriteCompleted(); break;
            case Akka.IO.Tcp.ConnectionClosed: Context.Stop(Self); break;
            case Terminated terminated when terminated.ActorRef.Equals(_connection): Context.Stop(Self); break;
            case Akka.IO.Tcp.CommandFailed failed:
                _log.Debug("TCP command failed for {0}: {1}", _remote, failed.Cmd);
                Abort();
                break;
            default:
                if (!_core.Handle(message)) Unhandled(message);
                break;
        }
    }

    void IConnectionWire.ReadMore() => _connection.Tell(Akka.IO.Tcp.ResumeReading.Instance);

    void IConnectionWire.Write(IReadOnlyList<byte[]> chunks)
    {
        // One chunk (the common case) is written as it is, shared with the room's other members; several are
        // copied once into one buffer, so that one socket write carries them all.
        _connection.Tell(Akka.IO.Tcp.Write.Create(ByteString.FromBytes(Coalesce(chunks)), WriteAck.Instance));
    }

    private static byte[] Coalesce(IReadOnlyList<byte[]> chunks)
    {
        if (chunks.Count == 1) return chunks[0];
        var total = 0;
        foreach (var chunk in chunks) total += chunk.Length;
        var buffer = new byte[total];
        var offset = 0;
        foreach (var chunk in chunks)
        {
            chunk.CopyTo(buffer, offset);
            offset += chunk.Length;
        }
        return buffer;
    }

    void IConnectionWire.Close(ServerFrame finalFrame) => _connection.Tell(Akka.IO.Tcp.Close.Instance);

    void IConnectionWire.Abort() => Abort();

    private void Abort()
    {
        _connection.Tell(Akka.IO.Tcp.Abort.Instance);
        Context.Stop(Self);
    }
}
