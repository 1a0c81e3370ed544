using ActorChat.Server.Accounts;
using ActorChat.Server.Configuration;
using ActorChat.Tests.Support;
using Akka.Actor;

namespace ActorChat.Tests.Accounts;

/// <summary>The account book's log of failed sign-ins is bounded, and says how much it left out.</summary>
public sealed class AccountBookSpec() : Akka.TestKit.Xunit2.TestKit(PersistenceSpecConfig.Hocon)
{
    [Fact]
    public void Many_failed_sign_ins_make_at_most_twenty_log_lines_a_minute_and_the_next_one_counts_the_rest()
    {
        var now = DateTimeOffset.UnixEpoch + TimeSpan.FromDays(20000);
        var settings = new AccountSettings(AccountMode.Optional, [], HashIterations: 1000,
            FailedSignInDelay: TimeSpan.Zero, MaxSignInDelay: TimeSpan.Zero, QueuedHashes: 100);
        var book = Sys.ActorOf(AccountBook.Props(settings, () => now));

        void FailOnce(int i)
        {
            book.Tell(new AccountBook.SignIn($"ghost{i}", new Secret("wrong-password"), "192.0.2.9", TestActor));
            ExpectMsg<AccountBook.Refused>(TimeSpan.FromSeconds(10));
        }

        EventFilter.Warning(contains: "Failed sign-in as").Expect(20, TimeSpan.FromSeconds(30), () =>
        {
            for (var i = 0; i < 50; i++) FailOnce(i);
        });

        now += TimeSpan.FromMinutes(1);
        EventFilter.Warning(contains: "; 30 more failed sign-ins not logged").ExpectOne(TimeSpan.FromSeconds(10), () => FailOnce(50));
    }
}
