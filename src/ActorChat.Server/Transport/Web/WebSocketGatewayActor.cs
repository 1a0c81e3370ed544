using System.Net.WebSockets;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;
using static ActorChat.Server.Transport.ListenerProtocol;

namespace ActorChat.Server.Transport.Web;

/// <summary>
/// The parent of every <see cref="WebSocketConnectionActor"/>: the WebSocket counterpart of the TCP listener.
/// The /ws endpoint hands it each accepted socket; it counts the connections, and on shutdown refuses new
/// ones and lets every client go with its pending frames and a clean close.
/// </summary>
public sealed class WebSocketGatewayActor : UntypedActor
{
    /// <summary>
    /// An accepted WebSocket to host. <paramref name="Finished"/> completes when the connection is over, at once
    /// when the gateway refuses it (shutdown); the HTTP request that carries the socket waits for it.
    /// </summary>
    public sealed record Accept(WebSocket Socket, string Remote, TaskCompletionSource Finished)
    {
        /// <summary>The session cookie the upgrade request carried, if any.</summary>
        public string? SessionCookie { get; init; }

        public override string ToString() => $"Accept({Remote})";
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SessionServices _services;
    private readonly List<IActorRef> _drainWaiters = [];
    private int _connections;
    private int _farewells;
    private long _accepted;
    private bool _draining;

    public WebSocketGatewayActor(SessionServices services) => _services = services;

    public static Props Props(SessionServices services) => Akka.Actor.Props.Create(() => new WebSocketGatewayActor(services));

    protected override SupervisorStrategy SupervisorStrategy() => ConnectionSupervision.StopOnFailure;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Accept accept: OnAccept(accept); break;
            case Terminated: OnConnectionGone(); break;
            case Drain: OnDrain(); break;
            case GetConnectionCount: Sender.Tell(new ConnectionCount(_connections)); break;
            default: Unhandled(message); break;
        }
    }

    private void OnAccept(Accept accept)
    {
        if (_draining)
        {
            accept.Finished.TrySetResult();
            return;
        }
        var connection = Context.ActorOf(
            WebSocketConnectionActor.Props(accept.Socket, accept.Remote, _services with { SessionCookie = accept.SessionCookie }, accept.Finished), $"ws-{++_accepted}");
        Context.Watch(connection);
        _connections++;
    }

    private void OnConnectionGone()
    {
        _connections--;
        if (_draining && _connections == 0) FinishDrain();
    }

    private void OnDrain()
    {
        // Asked twice (host stopping, then coordinated shutdown): the second asker is answered as well.
        _drainWaiters.Add(Sender);
        if (!_draining)
        {
            _draining = true;
            _farewells = _connections;
            _log.Info("Closing {0} WebSocket connections", _connections);
            foreach (var child in Context.GetChildren()) child.Tell(CloseGracefully.Instance);
        }
        if (_connections == 0) FinishDrain();
    }

    private void FinishDrain()
    {
        foreach (var waiter in _drainWaiters) waiter.Tell(new Drained(_farewells));
        _drainWaiters.Clear();
    }
}
