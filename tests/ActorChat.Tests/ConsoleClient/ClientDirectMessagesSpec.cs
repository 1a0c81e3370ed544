using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Tests.Support;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>The built client lists kept direct-message conversations (/dms) and pages one (/history @name).</summary>
[Collection(nameof(ClientProcessTests))]
public sealed class ClientDirectMessagesSpec
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private const string Password = "correct-horse-battery";

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
    public async Task Piped_dms_lists_conversations_with_unread_counts_and_history_at_name_shows_the_conversation()
    {
        await using var server = await TestServer.StartAsync();
        var port = server.TcpEndpoint.Port;
        await using (var bob = await ChatConnection.ConnectAsync("127.0.0.1", port))
        {
            await bob.SendAsync(new RegisterRequest("bob", Password));
            await Next<RegisteredFrame>(bob);
        }
        await using var alice = await ChatConnection.ConnectAsync("127.0.0.1", port);
        await alice.SendAsync(new RegisterRequest("alice", Password));
        await Next<RegisteredFrame>(alice);
        await alice.SendAsync(new DirectMessageRequest("bob", "the keys are under the mat"));
        await Next<DirectMessageFrame>(alice);
        await alice.SendAsync(new DirectMessageRequest("bob", "see you at eight"));
        await Next<DirectMessageFrame>(alice);

        await using var client = ChildProcess.StartDotnet(BuiltApps.ClientDll,
            "--host", "127.0.0.1", "--port", port.ToString(), "--name", "bob", "--password", Password);
        await client.WriteAsync("/dms\n/history @alice 1\n/history @alice\n");
        await client.WaitForAsync("end of earlier messages in @alice", Within);
        await client.WaitForAsync("the keys are under the mat", Within);
        client.CloseInput();
        Assert.Equal(0, await client.WaitForExitAsync(Within));

        var output = client.Output;
        Assert.Contains("@alice (2 unread): alice: see you at eight", output);
        Assert.Contains("— 1 earlier message in @alice —", output);
        Assert.Contains("[1] #@alice alice: the keys are under the mat", output);
    }
}
