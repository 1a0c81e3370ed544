using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Operations;

/// <summary>The server's log at the default level: one Info line per connection opened and one per close, with its reason.</summary>
public sealed class ConnectionLogSpec
{
    [Fact(Timeout = 60_000)]
    public async Task A_connection_is_logged_when_it_opens_and_when_it_closes_with_who_it_was_and_the_reason()
    {
        await using var server = await ServerProcess.StartReadyAsync("--in-memory");
        await using (var alice = await ChatConnection.ConnectAsync("127.0.0.1", server.Port))
        {
            await alice.SendAsync(new HelloRequest("alice"));
            await alice.SendAsync(QuitRequest.Instance);
            while (await alice.ReceiveAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token) is not null) { }
        }

        var closed = "";
        for (var attempt = 0; attempt < 100 && closed.Length == 0; attempt++)
        {
            closed = server.StandardOutput.Split('\n').FirstOrDefault(l => l.Contains("(alice) closed")) ?? "";
            if (closed.Length == 0) await Task.Delay(100);
        }

        var opened = Assert.Single(server.StandardOutput.Split('\n'), l => l.Contains("TCP connection from 127.0.0.1:") && l.Contains(" opened"));
        Assert.Contains("info:", opened);
        Assert.Contains("info:", closed);
        Assert.EndsWith("closed: quit", closed.TrimEnd());
    }
}
