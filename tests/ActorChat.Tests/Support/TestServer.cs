using System.Collections;
using ActorChat.Server.Configuration;
using ActorChat.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorChat.Tests.Support;

/// <summary>
/// Starts the real server host in-process on loopback: TCP on a port the OS picks, the web chat on another
/// (so tests never meet on the default 8080). Later flags win, e.g. "--web-port", "0" turns the web chat off.
/// </summary>
public static class TestServer
{
    public static async Task<RunningChatServer> StartAsync(params string[] extraArgs)
    {
        var load = SettingsLoader.Load(["--bind", "127.0.0.1", "--port", "0", "--web-port", "auto", .. extraArgs], new Hashtable());
        Assert.Null(load.Error);
        return await ChatServerHost.StartAsync(load.Settings!, load.Config!, LogLevel.Warning);
    }
}
