using System.Text.RegularExpressions;
using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Tests.Support;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>
/// What the console tells others and the server without a command: that the user is typing (on a terminal, whose
/// line editor sees the keys) and how far they have read the room they are in.
/// </summary>
[Collection(nameof(ClientProcessTests))]
public sealed partial class ClientTypingAndReadSpec
{
    [GeneratedRegex(@"\u001b\[[0-9;]*[A-Za-z]")]
    private static partial Regex EscapeCode();

    private static string Visible(string output) => EscapeCode().Replace(output, "").Replace("\r\n", "\n").Replace('\r', '\n');

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private const string Password = "correct-horse-battery";

    private static ChildProcess OnTerminal(int port, params string[] arguments)
    {
        var command = $"stty cols 200 rows 24; exec dotnet {BuiltApps.ClientDll} --host 127.0.0.1 --port {port} {string.Join(' ', arguments)}";
        return ChildProcess.Start("script", ["-qfec", command, "/dev/null"], new Dictionary<string, string> { ["TERM"] = "xterm" });
    }

    private static async Task<ChatConnection> MemberAsync(int port, ClientFrame identify, string room = "general")
    {
        var connection = await ChatConnection.ConnectAsync("127.0.0.1", port);
        await connection.SendAsync(identify);
        await Next<ServerFrame>(connection, f => f is WelcomeFrame or RegisteredFrame);
        await connection.SendAsync(new JoinRequest(room));
        await Next<JoinedFrame>(connection);
        return connection;
    }

    private static async Task<T> Next<T>(ChatConnection connection, Func<T, bool>? match = null) where T : ServerFrame
    {
        using var timeout = new CancellationTokenSource(Within);
        while (true)
        {
            var frame = await connection.ReceiveAsync(timeout.Token) ?? throw new InvalidOperationException($"closed before a {typeof(T).Name}");
            if (frame is T wanted && (match is null || match(wanted))) return wanted;
        }
    }

    [Fact]
    public async Task On_a_terminal_typing_a_line_tells_the_room_and_the_newest_message_shown_is_marked_read()
    {
        Assert.True(File.Exists("/usr/bin/script") || File.Exists("/bin/script"), "util-linux script is needed (apt-get install bsdutils)");
        await using var server = await TestServer.StartAsync();
        var port = server.TcpEndpoint.Port;
        await (await MemberAsync(port, new RegisterRequest("alice", Password))).DisposeAsync();
        await using var bob = await MemberAsync(port, new HelloRequest("bob"));

        await using (var client = OnTerminal(port, "--name", "alice", "--password", Password))
        {
            await client.WaitForAsync(o => Visible(o).Contains("#general> "), "the prompt", Within);
            await client.WriteAsync("/jo"); // a command being typed is nobody's business
            await client.WriteAsync("\u0015hel"); // Ctrl+U, then a line for the room
            var typing = await Next<ServerFrame>(bob, f => f is TypingFrame or MessageFrame);
            Assert.Equal(new TypingFrame("general", "alice"), typing);

            long newest = 0;
            for (var i = 1; i <= 3; i++)
            {
                await bob.SendAsync(new SayRequest("general", $"news {i}") { Ref = $"n{i}" });
                newest = (await Next<MessageFrame>(bob, m => m.Ref == $"n{i}")).Seq;
            }
            await client.WaitForAsync(o => Visible(o).Contains("bob: news 3"), "the last message", Within);
            await client.WriteAsync("\u0015/quit\r");
            Assert.Equal(0, await client.WaitForExitAsync(Within));
            Assert.DoesNotContain("Done: read", client.Output); // answered quietly
            Assert.DoesNotContain("Done: typing", client.Output);

            await using var again = await ChatConnection.ConnectAsync("127.0.0.1", port);
            await again.SendAsync(new HelloRequest("alice", Password));
            await Next<WelcomeFrame>(again);
            await again.SendAsync(new JoinRequest("general"));
            Assert.Equal(newest, (await Next<JoinedFrame>(again)).LastRead);
        }
    }
}
