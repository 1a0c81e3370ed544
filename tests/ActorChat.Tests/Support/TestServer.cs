using System.Collections;
using ActorChat.Server.Configuration;
using ActorChat.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorChat.Tests.Support;

/// <summary>Starts the real server in-process through <see cref="ChatServerHost"/>, on ports from the OS.</summary>
public static class TestServer
{
    /// <summary>Flags that choose a store; without one, test servers keep nothing on disk.</summary>
    public static readonly string[] StoreFlags = ["--in-memory", "--data-dir", "--postgres"];

    public static string[] WithDefaultStore(string[] args) =>
        args.Any(a => StoreFlags.Contains(a.Split('=')[0])) ? args : [.. args, "--in-memory"];

    /// <summary>Settings from the shipped HOCON with the given flags; TCP and UDP port 0, TLS and HTTPS off unless the flags say otherwise.</summary>
    public static ServerSettings Settings(params string[] flags)
    {
        var load = SettingsLoader.Load(["--bind", "127.0.0.1", "--port", "auto", "--udp-port", "0", "--web-port", "auto", "--tls-port", "0", "--web-tls-port", "0", "--name", "test-server", .. WithDefaultStore(flags)], new Hashtable());
        if (load.Error is not null) throw new InvalidOperationException(load.Error);
        return load.Settings!;
    }

    public static Task<RunningChatServer> StartAsync(params string[] flags) => StartAsync(Settings(flags));

    public static Task<RunningChatServer> StartAsync(ServerSettings settings)
    {
        var load = SettingsLoader.Load([], new Hashtable());
        return ChatServerHost.StartAsync(settings, load.Config!, LogLevel.Warning);
    }

    /// <summary>
    /// Starts with <paramref name="hocon"/> in a file given with <c>--config</c> (as an operator would), over the
    /// shipped defaults, with the other flags as for <see cref="Settings"/>.
    /// </summary>
    public static async Task<RunningChatServer> StartWithConfigAsync(string hocon, params string[] flags)
    {
        var file = Path.Combine(Path.GetTempPath(), $"actorchat-test-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(file, hocon);
        try
        {
            var load = SettingsLoader.Load(["--config", file], new Hashtable());
            if (load.Error is not null) throw new InvalidOperationException(load.Error);
            return await ChatServerHost.StartAsync(Settings(["--config", file, .. flags]), load.Config!, LogLevel.Warning);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Starts on a port that was just in use; the OS may need a moment to hand it out again.</summary>
    public static async Task<RunningChatServer> RestartOnAsync(int port, TimeSpan within)
    {
        var settings = Settings();
        settings = settings with { Tcp = settings.Tcp with { Port = port } };
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                return await StartAsync(settings);
            }
            catch (ServerStartException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
