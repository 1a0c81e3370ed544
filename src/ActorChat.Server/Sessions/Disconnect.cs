using ActorChat.Messages;

namespace ActorChat.Server.Sessions;

/// <summary>
/// Tells a connection to go: <see cref="Notice"/> (if any) then <see cref="Bye"/>, then a clean close. Operators'
/// kills and bans send it through the user registry.
/// </summary>
public sealed record Disconnect(ServerFrame? Notice, ByeFrame Bye);
