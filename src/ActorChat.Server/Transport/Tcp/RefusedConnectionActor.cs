using Akka.Actor;
using Akka.IO;
using ActorChat.Server.Sessions;

namespace ActorChat.Server.Transport.Tcp;

/// <summary>
/// The handler of a TCP connection the listener would not admit: Akka.IO needs one registered, or the client
/// would hang until the register timeout. It sends the one error line and half-closes (ConfirmedClose flushes the
/// line first, then keeps reading until the client closes its side, so what the client sent meanwhile cannot make
/// the kernel reset the connection and throw the line away); a client that does not close within <c>grace</c> is
/// aborted. What the client sends is ignored.
/// </summary>
public sealed class RefusedConnectionActor : UntypedActor, IWithTimers
{
    private sealed class Deadline
    {
        public static readonly Deadline Instance = new();
    }

    private readonly IActorRef _connection;
    private readonly byte[] _line;
    private readonly TimeSpan _grace;

    public RefusedConnectionActor(IActorRef connection, byte[] line, TimeSpan grace)
    {
        _connection = connection;
        _line = line;
        _grace = grace;
    }

    public static Props Props(IActorRef connection, byte[] line, TimeSpan grace) =>
        Akka.Actor.Props.Create<RefusedConnectionActor>(connection, line, grace);

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Context.Watch(_connection);
        // Registering from here rather than from the listener keeps Register, Write and Close in one sender's
        // order, so the write cannot reach the connection before the registration does.
        _connection.Tell(new Akka.IO.Tcp.Register(Self));
        _connection.Tell(Akka.IO.Tcp.Write.Create(ByteString.FromBytes(_line)));
        _connection.Tell(Akka.IO.Tcp.ConfirmedClose.Instance);
        _connection.Tell(Akka.IO.Tcp.ResumeReading.Instance); // pull mode: read (and drop) until the client's close
        Timers.StartSingleTimer(Deadline.Instance, Deadline.Instance, _grace);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Akka.IO.Tcp.ConnectionClosed: Context.Stop(Self); break;
            case Terminated: Context.Stop(Self); break;
            case Deadline or Akka.IO.Tcp.CommandFailed:
                _connection.Tell(Akka.IO.Tcp.Abort.Instance);
                Context.Stop(Self);
                break;
            case Akka.IO.Tcp.Received: _connection.Tell(Akka.IO.Tcp.ResumeReading.Instance); break;
            case CloseGracefully: break;
            default: Unhandled(message); break;
        }
    }
}
