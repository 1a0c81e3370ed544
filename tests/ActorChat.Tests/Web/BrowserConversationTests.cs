using ActorChat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Tests.Web;

/// <summary>Conversations on the web page: replies, reactions, edits, mentions, typing, unread and safe text.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserConversationTests(ChromiumFixture chromium)
{
    /// <summary>
    /// Makes the page's visibility and the Notification API the test's to drive: window.__setHidden(bool),
    /// window.__permissionAsks and window.__notifications.
    /// </summary>
    private const string StubVisibilityAndNotifications = """
        (() => {
          window.__hidden = false;
          window.__permissionAsks = 0;
          window.__notifications = [];
          Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (window.__hidden ? 'hidden' : 'visible') });
          Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.__hidden });
          window.Notification = class { constructor(title, options) { window.__notifications.push(title + ': ' + (options && options.body)); } };
          window.Notification.permission = 'default';
          window.Notification.requestPermission = () => { window.__permissionAsks++; window.Notification.permission = 'granted'; return Promise.resolve('granted'); };
          window.__setHidden = (hidden) => { window.__hidden = hidden; document.dispatchEvent(new Event('visibilitychange')); };
        })();
        """;

    private static Task Stub(IPage page) => page.AddInitScriptAsync(StubVisibilityAndNotifications);

    private static ILocator MessageWith(ChatPage page, string text) =>
        page.Messages.Filter(new LocatorFilterOptions { Has = page.Page.Locator(".line-text", new PageLocatorOptions { HasTextString = text }) });

    [Fact(Timeout = 180_000)]
    public async Task A_reply_a_reaction_an_edit_with_Up_a_delete_and_an_action_reach_the_other_page()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await using var carol = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "carol");
        await bob.SayAsync("lunch at noon?");
        var question = MessageWith(carol, "lunch at noon?");

        await question.HoverAsync();
        await question.Locator(".line-reply-button").ClickAsync();
        await Expect(carol.Page.Locator("#reply-text")).ToContainTextAsync("Replying to bob");
        await carol.SayAsync("yes please");

        var reply = MessageWith(bob, "yes please");
        await Expect(reply.Locator(".line-reply")).ToHaveTextAsync("↪ bob: lunch at noon?");
        await Expect(carol.Page.Locator("#reply-bar")).ToBeHiddenAsync();

        await question.HoverAsync();
        await question.Locator(".line-react-button").ClickAsync();
        await question.Locator(".emoji-choice[data-emoji='👍']").ClickAsync();
        var bobsThumb = MessageWith(bob, "lunch at noon?").Locator(".reaction[data-emoji='👍']");
        await Expect(bobsThumb).ToHaveTextAsync("👍 1");
        await Expect(bobsThumb).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("reaction-own"));
        await Expect(question.Locator(".reaction-own")).ToHaveTextAsync("👍 1");
        await bobsThumb.ClickAsync();
        await Expect(question.Locator(".reaction[data-emoji='👍']")).ToHaveTextAsync("👍 2");
        await bobsThumb.ClickAsync(); // a second click takes bob's reaction back
        await Expect(question.Locator(".reaction[data-emoji='👍']")).ToHaveTextAsync("👍 1");

        await carol.Page.Locator("#message-input").PressAsync("ArrowUp");
        await Expect(carol.Page.Locator("#message-input")).ToHaveValueAsync("yes please");
        await carol.SayAsync("yes, please!");
        var edited = MessageWith(bob, "yes, please!");
        await Expect(edited.Locator(".line-edited")).ToHaveTextAsync("(edited)");
        await Expect(edited.Locator(".line-reply")).ToHaveTextAsync("↪ bob: lunch at noon?");

        await MessageWith(carol, "yes, please!").HoverAsync();
        await MessageWith(carol, "yes, please!").Locator(".line-delete").ClickAsync();
        await Expect(bob.Page.Locator("#messages .line-deleted .line-text")).ToHaveTextAsync("message deleted");

        await carol.SayAsync("/me waves");
        var action = bob.Page.Locator("#messages .line-action");
        await Expect(action.Locator(".line-sender")).ToHaveTextAsync("* carol");
        await Expect(action.Locator(".line-text")).ToHaveTextAsync("waves");

        await MessageWith(carol, "lunch at noon?").FocusAsync(); // the keyboard way to reply: R on a message
        await carol.Page.Keyboard.PressAsync("r");
        await Expect(carol.Page.Locator("#reply-text")).ToContainTextAsync("Replying to bob: lunch at noon?");
    }

    [Fact(Timeout = 120_000)]
    public async Task Tab_completes_a_member_name_and_the_mentioned_page_shows_typing_and_then_the_highlighted_message()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await using var carol = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "carol");
        await Expect(carol.Member("bob")).ToBeVisibleAsync();
        var input = carol.Page.Locator("#message-input");

        await input.PressSequentiallyAsync("hi @bo");
        await input.PressAsync("Tab");

        await Expect(input).ToHaveValueAsync("hi @bob ");
        await Expect(bob.Page.Locator("#typing")).ToHaveTextAsync("carol is typing…");
        await input.PressSequentiallyAsync("look");
        await input.PressAsync("Enter");
        var mention = MessageWith(bob, "hi @bob look");
        await Expect(mention).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("line-mention"));
        await Expect(MessageWith(carol, "hi @bob look")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("line-mention"));
        await Expect(bob.Page.Locator("#typing")).ToHaveTextAsync(""); // gone 5 s after the last typing frame
    }

    [Fact(Timeout = 120_000)]
    public async Task A_hidden_tab_counts_unread_messages_in_its_title_and_asks_for_notifications_only_when_mentioned()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob", prepare: Stub);
        await using var carol = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "carol");
        await bob.Page.EvaluateAsync("() => window.__setHidden(true)");

        await carol.SayAsync("anyone around?");
        await Expect(bob.Page).ToHaveTitleAsync("(1) ActorChat");
        Assert.Equal(0, await bob.Page.EvaluateAsync<int>("() => window.__permissionAsks"));

        await carol.SayAsync("@bob are you there?");
        await Expect(bob.Page).ToHaveTitleAsync("(2) ActorChat");
        await bob.Page.WaitForFunctionAsync("() => window.__notifications.length === 1");
        await carol.SayAsync("@bob hello?");
        await bob.Page.WaitForFunctionAsync("() => window.__notifications.length === 2");
        Assert.Equal(1, await bob.Page.EvaluateAsync<int>("() => window.__permissionAsks"));
        Assert.Equal("carol in #general: @bob are you there?", await bob.Page.EvaluateAsync<string>("() => window.__notifications[0]"));

        await bob.Page.EvaluateAsync("() => window.__setHidden(false)");
        await Expect(bob.Page).ToHaveTitleAsync("ActorChat");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_registered_user_who_reloads_finds_a_new_messages_line_where_they_stopped_reading()
    {
        await using var server = await TestServer.StartAsync();
        var readAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var alice = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "alice", prepare: async page =>
        {
            await Stub(page);
            page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) =>
            {
                if (frame.Text is { } text && text.Contains("\"request\":\"read\"")) readAnswered.TrySetResult();
            };
        });
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await bob.SayAsync("first");
        await alice.ExpectMessageAsync("bob", "first");
        await readAnswered.Task.WaitAsync(TimeSpan.FromSeconds(10)); // alice has read up to "first"

        await alice.Page.EvaluateAsync("() => window.__setHidden(true)");
        await bob.SayAsync("second");
        await bob.SayAsync("third");
        await Expect(alice.Page).ToHaveTitleAsync("(2) ActorChat");
        await alice.Page.ReloadAsync();

        await Expect(alice.Status).ToHaveAttributeAsync("data-state", "connected");
        await alice.ExpectMessageAsync("bob", "third");
        var line = alice.Page.Locator("#messages .line-new");
        await Expect(line).ToHaveCountAsync(1);
        await Expect(line).ToHaveTextAsync("New messages");
        await Expect(alice.Page.Locator("#messages .line-new + .line-message .line-text")).ToHaveTextAsync("second");
    }

    [Fact(Timeout = 120_000)]
    public async Task Markup_in_a_message_shows_as_text_while_links_bold_italic_and_code_render_safely()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await using var carol = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "carol");

        await carol.SayAsync("<img src=x onerror=alert(1)> see https://example.com/a?b=1, *bold* _it_ `x<b>y`");

        var message = MessageWith(bob, "see https://example.com");
        var text = message.Locator(".line-text");
        await Expect(text).ToHaveTextAsync("<img src=x onerror=alert(1)> see https://example.com/a?b=1, bold it x<b>y");
        await Expect(bob.Page.Locator("#messages img")).ToHaveCountAsync(0);
        await Expect(text.Locator("b")).ToHaveCountAsync(0);
        var link = text.Locator("a");
        await Expect(link).ToHaveAttributeAsync("href", "https://example.com/a?b=1");
        await Expect(link).ToHaveAttributeAsync("rel", "noopener noreferrer");
        await Expect(link).ToHaveAttributeAsync("target", "_blank");
        await Expect(text.Locator("strong")).ToHaveTextAsync("bold");
        await Expect(text.Locator("em")).ToHaveTextAsync("it");
        await Expect(text.Locator("code")).ToHaveTextAsync("x<b>y");
        Assert.False(bob.DialogOpened);
        Assert.False(carol.DialogOpened);
        await Expect(MessageWith(carol, "see https://example.com")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("line-own"));
        var colour = await message.Locator(".line-sender").EvaluateAsync<string>("node => getComputedStyle(node).color");
        await bob.SayAsync("hello");
        var bobColour = await MessageWith(bob, "hello").Locator(".line-sender").EvaluateAsync<string>("node => getComputedStyle(node).color");
        Assert.NotEqual(colour, bobColour); // a colour per name
    }
}
