using ActorChat.Messages;
using ActorChat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Tests.Web;

/// <summary>Kept direct messages on the web page: the conversations listed with unread counts, opened with their history.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserDirectMessagesTests(ChromiumFixture chromium)
{
    [Fact(Timeout = 120_000)]
    public async Task Messages_sent_while_bob_was_away_show_as_an_unread_conversation_and_opening_it_loads_them()
    {
        await using var server = await TestServer.StartAsync();
        await using (var bob = await TestClient.ConnectAsync(server))
        {
            await bob.SendAsync(new RegisterRequest("bob", BrowserAccountTests.Password));
            await bob.ExpectAsync<RegisteredFrame>();
        }
        await using var alice = await TestClient.ConnectAsync(server);
        await alice.SendAsync(new RegisterRequest("alice", BrowserAccountTests.Password));
        await alice.ExpectAsync<RegisteredFrame>();
        await alice.SendAsync(new DirectMessageRequest("bob", "the keys are under the mat"));
        await alice.SendAsync(new DirectMessageRequest("bob", "see you at eight") { Ref = "last" });
        await alice.ExpectAsync<DirectMessageFrame>(d => d.Ref == "last");

        await using var page = await ChatPage.OpenAsync(chromium.Browser, server.WebUri());
        await page.Page.Locator("#name-input").FillAsync("bob");
        await page.Page.Locator("#password-input").FillAsync(BrowserAccountTests.Password);
        await page.Page.Locator("#sign-in-button").ClickAsync();
        await Expect(page.Title).ToHaveTextAsync("#general");

        var conversation = page.Conversation("@alice");
        await Expect(conversation.Locator(".badge")).ToHaveTextAsync("2");
        await conversation.ClickAsync();
        await Expect(page.Title).ToHaveTextAsync("@alice");
        await page.ExpectMessageAsync("alice", "the keys are under the mat");
        await page.ExpectMessageAsync("alice", "see you at eight");
        await Expect(conversation.Locator(".badge")).ToHaveCountAsync(0);

        // Opening it marked it read: alice's next message is the only unread one.
        await alice.SendAsync(new DirectMessageRequest("bob", "one more") { Ref = "more" });
        await alice.ExpectAsync<DirectMessageFrame>(d => d.Ref == "more");
        await page.ExpectMessageAsync("alice", "one more");
        await page.Page.Locator("#conversations button[data-key='general']").ClickAsync();
        await page.Page.ReloadAsync();
        await Expect(page.Title).ToHaveTextAsync("#general");
        await Expect(page.Conversation("@alice")).ToBeVisibleAsync();
        await Expect(page.Conversation("@alice").Locator(".badge")).ToHaveCountAsync(0);
    }
}
