using System.Text.RegularExpressions;
using ActorChat.Client;
using ActorChat.Client.Cli;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>
/// The built client against the real server: replies, reactions, edits, deletions and actions typed as commands,
/// and what others do shown, both with input from a pipe and on a pseudo-terminal.
/// </summary>
[Collection(nameof(ClientProcessTests))]
public sealed partial class ClientConversationSpec
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private const string Password = "correct-horse-battery";

    [GeneratedRegex(@"\u001b\[[0-9;]*[A-Za-z]")]
    private static partial Regex EscapeCode();

    private static string Visible(string output) => EscapeCode().Replace(output, "").Replace("\r\n", "\n").Replace('\r', '\n');

    private static ChildProcess Piped(int port, params string[] arguments) =>
        ChildProcess.StartDotnet(BuiltApps.ClientDll, ["--host", "127.0.0.1", "--port", port.ToString(), .. arguments]);

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
    public async Task Piped_reply_react_action_edit_and_delete_name_messages_by_their_number_and_show_what_changed()
    {
        await using var server = await TestServer.StartAsync();
        var port = server.TcpEndpoint.Port;
        await using var bob = await MemberAsync(port, new HelloRequest("bob"));
        await bob.SendAsync(new SayRequest("general", "lunch at noon?"));
        var asked = await Next<MessageFrame>(bob);
        await using var client = Piped(port, "--name", "alice");

        // [1] is bob's question; the reply is [2], the action [3].
        await client.WriteAsync("/reply 1 yes, at the fountain\n/react 1 👍\n/me waves\n/edit 2 yes, at the old fountain\n/delete 3\n/react 9 👍\n");
        client.CloseInput();
        Assert.Equal(0, await client.WaitForExitAsync(Within));

        var reply = await Next<MessageFrame>(bob, m => m.Sender == "alice");
        Assert.Equal((asked.Id, "bob", "lunch at noon?"), (reply.ReplyTo, reply.ReplyPreview?.Sender, reply.ReplyPreview?.Text));
        var reaction = await Next<ReactionFrame>(bob);
        Assert.Equal((asked.Id, "👍", "alice", true), (reaction.Id, reaction.Emoji, reaction.User, reaction.On));
        Assert.True((await Next<MessageFrame>(bob, m => m.Sender == "alice")).Action);
        Assert.Equal("yes, at the old fountain", (await Next<EditedFrame>(bob)).Text);
        Assert.Equal(3, (await Next<DeletedFrame>(bob)).Seq);

        var output = client.Output;
        Assert.Contains("[2] alice: (re bob: \"lunch at noon?\") yes, at the fountain", output);
        Assert.Contains("*** alice reacted 👍 to [1] [👍 1]", output);
        Assert.Contains("[3] * alice waves", output);
        Assert.Contains("[2] alice: (re bob: \"lunch at noon?\") yes, at the old fountain (edited)", output);
        Assert.Contains("[3] in #general: message deleted (by alice)", output);
        Assert.Contains("No message [9] shown in #general", output);
        Assert.DoesNotContain('\u001b', output); // a pipe: no colours
        Assert.DoesNotContain('\a', output);     // nor bells
    }

    [Fact]
    public async Task Piped_a_room_an_operator_drops_is_told_in_plain_words_and_left()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        var port = server.TcpEndpoint.Port;
        await (await MemberAsync(port, new RegisterRequest("root", Password), room: "lobby")).DisposeAsync();
        await using var root = await MemberAsync(port, new HelloRequest("root", Password), room: "lobby");
        await using var client = Piped(port, "--name", "alice", "--room", "spam");
        await client.WaitForAsync("You joined #spam", Within);

        await root.SendAsync(new DropRequest("spam", "spam"));
        await Next<DoneFrame>(root);
        await client.WaitForAsync("You are in no room now", Within);
        client.CloseInput();
        Assert.Equal(0, await client.WaitForExitAsync(Within));

        Assert.Contains("!!! An operator (root) removed #spam: spam. You are no longer in it;", client.Output);
    }

    [Fact]
    public async Task On_a_terminal_a_mention_rings_the_bell_typing_is_on_the_status_line_names_are_coloured_and_edits_and_reactions_by_others_appear()
    {
        Assert.True(File.Exists("/usr/bin/script") || File.Exists("/bin/script"), "util-linux script is needed (apt-get install bsdutils)");
        await using var server = await TestServer.StartAsync();
        var port = server.TcpEndpoint.Port;
        await using var client = OnTerminal(port, "--name", "alice");
        await client.WaitForAsync(o => Visible(o).Contains("#general> "), "the prompt", Within);
        await using var bob = await MemberAsync(port, new HelloRequest("bob"));

        await bob.SendAsync(new TypingRequest("general"));
        // Typing in the room one is in shows on the status line (the prompt), not as a line of its own, and is gone
        // from it once bob says something.
        await client.WaitForAsync(o => Visible(o).Contains("(bob is typing…) #general> "), "typing on the status line", Within);
        await bob.SendAsync(new SayRequest("general", "hey @alice, look"));
        var said = await Next<MessageFrame>(bob);
        await client.WaitForAsync(o => Visible(o).Contains("bob: hey @alice, look"), "the mention", Within);
        await client.WaitForAsync(o => TerminalScreen.Render(o, 200).Last(r => r.Length > 0) == "#general>", "the prompt without typing", Within);
        Assert.DoesNotContain("*** bob is typing", Visible(client.Output));
        await bob.SendAsync(new EditRequest("general", said.Id, "hey @alice, look here"));
        await client.WaitForAsync(o => Visible(o).Contains("bob: hey @alice, look here (edited)"), "the edit", Within);

        await client.WriteAsync("/react 1 🎉\r");
        await client.WaitForAsync(o => Visible(o).Contains("alice reacted 🎉 to [1] [🎉 1]"), "the own reaction", Within);
        await bob.SendAsync(new ReactRequest("general", said.Id, "🎉"));
        await client.WaitForAsync(o => Visible(o).Contains("bob reacted 🎉 to [1] [🎉 2]"), "bob's reaction", Within);

        var output = client.Output;
        var mention = output[..output.IndexOf("look\u001b", StringComparison.Ordinal)];
        Assert.Contains("\u001b[1;33m", mention[mention.LastIndexOf('\n')..]); // the mention stands out
        Assert.Contains("look\u001b[0m\a", output);                          // and rings once, at its end
        Assert.Equal(1, output.Count(c => c == '\a'));                        // the edit does not ring again
        Assert.Contains(AnsiStyle.ColourOfName("bob") + "bob", output); // a name in its colour

        await client.WriteAsync("/quit\r");
        Assert.Equal(0, await client.WaitForExitAsync(Within));
    }

}
