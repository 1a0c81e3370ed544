using ActorChat.Messages;
using ActorChat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Tests.Web;

/// <summary>A room that belongs to someone, on the web page: its topic, kicking, deleting messages, private rooms.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserModerationTests(ChromiumFixture chromium)
{
    [Fact(Timeout = 120_000)]
    public async Task An_owner_sets_the_topic_from_the_room_settings_and_another_page_sees_it_live_and_after_a_reload()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "alice");
        await alice.JoinAsync("den");
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await bob.JoinAsync("den");

        await alice.Page.Locator("#room-menu summary").ClickAsync();
        await alice.Page.Locator("#topic-input").FillAsync("Release on Friday");
        await alice.Page.Locator("#topic-form button").ClickAsync();

        await Expect(bob.Page.Locator("#room-topic")).ToHaveTextAsync("Release on Friday");
        await Expect(bob.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "alice set the topic: Release on Friday" })).ToHaveCountAsync(1);
        await Expect(alice.Page.Locator("#room-topic")).ToHaveTextAsync("Release on Friday");
        await Expect(bob.Page.Locator("#room-menu")).ToBeHiddenAsync(); // a guest moderates nothing
        await bob.Page.ReloadAsync();
        await Expect(bob.Title).ToHaveTextAsync("#den");
        await Expect(bob.Page.Locator("#room-topic")).ToHaveTextAsync("Release on Friday"); // from joined.topic
    }

    [Fact(Timeout = 120_000)]
    public async Task An_owner_kicks_a_member_with_a_command_and_the_member_is_told_why()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "alice");
        await alice.JoinAsync("den");
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await bob.JoinAsync("den");
        await Expect(alice.Member("bob")).ToBeVisibleAsync();

        await alice.SayAsync("/kick bob spamming links");

        await Expect(bob.Page.Locator("#notice")).ToHaveTextAsync("You were removed from #den by alice: spamming links");
        await Expect(bob.Conversation("den")).ToHaveCountAsync(0);
        await Expect(alice.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "bob was removed by alice: spamming links" })).ToHaveCountAsync(1);
        await Expect(alice.Member("bob")).ToHaveCountAsync(0);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_owner_kicks_a_member_from_the_member_list()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "alice");
        await alice.JoinAsync("den");
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await bob.JoinAsync("den");

        await alice.Member("bob").Locator(".member-kick").ClickAsync();

        await Expect(bob.Page.Locator("#notice")).ToHaveTextAsync("You were removed from #den by alice");
        await Expect(alice.Member("bob")).ToHaveCountAsync(0);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_message_an_owner_deletes_shows_as_deleted_on_both_pages()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "alice");
        await alice.JoinAsync("den");
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await bob.JoinAsync("den");
        await bob.SayAsync("wrong window, sorry");
        await alice.ExpectMessageAsync("bob", "wrong window, sorry");

        await alice.Messages.Filter(new LocatorFilterOptions { HasTextString = "wrong window" }).Locator(".line-delete").ClickAsync();

        foreach (var page in new[] { alice, bob })
        {
            var deleted = page.Page.Locator("#messages .line-deleted");
            await Expect(deleted).ToHaveCountAsync(1);
            await Expect(deleted.Locator(".line-text")).ToHaveTextAsync("message deleted");
            await Expect(deleted.Locator(".line-sender")).ToHaveTextAsync("bob");
            await Expect(page.Messages.Filter(new LocatorFilterOptions { HasTextString = "wrong window" })).ToHaveCountAsync(0);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_guest_deletes_their_own_message_and_a_reloaded_page_shows_the_tombstone()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await using var carol = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "carol");
        await bob.SayAsync("typo in ths one");
        await carol.ExpectMessageAsync("bob", "typo in ths one");
        await Expect(carol.Messages.Locator(".line-delete")).ToHaveCountAsync(0); // a guest deletes only their own

        await bob.Messages.Filter(new LocatorFilterOptions { HasTextString = "typo" }).Locator(".line-delete").ClickAsync();

        await Expect(carol.Page.Locator("#messages .line-deleted")).ToHaveCountAsync(1);
        await carol.Page.ReloadAsync();
        await Expect(carol.Status).ToHaveAttributeAsync("data-state", "connected");
        await Expect(carol.Page.Locator("#messages .line-deleted .line-text")).ToHaveTextAsync("message deleted");
    }

    [Fact(Timeout = 120_000)]
    public async Task Joining_a_private_room_asks_for_its_password_and_says_plainly_when_it_is_wrong()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "alice");
        await alice.JoinAsync("den");
        await alice.SayAsync("/mode private sesame");
        await Expect(alice.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "alice made #den private, with a password" })).ToHaveCountAsync(1);
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        var notice = bob.Page.Locator("#notice");

        await bob.Page.Locator("#room-input").FillAsync("den");
        await bob.Page.Locator("#room-input").PressAsync("Enter");
        await Expect(notice).ToHaveTextAsync("#den is private: you need an invitation or its password.");
        await Expect(bob.Page.Locator("#join-password-input")).ToBeFocusedAsync();
        await bob.Page.Locator("#join-password-input").FillAsync("open sesame");
        await bob.Page.Locator("#join-password-input").PressAsync("Enter");
        await Expect(notice).ToHaveTextAsync("That is not the password of #den.");
        await bob.Page.Locator("#join-password-input").FillAsync("sesame");
        await bob.Page.Locator("#join-password-input").PressAsync("Enter");

        await Expect(bob.Title).ToHaveTextAsync("#den");
        await Expect(notice).ToBeHiddenAsync();
        await Expect(bob.Page.Locator("#join-password-prompt")).ToBeHiddenAsync();
        Assert.False(bob.DialogOpened);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_owner_invites_a_user_from_the_room_settings_and_they_join_the_private_room_without_its_password()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "alice");
        await alice.JoinAsync("den");
        await alice.Page.Locator("#room-menu summary").ClickAsync();
        await alice.Page.Locator("#private-input").CheckAsync();
        await alice.Page.Locator("#room-password-input").FillAsync("sesame");
        await alice.Page.Locator("#mode-form button").ClickAsync();
        await Expect(alice.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "alice made #den private, with a password" })).ToHaveCountAsync(1);

        await alice.Page.Locator("#invite-input").FillAsync("bob");
        await alice.Page.Locator("#invite-form button").ClickAsync();
        await Expect(alice.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "bob may now join #den (invited by alice)" })).ToHaveCountAsync(1);

        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await bob.JoinAsync("den");
        await Expect(bob.Page.Locator("#notice")).ToBeHiddenAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task A_member_banned_with_a_command_is_put_out_and_told_so_when_joining_again()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "alice");
        await alice.JoinAsync("den");
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await bob.JoinAsync("den");

        await alice.SayAsync("/ban bob flooding");
        await Expect(bob.Page.Locator("#notice")).ToHaveTextAsync("You were removed from #den by alice: flooding");
        await Expect(alice.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "bob is banned from #den: flooding" })).ToHaveCountAsync(1);

        await bob.Page.Locator("#room-input").FillAsync("den");
        await bob.Page.Locator("#room-input").PressAsync("Enter");
        await Expect(bob.Page.Locator("#notice")).ToContainTextAsync("You are banned from #den.");
        await Expect(bob.Page.Locator("#join-password-prompt")).ToBeHiddenAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task A_member_without_a_role_is_told_plainly_that_they_may_not_set_the_topic()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "alice");
        await alice.JoinAsync("den");
        await using var bob = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "bob");
        await bob.JoinAsync("den");

        await bob.SayAsync("/topic mine now");

        await Expect(bob.ErrorLines.Filter(new LocatorFilterOptions { HasTextString = "Only the room's owners and moderators may set its topic." })).ToHaveCountAsync(1);
        await Expect(alice.Page.Locator("#room-topic")).ToBeHiddenAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task An_owner_makes_a_member_a_moderator_from_the_member_list_who_may_then_lift_a_room_ban_and_refusals_are_told_plainly()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "alice");
        await alice.JoinAsync("den");
        await using var bob = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "bob");
        await bob.JoinAsync("den");
        await Expect(bob.Member("alice").Locator(".member-role")).ToHaveTextAsync("owner");
        await Expect(alice.Member("alice").Locator(".member-role")).ToHaveTextAsync("owner");
        await Expect(bob.Member("alice").Locator(".member-kick")).ToHaveCountAsync(0); // a plain member moderates nobody
        await Expect(bob.Member("alice").Locator(".member-role-select")).ToHaveCountAsync(0);
        await alice.SayAsync("/ban carol flooding");
        await Expect(alice.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "carol is banned from #den: flooding" })).ToHaveCountAsync(1);

        await bob.Page.Locator("#room-menu summary").ClickAsync();
        await bob.Page.Locator("#unban-input").FillAsync("carol");
        await bob.Page.Locator("#unban-form button").ClickAsync();
        await Expect(bob.ErrorLines.Filter(new LocatorFilterOptions { HasTextString = "Could not lift the room ban (carol): Only the room's owners and moderators may unban." })).ToHaveCountAsync(1);

        await alice.Member("bob").Locator(".member-role-select").SelectOptionAsync("moderator");
        await Expect(bob.Member("bob").Locator(".member-role")).ToHaveTextAsync("moderator");
        await Expect(alice.Member("bob").Locator(".member-role")).ToHaveTextAsync("moderator");
        await Expect(alice.Member("bob").Locator(".member-role-select")).ToHaveValueAsync("moderator");
        await bob.Page.Locator("#unban-input").FillAsync("carol");
        await bob.Page.Locator("#unban-form button").ClickAsync();
        await Expect(bob.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "carol may join #den again" })).ToHaveCountAsync(1);

        await alice.SayAsync("/role alice member");
        await Expect(alice.ErrorLines.Filter(new LocatorFilterOptions { HasTextString = "Could not change the role (alice):" })).ToHaveCountAsync(1);
        await Expect(alice.Member("alice").Locator(".member-role")).ToHaveTextAsync("owner");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_signed_in_operator_on_a_phone_disconnects_one_member_and_bans_another_from_the_server_from_the_member_list()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var mallory = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "mallory");
        await using var eve = await TestClient.ConnectAsync(server, "eve");
        await eve.JoinAsync("general");
        await using var root = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "root", ChatPage.Phone);
        await Expect(mallory.Member("root")).ToBeVisibleAsync();
        await Expect(mallory.Member("root").Locator(".member-kill")).ToHaveCountAsync(0); // not an operator
        var kill = root.Member("mallory").Locator(".member-kill");
        await kill.ScrollIntoViewIfNeededAsync();
        var box = await kill.BoundingBoxAsync();
        Assert.True(box is { } b && b.X >= 0 && b.X + b.Width <= ChatPage.Phone.Width, "the Kill button is on the phone's screen");

        await kill.ClickAsync();

        await Expect(mallory.Page.Locator("#login-error")).ToHaveTextAsync("An operator disconnected you.");
        await Expect(mallory.Page.Locator("#login")).ToBeVisibleAsync();
        await Expect(root.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "mallory was disconnected from the server" })).ToHaveCountAsync(1);
        await Expect(root.Member("mallory")).ToHaveCountAsync(0);

        await root.Member("eve").Locator(".member-gban").ClickAsync();

        await Expect(root.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "eve is banned from the server" })).ToHaveCountAsync(1);
        Assert.Equal(ByeFrame.Banned, (await eve.ExpectAsync<ByeFrame>()).Reason);
        await Expect(mallory.Page.Locator("#status")).ToHaveAttributeAsync("data-state", "disconnected"); // it did not reconnect
        await using var eveAgain = await TestClient.ConnectAsync(server);
        await eveAgain.SendAsync(new HelloRequest("eve"));
        var refused = await eveAgain.NextAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.Banned, refused.Code);
        Assert.Contains("for good", refused.Message);
    }
}
