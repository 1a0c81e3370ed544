using ActorChat.Messages;
using Akka.Actor;
using Akka.Actor.Internal;

namespace ActorChat.Server.Sessions;

/// <summary>What a session needs from the transport actor that hosts it (TCP, WebSocket, …).</summary>
public interface ISessionTransport
{
    /// <summary>The hosting actor: rooms and the user registry answer it, and watch it to notice a disconnect.</summary>
    IActorRef Self { get; }

    /// <summary>Queue a frame for the client.</summary>
    void Send(ServerFrame frame);

    /// <summary>Queue <paramref name="finalFrame"/>, flush everything queued, then close the connection.</summary>
    void CloseAfterFlush(ServerFrame finalFrame);

    /// <summary>
    /// Watches <paramref name="actor"/> for the session: its <see cref="Terminated"/> comes to the hosting actor,
    /// which hands it to <see cref="ChatSession.Handle"/>. A transport actor should implement this with
    /// <c>Context.Watch</c>; the default reaches the same context through Akka's current actor cell (an internal
    /// Akka API), which is the hosting actor's because a session is only ever called from that actor.
    /// </summary>
    void Watch(IActorRef actor) => HostingContext().Watch(actor);

    /// <summary>Stops watching <paramref name="actor"/>: no <see cref="Terminated"/> for it comes after this.</summary>
    void Unwatch(IActorRef actor) => HostingContext().Unwatch(actor);

    private static IActorContext HostingContext() =>
        InternalCurrentActorCellKeeper.Current ?? throw new InvalidOperationException("A session is used only from the actor that hosts it.");
}

/// <summary>The actors and limits every session shares.</summary>
public sealed record SessionServices(
    string ServerName,
    IActorRef RoomDirectory,
    IActorRef UserRegistry,
    Configuration.SessionSettings Settings);
