using Akka.Configuration;
using Akka.IO;
using ActorChat.Server.Configuration;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Hosting;

/// <summary>
/// Akka.IO's socket settings as the server runs them (hocon/actorchat.conf, docs/benchmarks.md): one socket send
/// carries up to 8 KiB of queued writes, twice Akka.IO's default, so a busy room's batch reaches a member in
/// about half as many sends.
/// </summary>
public sealed class SocketSettingsSpec
{
    [Fact]
    public async Task One_send_gathers_up_to_8_KiB_of_queued_writes_and_the_socket_buffers_hold_two_such_sends()
    {
        await using var server = await TestServer.StartAsync();

        var tcp = server.System.GetExtension<TcpExt>().Settings;

        Assert.Equal(8 * 1024, tcp.MaxFrameSizeBytes);
        Assert.Equal(16 * 1024, tcp.SendBufferSize);
        Assert.Equal(16 * 1024, tcp.ReceiveBufferSize);
    }

    [Fact]
    public async Task A_frame_size_Akka_IO_refuses_stops_the_start_with_one_line_naming_the_setting_instead_of_a_hang()
    {
        var file = Path.Combine(Path.GetTempPath(), $"actorchat-frame-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(file, "akka.io.tcp.maximum-frame-size = 64KiB\n");
        try
        {
            var load = SettingsLoader.Load(["--config", file], new System.Collections.Hashtable());
            var settings = TestServer.Settings();
            var started = DateTime.UtcNow;

            var refused = await Assert.ThrowsAsync<ServerStartException>(() => ChatServerHost.StartAsync(settings, load.Config!, Microsoft.Extensions.Logging.LogLevel.Warning));

            Assert.Contains("akka.io.tcp", refused.Message);
            Assert.Contains("frame size", refused.Message, StringComparison.OrdinalIgnoreCase);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "refused at once, not after the listener's 30 s wait");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void The_defaults_are_usable()
    {
        var load = SettingsLoader.Load([], new System.Collections.Hashtable());

        Assert.Null(ChatServerHost.SocketSettingsProblem(load.Config!));
        Assert.NotNull(ChatServerHost.SocketSettingsProblem(ConfigurationFactory.ParseString("akka.io.tcp.maximum-frame-size = 64KiB").WithFallback(load.Config!)));
    }
}
