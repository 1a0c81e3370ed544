using Akka.IO;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Hosting;

/// <summary>
/// Akka.IO's socket settings as the server runs them (hocon/actorchat.conf, docs/benchmarks.md): one socket send
/// carries up to 16 KiB of queued writes, four times Akka.IO's default, so a busy room's batch reaches a member in
/// a third as many sends.
/// </summary>
public sealed class SocketSettingsSpec
{
    [Fact]
    public async Task One_send_gathers_up_to_16_KiB_of_queued_writes_and_the_socket_buffers_hold_two_such_sends()
    {
        await using var server = await TestServer.StartAsync();

        var tcp = server.System.GetExtension<TcpExt>().Settings;

        Assert.Equal(16 * 1024, tcp.MaxFrameSizeBytes);
        Assert.Equal(32 * 1024, tcp.SendBufferSize);
        Assert.Equal(32 * 1024, tcp.ReceiveBufferSize);
    }
}
