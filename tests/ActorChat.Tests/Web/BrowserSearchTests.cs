using ActorChat.Messages;
using ActorChat.Tests.Search;
using ActorChat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Tests.Web;

/// <summary>Message search on the web page: the box, the results panel, and a result opening its conversation at the message.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserSearchTests(ChromiumFixture chromium)
{
    private const string Rocket = "deploy the rocket on friday";

    private static ILocator Results(ChatPage page) => page.Page.Locator("#search-results .search-result");

    private static ILocator Note(ChatPage page) => page.Page.Locator("#search-note");

    private static async Task SearchAsync(ChatPage page, string query)
    {
        await page.Page.Locator("#search-input").FillAsync(query);
        await page.Page.Locator("#search-input").PressAsync("Enter");
    }

    /// <summary>carol says <paramref name="texts"/> in <paramref name="room"/>, waits for her copies, then until the index finds <paramref name="indexed"/>.</summary>
    private static async Task SayAllAsync(TestClient carol, string room, IReadOnlyList<string> texts, string indexed, int expected)
    {
        foreach (var text in texts) await carol.SendAsync(new SayRequest(room, text));
        await carol.ExpectAsync<MessageFrame>(m => m.Text == texts[^1]);
        var found = await SearchOverTcpTests.SearchUntilAsync(carol, new SearchRequest(indexed, Limit: 50), r => r.Results.Count >= expected);
        Assert.True(found.Results.Count >= expected, $"the index did not find {expected} messages for {indexed}");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_result_opens_its_room_at_the_old_message_highlighted_though_only_the_latest_messages_were_loaded()
    {
        await using var server = await TestServer.StartAsync("--history", "10");
        await using var carol = await TestClient.ConnectAsync(server, "carol");
        await carol.JoinAsync("launch");
        var texts = Enumerable.Range(1, 64).Select(i => $"countdown note {i:D2}").ToList();
        texts.Insert(4, Rocket);
        await SayAllAsync(carol, "launch", texts, "rocket", 1);

        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice");
        await SearchAsync(alice, "deplo*");
        var result = Results(alice);
        await Expect(result).ToHaveCountAsync(1);
        await Expect(result.Locator(".search-result-room")).ToHaveTextAsync("#launch");
        await Expect(result.Locator(".line-sender")).ToHaveTextAsync("carol");
        await Expect(result.Locator(".search-result-text")).ToHaveTextAsync(Rocket);
        await Expect(result.Locator("mark")).ToHaveTextAsync(["deploy"]);
        await alice.ScreenshotAsync("web-search-results.png");

        await result.ClickAsync();
        await Expect(alice.Title).ToHaveTextAsync("#launch");
        await Expect(alice.Page.Locator("#search-panel")).ToBeHiddenAsync();
        var found = alice.Page.Locator("#messages .line-message.line-found");
        await Expect(found).ToHaveCountAsync(1);
        await Expect(found.Locator(".line-text")).ToHaveTextAsync(Rocket);
        await Expect(found).ToBeInViewportAsync();
        // The join brought the latest ten; the page around the result came above them, with the gap marked.
        await alice.ExpectMessageAsync("carol", "countdown note 64");
        await Expect(alice.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "Later messages not loaded" })).ToHaveCountAsync(1);
        await Expect(alice.Messages.Filter(new LocatorFilterOptions { HasTextString = Rocket })).ToHaveCountAsync(1);
        await alice.ScreenshotAsync("web-search-jump.png");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_direct_message_result_opens_the_kept_conversation_at_that_message()
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
        await alice.SendAsync(new DirectMessageRequest("bob", Rocket));
        await alice.SendAsync(new DirectMessageRequest("bob", "and bring snacks") { Ref = "last" });
        await alice.ExpectAsync<DirectMessageFrame>(d => d.Ref == "last");
        await SearchOverTcpTests.SearchUntilAsync(alice, new SearchRequest("rocket"), r => r.Results.Count == 1);

        await using var page = await ChatPage.OpenAsync(chromium.Browser, server.WebUri());
        await page.Page.Locator("#name-input").FillAsync("bob");
        await page.Page.Locator("#password-input").FillAsync(BrowserAccountTests.Password);
        await page.Page.Locator("#sign-in-button").ClickAsync();
        await Expect(page.Title).ToHaveTextAsync("#general");

        await SearchAsync(page, "rocket");
        await Expect(Results(page).Locator(".search-result-room")).ToHaveTextAsync(["@alice"]);
        await Results(page).ClickAsync();
        await Expect(page.Title).ToHaveTextAsync("@alice");
        var found = page.Page.Locator("#messages .line-message.line-found");
        await Expect(found.Locator(".line-text")).ToHaveTextAsync(Rocket);
        await Expect(found).ToBeInViewportAsync();
        await page.ExpectMessageAsync("alice", "and bring snacks");
    }

    [Fact(Timeout = 120_000)]
    public async Task More_brings_the_next_page_and_no_match_a_broken_query_and_Escape_each_say_or_do_what_they_should()
    {
        await using var server = await TestServer.StartAsync();
        await using var carol = await TestClient.ConnectAsync(server, "carol");
        await carol.JoinAsync("general");
        await SayAllAsync(carol, "general", Enumerable.Range(1, 25).Select(i => $"status report {i:D2}").ToList(), "report", 25);

        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice", ChatPage.Phone);
        await SearchAsync(alice, "Report");
        await Expect(Results(alice)).ToHaveCountAsync(20);
        await Expect(Results(alice).First.Locator("mark")).ToHaveTextAsync(["report"]);
        await alice.ScreenshotAsync("web-search-phone.png");
        await alice.Page.Locator("#search-more").ClickAsync();
        await Expect(Results(alice)).ToHaveCountAsync(25);
        await Expect(Results(alice).Last.Locator(".search-result-text")).ToHaveTextAsync("status report 01");
        await Expect(alice.Page.Locator("#search-more")).ToBeHiddenAsync();

        await SearchAsync(alice, "nothingmatchesthis");
        await Expect(Note(alice)).ToHaveTextAsync("No messages match “nothingmatchesthis”.");
        await Expect(Results(alice)).ToHaveCountAsync(0);

        await SearchAsync(alice, "\"status report");
        await Expect(Note(alice)).ToHaveTextAsync("This search cannot be run: A quote is not closed: put phrases between two \" marks.");
        await Expect(Note(alice)).ToHaveAttributeAsync("data-code", "bad_query");

        await alice.Page.Keyboard.PressAsync("Escape");
        await Expect(alice.Page.Locator("#search-panel")).ToBeHiddenAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task A_result_whose_text_is_markup_is_shown_as_text_and_creates_no_element()
    {
        const string markup = "<img src=x onerror=\"window.searchInjected=1\"> deploy now";
        await using var server = await TestServer.StartAsync();
        await using var carol = await TestClient.ConnectAsync(server, "carol");
        await carol.JoinAsync("general");
        await SayAllAsync(carol, "general", [markup], "deploy", 1);

        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice");
        await SearchAsync(alice, "deploy");
        await Expect(Results(alice).Locator(".search-result-text")).ToHaveTextAsync(markup);
        await Expect(Results(alice).Locator("mark")).ToHaveTextAsync(["deploy"]);
        await Expect(alice.Page.Locator("#search-panel img")).ToHaveCountAsync(0);
        Assert.Equal(0, await alice.Page.EvaluateAsync<int>("() => document.querySelectorAll('img[src=\"x\"]').length"));
        Assert.False(await alice.Page.EvaluateAsync<bool>("() => 'searchInjected' in window"));
    }
}
