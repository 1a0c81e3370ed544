using Akka.Actor;

namespace ActorChat.Server.Transport;

/// <summary>
/// How a listener treats a connection actor that throws: it is stopped, never restarted. A restart would keep the
/// socket but lose the session (name, rooms, queued frames) and carry on with a client that believes otherwise;
/// Akka.IO refuses to restart its own connection actors for the same reason. Stopping closes the socket (the
/// connection actor is watched by Akka.IO), frees the name and leaves the rooms, and Akka logs the exception with
/// the actor's path.
/// </summary>
public static class ConnectionSupervision
{
    public static readonly SupervisorStrategy StopOnFailure = new OneForOneStrategy(_ => Directive.Stop);
}
