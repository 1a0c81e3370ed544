using System.Collections;
using ActorChat.Server.Configuration;
using ActorChat.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorChat.Tests.Support;

/// <summary>Starts the real server host in-process on a loopback port the OS picks.</summary>
public static class TestServer
{
    /// <summary>Flags that choose a store; without one, test servers keep nothing on disk.</summary>
    public static readonly string[] StoreFlags = ["--in-memory", "--data-dir", "--postgres"];

    public static string[] WithDefaultStore(string[] args) =>
        args.Any(a => StoreFlags.Contains(a.Split('=')[0])) ? args : [.. args, "--in-memory"];

    public static async Task<RunningChatServer> StartAsync(params string[] extraArgs)
    {
        var load = SettingsLoader.Load(["--bind", "127.0.0.1", "--port", "0", .. WithDefaultStore(extraArgs)], new Hashtable());
        Assert.Null(load.Error);
        return await ChatServerHost.StartAsync(load.Settings!, load.Config!, LogLevel.Warning);
    }
}
