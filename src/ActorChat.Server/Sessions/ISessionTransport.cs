using ActorChat.Messages;
using Akka.Actor;

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
    /// which hands it to <see cref="ChatSession.Handle"/>.
    /// </summary>
    void Watch(IActorRef actor);

    /// <summary>Stops watching <paramref name="actor"/>: no <see cref="Terminated"/> for it comes after this.</summary>
    void Unwatch(IActorRef actor);

    /// <summary>The session waited for answers before it could take the client's next frame, and now can again.</summary>
    void InputReady() { }
}

/// <summary>The actors and limits every session shares.</summary>
public sealed record SessionServices(
    string ServerName,
    IActorRef RoomDirectory,
    IActorRef UserRegistry,
    Configuration.SessionSettings Settings);
