using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Integration;

/// <summary>A flood of sign-ins fills the bounded queue of password hashes: the rest get busy, and honest clients still sign in.</summary>
public sealed class SignInFloodTests
{
    [Fact(Timeout = 90_000)]
    public async Task A_flood_of_sign_ins_past_the_hash_queue_gets_busy_and_an_honest_client_signs_in_afterwards()
    {
        var settings = TestServer.Settings();
        // One hash at a time, two waiting; real (slow) hashes, so the flood arrives while the first is still running.
        settings = settings with
        {
            Accounts = settings.Accounts with { ConcurrentHashes = 1, QueuedHashes = 2, FailedSignInDelay = TimeSpan.FromMilliseconds(10), MaxSignInDelay = TimeSpan.FromMilliseconds(50) },
        };
        await using var server = await TestServer.StartAsync(settings);
        await using (var alice = await TestClient.ConnectAsync(server))
        {
            await alice.SendAsync(new RegisterRequest("alice", "alices-password"));
            await alice.ExpectAsync<RegisteredFrame>(timeout: TimeSpan.FromSeconds(30));
        }

        const int flood = 16;
        var clients = new List<TestClient>();
        try
        {
            for (var i = 0; i < flood; i++) clients.Add(await TestClient.ConnectAsync(server));
            await Task.WhenAll(clients.Select((client, i) => client.SendAsync(new HelloRequest($"ghost{i}", "not-the-password"))));
            var answers = await Task.WhenAll(clients.Select(client => client.ExpectAsync<ErrorFrame>(timeout: TimeSpan.FromSeconds(60))));

            Assert.All(answers, answer => Assert.Contains(answer.Code, new[] { ErrorCodes.Busy, ErrorCodes.AuthFailed }));
            var busy = answers.Count(answer => answer.Code == ErrorCodes.Busy);
            Assert.True(busy >= 1, "no sign-in was refused busy");
            Assert.True(flood - busy >= 3, $"only {flood - busy} sign-ins were hashed; one runs and two wait");
            Assert.Contains("Too many sign-ins at once", answers.First(answer => answer.Code == ErrorCodes.Busy).Message);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }

        // The queue drains: an honest client signs in (the address's failures may delay it a little, never refuse it).
        await using var honest = await TestClient.ConnectAsync(server);
        await honest.SendAsync(new HelloRequest("alice", "alices-password"));
        Assert.Equal("alice", (await honest.ExpectAsync<WelcomeFrame>(timeout: TimeSpan.FromSeconds(30))).Name);
    }
}
