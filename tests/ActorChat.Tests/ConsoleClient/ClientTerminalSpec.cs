using System.Text.RegularExpressions;
using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Tests.Support;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>
/// The interactive path: the client on a pseudo-terminal (util-linux <c>script</c>), typed at key by key, read as
/// a user would see it once the escape codes are taken out.
/// </summary>
[Collection(nameof(ClientProcessTests))]
public sealed partial class ClientTerminalSpec
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [GeneratedRegex(@"\u001b\[[0-9;]*[A-Za-z]")]
    private static partial Regex EscapeCode();

    /// <summary>The screen text without escape codes; each redraw (a carriage return) starts a new line for the test.</summary>
    private static string Visible(string output) => EscapeCode().Replace(output, "").Replace("\r\n", "\n").Replace('\r', '\n');

    private static ChildProcess OnTerminal(int port)
    {
        var command = $"dotnet {BuiltApps.ClientDll} --host 127.0.0.1 --port {port}";
        return ChildProcess.Start("script", ["-qfec", command, "/dev/null"], new Dictionary<string, string> { ["TERM"] = "xterm", ["COLUMNS"] = "200" });
    }

    [Fact]
    public async Task A_message_arriving_while_typing_leaves_the_half_typed_line_intact()
    {
        Assert.True(File.Exists("/usr/bin/script") || File.Exists("/bin/script"), "util-linux script is needed (apt-get install bsdutils)");
        await using var server = await TestServer.StartAsync();
        var port = server.TcpEndpoint.Port;
        await using var client = OnTerminal(port);

        await client.WaitForAsync("Your name:", Within);
        await client.WriteAsync("bob\r");
        await client.WaitForAsync(o => Visible(o).Contains("#general> "), "the prompt", Within);

        await client.WriteAsync("hel");
        await client.WaitForAsync(o => Visible(o).Contains("#general> hel"), "the typed text", Within);
        await using (var alice = await ChatConnection.ConnectAsync("127.0.0.1", port))
        {
            await alice.SendAsync(new HelloRequest("alice"));
            await alice.SendAsync(new JoinRequest("general"));
            await alice.SendAsync(new SayRequest("general", "arrives while bob types"));
            await client.WaitForAsync("arrives while bob types", Within);
            await client.WaitForAsync(o => Visible(o).Split("arrives while bob types")[1].Contains("#general> hel"), "the redrawn line", Within);

            await client.WriteAsync("lo\r");
            await client.WaitForAsync("bob: hello", Within);
        }

        var screen = Visible(client.Output);
        Assert.Contains("[test-server 127.0.0.1:" + port + "] #general> ", screen); // connection state in the prompt
        Assert.Contains("alice: arrives while bob types", screen);
        Assert.Contains("\u001b[36m*** alice joined #general", client.Output); // system lines in colour on a terminal

        await client.WriteAsync("/quit\r");
        Assert.Equal(0, await client.WaitForExitAsync(Within));
    }
}
