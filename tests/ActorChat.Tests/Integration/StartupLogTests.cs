using System.Net;
using System.Net.Sockets;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Integration;

/// <summary>What a person sees in the terminal when the server process starts and stops, at the default log level.</summary>
public sealed class StartupLogTests
{
    [Fact]
    public async Task The_start_up_log_names_the_url_to_open_the_tcp_and_discovery_ports_and_the_database_file()
    {
        var dataDir = Directory.CreateTempSubdirectory("actorchat-startup-").FullName;
        var udpPort = FreeUdpPort();
        try
        {
            await using var server = await ServerProcess.StartReadyAsync("--data-dir", dataDir, "--udp-port", udpPort.ToString());
            var output = server.StandardOutput;

            Assert.Contains($"Open the web chat at http://localhost:{server.WebPort}/", output);
            Assert.Contains($"TCP port {server.Port}", output);
            Assert.Contains($"LAN discovery answers on UDP port {udpPort}", output);
            Assert.Contains(Path.Combine(dataDir, "actorchat.db"), output);
            Assert.DoesNotContain("http://0.0.0.0", output);
            Assert.DoesNotContain("http://127.0.0.1", output);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task In_memory_the_start_up_log_warns_that_nothing_is_kept_after_the_server_stops()
    {
        await using var server = await ServerProcess.StartReadyAsync("--in-memory");

        var warning = Assert.Single(server.StandardOutput.Split('\n'), line => line.Contains("--in-memory"));
        Assert.Contains("warn:", warning);
        Assert.Contains("nothing is kept after the server stops", warning);
    }

    [Fact]
    public async Task Stopping_shows_the_server_s_own_words_and_none_of_akka_s_lifecycle_lines()
    {
        await using var server = await ServerProcess.StartReadyAsync();

        server.Interrupt();
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var output = server.StandardOutput;
        Assert.DoesNotContain("ClrExitReason", output);
        Assert.DoesNotContain("CLR termination hook", output);
        Assert.DoesNotContain("info: Akka.", output);
        Assert.EndsWith("ActorChat stopped; said goodbye to 0 clients", output.TrimEnd());
    }

    private static int FreeUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }
}
