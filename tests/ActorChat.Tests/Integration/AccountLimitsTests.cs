using ActorChat.Messages;
using ActorChat.Server.Accounts;
using ActorChat.Server.Configuration;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using Akka.Actor;

namespace ActorChat.Tests.Integration;

/// <summary>Hostile registrations: the number of accounts and the rate one address makes them are bounded.</summary>
public sealed class AccountLimitsTests
{
    /// <summary>Cheap hashes, so that a loop of registrations measures the limits and not a busy machine.</summary>
    private static ServerSettings Cheap(params string[] flags)
    {
        var settings = TestServer.Settings(flags);
        return settings with { Accounts = settings.Accounts with { HashIterations = 1000 } };
    }

    private static async Task<ServerFrame> RegisterAsync(RunningChatServer server, string name)
    {
        await using var client = await TestClient.ConnectAsync(server);
        await client.SendAsync(new RegisterRequest(name, name + "-password") { Ref = name });
        return await client.ExpectAsync<ServerFrame>(f => f is RegisteredFrame or ErrorFrame);
    }

    private static Task<bool> HasAccountAsync(RunningChatServer server, string name) =>
        server.System.ActorSelection("/user/accounts").Ask<bool>(new AccountBook.Exists(name), TimeSpan.FromSeconds(10));

    [Fact(Timeout = 60_000)]
    public async Task A_loop_of_registrations_stops_at_the_servers_account_limit_and_everything_else_still_works()
    {
        await using var server = await TestServer.StartAsync(Cheap("--max-accounts", "4"));
        var answers = new List<ServerFrame>();
        for (var i = 0; i < 10; i++) answers.Add(await RegisterAsync(server, $"bot{i}"));

        Assert.All(answers.Take(4), answer => Assert.IsType<RegisteredFrame>(answer));
        foreach (var answer in answers.Skip(4))
        {
            var refused = Assert.IsType<ErrorFrame>(answer);
            Assert.Equal(ErrorCodes.TooManyAccounts, refused.Code);
            Assert.Contains("no more accounts", refused.Message);
        }
        Assert.True(await HasAccountAsync(server, "bot3"));
        Assert.False(await HasAccountAsync(server, "bot9")); // nothing was kept of the refused ones

        // Those who have accounts sign in, guests chat.
        await using var bot0 = await TestClient.ConnectAsync(server);
        await bot0.SendAsync(new HelloRequest("bot0", "bot0-password"));
        await bot0.ExpectAsync<WelcomeFrame>();
        await using var guest = await TestClient.ConnectAsync(server, "guest");
        await guest.JoinAsync("lobby");
    }

    [Fact(Timeout = 60_000)]
    public async Task One_address_registers_a_few_accounts_and_is_refused_further_ones_unless_it_is_exempt()
    {
        await using (var server = await TestServer.StartAsync(Cheap("--exempt-addresses", "")))
        {
            var answers = new List<ServerFrame>();
            for (var i = 0; i < 6; i++) answers.Add(await RegisterAsync(server, $"sock{i}"));
            Assert.All(answers.Take(3), answer => Assert.IsType<RegisteredFrame>(answer));
            foreach (var answer in answers.Skip(3))
            {
                var refused = Assert.IsType<ErrorFrame>(answer);
                Assert.Equal(ErrorCodes.TooManyAccounts, refused.Code);
                Assert.Contains("Your address registered 3 accounts", refused.Message);
            }
            Assert.False(await HasAccountAsync(server, "sock5"));
            await using var sock0 = await TestClient.ConnectAsync(server);
            await sock0.SendAsync(new HelloRequest("sock0", "sock0-password"));
            await sock0.ExpectAsync<WelcomeFrame>();
        }

        // Loopback is exempt by default, as it is from the connection limits.
        await using (var server = await TestServer.StartAsync(Cheap()))
        {
            for (var i = 0; i < 6; i++) Assert.IsType<RegisteredFrame>(await RegisterAsync(server, $"local{i}"));
        }
    }

    [Fact]
    public void The_registration_window_forgets_old_registrations_and_remembers_a_bounded_number_of_addresses()
    {
        var window = new RegistrationWindow(2, TimeSpan.FromMinutes(10), [], maxAddresses: 100);
        var start = DateTimeOffset.UnixEpoch;
        Assert.True(window.TryRegister("192.0.2.1", start));
        Assert.True(window.TryRegister("192.0.2.1", start + TimeSpan.FromMinutes(1)));
        Assert.False(window.TryRegister("192.0.2.1", start + TimeSpan.FromMinutes(2)));
        Assert.True(window.TryRegister("192.0.2.1", start + TimeSpan.FromMinutes(10)));

        for (var i = 0; i < 1000; i++) window.TryRegister($"198.51.{i / 256}.{i % 256}", start + TimeSpan.FromSeconds(i));
        Assert.True(window.TrackedAddresses <= 100, $"{window.TrackedAddresses} addresses remembered");
    }

    [Fact]
    public void The_account_limits_are_read_from_hocon_and_the_flag()
    {
        var defaults = TestServer.Settings().Accounts;
        Assert.Equal((100_000, 3, TimeSpan.FromMinutes(10)), (defaults.MaxAccounts, defaults.RegistrationsPerAddress, defaults.RegistrationPeriod));
        Assert.Equal(7, TestServer.Settings("--max-accounts", "7").Accounts.MaxAccounts);
    }
}
