using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Tests.Support;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>
/// What the console tells others and the server without a command: that the user is typing (on a terminal, whose
/// line editor sees the keys) and how far they have read the room they are in. Shares the terminal and member
/// helpers of the conversation specs.
/// </summary>
public sealed partial class ClientConversationSpec
{
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
