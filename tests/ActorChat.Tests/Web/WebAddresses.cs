using ActorChat.Server.Hosting;

namespace ActorChat.Tests.Web;

/// <summary>Where a test server's web chat answers.</summary>
internal static class WebAddresses
{
    public static Uri WebUri(this RunningChatServer server) => server.WebUri ?? throw new InvalidOperationException("The web chat is off.");

    public static Uri WebSocketUri(this RunningChatServer server) => new($"ws://{server.WebEndpoint}/ws");
}
