using System.Text.RegularExpressions;
using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Tests.Support;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>Passwords on a pseudo-terminal (util-linux <c>script</c>): asked for without echo, and never shown.</summary>
[Collection(nameof(ClientProcessTests))]
public sealed partial class ClientTerminalPasswordSpec
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private const string Password = "correct-horse-battery";

    [GeneratedRegex(@"\u001b\[[0-9;]*[A-Za-z]")]
    private static partial Regex EscapeCode();

    private static string Visible(string output) => EscapeCode().Replace(output, "").Replace("\r\n", "\n").Replace('\r', '\n');

    private static ChildProcess OnTerminal(int port, params string[] arguments)
    {
        var command = $"stty cols 200 rows 24; exec dotnet {BuiltApps.ClientDll} --host 127.0.0.1 --port {port} {string.Join(' ', arguments)}";
        return ChildProcess.Start("script", ["-qfec", command, "/dev/null"], new Dictionary<string, string> { ["TERM"] = "xterm" });
    }

    private static void NeedsScript() =>
        Assert.True(File.Exists("/usr/bin/script") || File.Exists("/bin/script"), "util-linux script is needed (apt-get install bsdutils)");

    [Fact]
    public async Task A_registered_name_without_password_is_asked_for_it_without_echo_and_signs_in()
    {
        NeedsScript();
        await using var server = await TestServer.StartAsync();
        await using (var registering = await ChatConnection.ConnectAsync("127.0.0.1", server.TcpEndpoint.Port))
        {
            await registering.SendAsync(new RegisterRequest("alice", Password) { Ref = "r" });
            using var timeout = new CancellationTokenSource(Within);
            while (await registering.ReceiveAsync(timeout.Token) is { } frame && frame is not RegisteredFrame) Assert.IsNotType<ErrorFrame>(frame);
        }
        await using var client = OnTerminal(server.TcpEndpoint.Port, "--name", "alice");

        await client.WaitForAsync("Password for alice: ", Within);
        Assert.Contains("[auth_failed]", client.Output);
        await client.WriteAsync(Password + "\r");
        await client.WaitForAsync("as alice.", Within);
        await client.WaitForAsync(o => Visible(o).Contains("#general> "), "the prompt", Within);

        Assert.DoesNotContain(Password, client.Output);
        Assert.DoesNotContain("*****", client.Output); // not even its length
        await client.WriteAsync("/quit\r");
        Assert.Equal(0, await client.WaitForExitAsync(Within));
    }

    [Fact]
    public async Task A_register_line_is_shown_without_its_password_and_not_recalled_by_up()
    {
        NeedsScript();
        await using var server = await TestServer.StartAsync();
        await using var client = OnTerminal(server.TcpEndpoint.Port, "--name", "bob");
        await client.WaitForAsync(o => Visible(o).Contains("#general> "), "the prompt", Within);

        await client.WriteAsync($"/register {Password}\r");
        await client.WaitForAsync("Registered: bob is your account now", Within);
        await client.WriteAsync("\u001b[A"); // Up: the line before, were it kept
        await client.WriteAsync("/who\r");
        await client.WaitForAsync("In #general (1): bob", Within);

        Assert.Contains("#general> /register ***", Visible(client.Output));
        Assert.DoesNotContain(Password, client.Output);
        await client.WriteAsync("/quit\r");
        Assert.Equal(0, await client.WaitForExitAsync(Within));
    }

    [Fact]
    public async Task Register_without_a_password_asks_for_it_without_echo()
    {
        NeedsScript();
        await using var server = await TestServer.StartAsync();
        await using var client = OnTerminal(server.TcpEndpoint.Port, "--name", "bob");
        await client.WaitForAsync(o => Visible(o).Contains("#general> "), "the prompt", Within);

        await client.WriteAsync("/register\r");
        await client.WaitForAsync("Password for your account: ", Within);
        await client.WriteAsync(Password + "\r");
        await client.WaitForAsync("Registered: bob is your account now", Within);

        Assert.DoesNotContain(Password, client.Output);
        await client.WriteAsync("/quit\r");
        Assert.Equal(0, await client.WaitForExitAsync(Within));
    }
}
