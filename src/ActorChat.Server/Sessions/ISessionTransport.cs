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

    /// <summary>The client's IP address (IPv4-mapped ones as IPv4), or null when the transport does not know it.</summary>
    System.Net.IPAddress? RemoteAddress => null;
}

/// <summary>The actors and limits every session shares.</summary>
public sealed record SessionServices(
    string ServerName,
    IActorRef RoomDirectory,
    IActorRef UserRegistry,
    Configuration.SessionSettings Settings)
{
    /// <summary>Accounts and operators; without them a session behaves as on a server with no accounts.</summary>
    public Configuration.AccountSettings Accounts { get; init; } = Configuration.AccountSettings.Open;

    /// <summary>The account book (<see cref="ActorChat.Server.Accounts.AccountBook"/>), or Nobody without accounts.</summary>
    public IActorRef AccountBook { get; init; } = ActorRefs.Nobody;

    /// <summary>The registered users' mentions and read markers (<see cref="ActorChat.Server.Inboxes.UserInboxes"/>), or Nobody.</summary>
    public IActorRef Inboxes { get; init; } = ActorRefs.Nobody;

    /// <summary>The kept direct-message conversations (<see cref="ActorChat.Server.Direct.DirectConversations"/>), or Nobody: direct messages are only delivered.</summary>
    public IActorRef Directs { get; init; } = ActorRefs.Nobody;
    /// <summary>Answers search frames (<see cref="ActorChat.Server.Search.SearchService"/>), or Nobody: searches are answered unavailable.</summary>
    public IActorRef Search { get; init; } = ActorRefs.Nobody;

    /// <summary>The ban list (<see cref="ActorChat.Server.Accounts.BanList"/>), or Nobody: no bans are checked.</summary>
    public IActorRef BanList { get; init; } = ActorRefs.Nobody;

    /// <summary>The web page's sign-in sessions, on WebSocket connections only: signing in with a password there issues a token.</summary>
    public Transport.Web.WebSessionTokens? WebSessions { get; init; }

    /// <summary>
    /// The same sign-in sessions, on every transport, for signing an account out of all its pages: a password change,
    /// an operator's kill and an account ban revoke its tokens whichever connection asks.
    /// </summary>
    public Transport.Web.WebSessionTokens? WebSignOut { get; init; }

    /// <summary>Uploaded files, for attachments and upload tokens; null: this server shares no files.</summary>
    public Files.FileStore? Files { get; init; }

    /// <summary>
    /// Whatever stands for the account outside its connections stops standing for it: its pages' sign-in tokens and
    /// the upload tokens its TCP clients got (a password change, an operator's kill, an account ban). Returns how
    /// many tokens were live.
    /// </summary>
    public int RevokeTokensOf(string account) =>
        (WebSignOut?.RevokeAccount(account) ?? 0) + (Files?.UploadTokens.RevokeAccount(account) ?? 0);

    /// <summary>The session cookie the connection's WebSocket upgrade carried, if any (checked when the client says hello).</summary>
    public string? SessionCookie { get; init; }

    /// <summary>The server's meter; the default is one no server exports (unit tests).</summary>
    public Operations.ChatMetrics Metrics { get; init; } = Operations.ChatMetrics.Detached;

    /// <summary>The server's budget of warnings about floods and slow consumers, shared by every connection.</summary>
    public Operations.WarningRateLimit Warnings { get; init; } = Operations.WarningRateLimit.Default();
}
