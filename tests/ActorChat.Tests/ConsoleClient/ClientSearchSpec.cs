using ActorChat.Client.Security;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Search;
using ActorChat.Tests.Support;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>The built client process with input from a pipe: /search shows what was found, with its room.</summary>
[Collection(nameof(ClientProcessTests))]
public sealed class ClientSearchSpec : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private readonly string _configDir = Path.Combine(Path.GetTempPath(), "actorchat-client-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_configDir)) Directory.Delete(_configDir, recursive: true);
    }

    private ChildProcess Client(RunningChatServer server, params string[] arguments) =>
        ChildProcess.Start("dotnet", [BuiltApps.ClientDll, "--host", "127.0.0.1", "--port", server.TcpEndpoint.Port.ToString(), .. arguments],
            new Dictionary<string, string> { [KnownServers.ConfigDirVariable] = _configDir });

    [Fact]
    public async Task Search_lists_the_messages_found_with_their_room_and_sender_and_says_when_nothing_is()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await alice.JoinAsync("kitchen");
        await alice.SendAsync(new SayRequest("kitchen", "the kettle is broken"));
        await alice.ExpectAsync<MessageFrame>();
        await SearchOverTcpTests.SearchUntilAsync(alice, new SearchRequest("kettle"), r => r.Results.Count == 1);
        await using var client = Client(server, "--name", "bob");

        await client.WriteAsync("/search KETTLE\n/search toaster\n/search NEAR(x\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Contains("#kitchen", client.Output);
        Assert.Contains("<alice> the kettle is broken", client.Output);
        Assert.Contains("Nothing found for toaster.", client.Output);
        Assert.Contains("[bad_query]", client.Output);
    }
}
