using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
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

    /// <summary>The client on a pseudo-terminal of <paramref name="columns"/> columns by 24 rows.</summary>
    private static ChildProcess OnTerminal(int port, int columns = 200, params string[] arguments)
    {
        var command = $"stty cols {columns} rows 24; exec dotnet {BuiltApps.ClientDll} --host 127.0.0.1 --port {port} {string.Join(' ', arguments)}";
        return ChildProcess.Start("script", ["-qfec", command, "/dev/null"], new Dictionary<string, string> { ["TERM"] = "xterm" });
    }

    private static void NeedsScript() =>
        Assert.True(File.Exists("/usr/bin/script") || File.Exists("/bin/script"), "util-linux script is needed (apt-get install bsdutils)");

    [Fact]
    public async Task A_message_arriving_while_typing_leaves_the_half_typed_line_intact()
    {
        NeedsScript();
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
            await client.WaitForAsync(o => Visible(o).Contains("bob: hello"), "bob: hello", Within);
        }

        var screen = Visible(client.Output);
        Assert.Contains("\n#general> ", screen); // the prompt is the room alone
        Assert.Contains("alice: arrives while bob types", screen);
        Assert.Contains("\u001b[36m*** alice joined #general", client.Output); // system lines in colour on a terminal

        await client.WriteAsync("/quit\r");
        Assert.Equal(0, await client.WaitForExitAsync(Within));
    }

    [Theory]
    [InlineData("/quit\r")]
    [InlineData("exit\r")]
    [InlineData("\u0004")] // Ctrl+D on an empty line
    public async Task Quitting_while_reconnecting_ends_the_client_with_exit_code_0(string keys)
    {
        NeedsScript();
        RunningChatServer? server = await TestServer.StartAsync();
        await using var client = OnTerminal(server.TcpEndpoint.Port, arguments: ["--name", "bob"]);
        try
        {
            await client.WaitForAsync("*** You joined #general", Within);
            await server.DisposeAsync();
            server = null;
            await client.WaitForAsync("Lost the connection", Within);

            await client.WriteAsync(keys);

            Assert.Equal(0, await client.WaitForExitAsync(Within));
            Assert.DoesNotContain("Unhandled exception", client.Output);
            Assert.Contains("*** Bye.", client.Output);
        }
        finally
        {
            if (server is not null) await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Quitting_while_the_first_connection_waits_for_its_welcome_ends_the_client_with_exit_code_0()
    {
        NeedsScript();
        using var silent = new TcpListener(IPAddress.Loopback, 0); // accepts, never welcomes
        silent.Start();
        await using var client = OnTerminal(((IPEndPoint)silent.LocalEndpoint).Port, arguments: ["--name", "bob"]);
        using var accepted = await silent.AcceptSocketAsync(new CancellationTokenSource(Within).Token);

        await client.WriteAsync("/quit\r");

        // Before the connect timeout (5 s), which would end it with exit code 1.
        Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(4)));
        Assert.DoesNotContain("Unhandled exception", client.Output);
    }

    [Fact]
    public async Task A_line_longer_than_the_terminal_wraps_under_one_short_prompt()
    {
        NeedsScript();
        const int columns = 80;
        await using var server = await TestServer.StartAsync();
        await using var client = OnTerminal(server.TcpEndpoint.Port, columns, "--name", "bob");
        await client.WaitForAsync(o => Visible(o).Contains("#general> "), "the prompt", Within);
        var line = string.Concat(Enumerable.Repeat("abcdefghij", 32)); // 320 characters, typed key by key
        Assert.Equal(320, line.Length);

        foreach (var chunk in line.Chunk(40)) await client.WriteAsync(new string(chunk));
        await client.WaitForAsync(o => string.Concat(TerminalScreen.Render(o, columns)).Contains(line), "the whole typed line", Within);

        var typing = TerminalScreen.Render(client.Output, columns);
        var prompts = typing.Where(r => r.Contains("#general>")).ToList();
        Assert.True(prompts.Count == 1, "one prompt on screen while typing:\n" + string.Join('\n', typing));
        var promptRow = typing.ToList().FindIndex(r => r.StartsWith("#general> ", StringComparison.Ordinal));
        Assert.Equal("#general> " + line, string.Concat(typing.Skip(promptRow)));
        Assert.All(typing.Skip(promptRow).SkipLast(1), r => Assert.Equal(columns, r.Length)); // wrapped at the margin

        await client.WriteAsync("\r");
        // The message is printed first and the prompt drawn again under it: wait for both before looking.
        await client.WaitForAsync(o => TerminalScreen.Render(o, columns) is var rows
            && rows.Any(r => r.Contains("bob: abcdefghij")) && rows.Last(r => r.Length > 0) == "#general>", "the message and the prompt under it", Within);
        var sent = TerminalScreen.Render(client.Output, columns);
        Assert.True(sent.Count(r => r.Contains("#general>")) == 1, "one prompt on screen after sending:\n" + string.Join('\n', sent));
        Assert.Equal("#general>", sent.Last(r => r.Length > 0));

        await client.WriteAsync("/quit\r");
        Assert.Equal(0, await client.WaitForExitAsync(Within));
    }

    [Fact]
    public async Task Slash_clear_clears_the_screen_and_help_lists_it_while_a_plain_clear_is_said()
    {
        NeedsScript();
        await using var server = await TestServer.StartAsync();
        await using var client = OnTerminal(server.TcpEndpoint.Port, 200, "--name", "bob");
        await client.WaitForAsync("*** You joined #general", Within);

        await client.WriteAsync("/help\r");
        await client.WaitForAsync("/clear", Within);
        await client.WriteAsync("clear\r");
        await client.WaitForAsync(o => Visible(o).Contains("bob: clear"), "bob: clear", Within); // only a line starting with '/' is a command
        Assert.Contains(TerminalScreen.Render(client.Output, 200), r => r.Contains("You joined #general"));

        await client.WriteAsync("/clear\r");
        // The screen holds the prompt alone (its trailing space is trimmed), and nothing of what was there before.
        await client.WaitForAsync(o => TerminalScreen.Render(o, 200).Where(r => r.Length > 0).SequenceEqual(["#general>"]), "a cleared screen", Within);

        await client.WriteAsync("/quit\r");
        Assert.Equal(0, await client.WaitForExitAsync(Within));
    }

    [Fact]
    public async Task An_error_is_reported_for_the_line_whose_ref_it_carries_even_when_an_earlier_line_is_still_unanswered()
    {
        NeedsScript();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource(Within);
        var serving = StandIn.ServeAsync(listener, stop.Token, AnswerSecondLineFirst());
        await using var client = OnTerminal(((IPEndPoint)listener.LocalEndpoint).Port, 200, "--name", "bob");
        await client.WaitForAsync("*** You joined #general", Within);

        await client.WriteAsync("first line\rsecond line\r");

        await client.WaitForAsync("Not sent to #general:", Within);
        await client.WaitForAsync(o => Visible(o).Contains("bob: first line"), "bob: first line", Within);
        Assert.Contains("!!! Not sent to #general: \"second line\" — the room is too busy just now; try again. [busy]", Visible(client.Output));
        Assert.DoesNotContain("\"first line\"", Visible(client.Output));
        await client.WriteAsync("/quit\r");
        Assert.Equal(0, await client.WaitForExitAsync(Within));
        await serving;
    }

    /// <summary>
    /// Holds the answer to the first say until the second came, then refuses the second before it echoes the first:
    /// a client that matched errors to the oldest line unanswered would blame the first.
    /// </summary>
    private static Func<ClientFrame, IEnumerable<ServerFrame>> AnswerSecondLineFirst()
    {
        SayRequest? held = null;
        return frame =>
        {
            if (frame is not SayRequest say) return StandIn.Answer(frame);
            if (held is null)
            {
                held = say;
                return [];
            }
            var first = held;
            held = null;
            return
            [
                new ErrorFrame(ErrorCodes.Busy, "Room 'general' is busy; try again.") { Ref = say.Ref },
                new MessageFrame("m1", first.Room, "bob", first.Text, "2026-01-01T10:00:00.000Z", 1) { Ref = first.Ref },
            ];
        };
    }
}
