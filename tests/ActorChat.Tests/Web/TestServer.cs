using System.Collections;
using ActorChat.Server.Configuration;
using ActorChat.Server.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace ActorChat.Tests.Web;

/// <summary>Starts a real server on loopback: TCP on a port the OS picks, the web chat on another.</summary>
internal static class TestServer
{
    /// <param name="args">Flags layered over the test defaults (later flags win), e.g. "--web-port", "8123".</param>
    public static async Task<RunningChatServer> StartAsync(params string[] args)
    {
        string[] all = ["--bind", "127.0.0.1", "--port", "0", "--web-port", "auto", .. args];
        var load = SettingsLoader.Load(all, new Hashtable());
        Assert.Null(load.Error);
        return await ChatServerHost.StartAsync(load.Settings!, load.Config!, LogLevel.Warning);
    }

    public static Uri WebUri(this RunningChatServer server) => server.WebUri ?? throw new InvalidOperationException("The web chat is off.");

    public static Uri WebSocketUri(this RunningChatServer server) => new($"ws://{server.WebEndpoint}/ws");
}
