using System.Net;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Server.Transport.Web;
using ActorChat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Tests.Web;

/// <summary>Accounts on the web page: registering, staying signed in across a reload by the cookie, signing out.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserAccountTests(ChromiumFixture chromium)
{
    internal const string Password = "correct horse battery";

    [Fact(Timeout = 120_000)]
    public async Task A_user_who_registers_on_the_page_is_still_signed_in_after_a_reload_without_typing_the_password()
    {
        await using var server = await TestServer.StartAsync("--accounts", "required");
        await using var alice = await RegisterAsync(chromium.Browser, server, "alice");
        var sent = WatchSentFrames(alice.Page);

        await alice.Page.ReloadAsync();

        await Expect(alice.Status).ToHaveAttributeAsync("data-state", "connected");
        await Expect(alice.Title).ToHaveTextAsync("#general");
        await Expect(alice.Page.Locator("#me")).ToHaveTextAsync("alice");
        await Expect(alice.Page.Locator("#room-menu")).ToBeVisibleAsync(); // an account's room settings
        var frames = Snapshot(sent);
        Assert.Contains(frames, frame => frame.Contains("\"hello\"") && frame.Contains("\"alice\""));
        Assert.DoesNotContain(frames, frame => frame.Contains("password", StringComparison.OrdinalIgnoreCase));
    }

    [Fact(Timeout = 120_000)]
    public async Task The_session_cookie_is_http_only_and_same_site_strict_and_page_script_cannot_read_it()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await RegisterAsync(chromium.Browser, server, "alice");

        var cookie = await SessionCookieAsync(alice);
        var visible = await alice.Page.EvaluateAsync<string>("() => document.cookie");

        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(WebSessionTokens.CookieName, visible);
        Assert.DoesNotContain(Password, cookie.Value);
        var storage = await alice.Page.EvaluateAsync<string>("() => JSON.stringify(sessionStorage) + JSON.stringify(localStorage)");
        Assert.DoesNotContain(cookie.Value, storage); // the page forgot the token once traded
        Assert.DoesNotContain(Password, storage);
    }

    [Fact(Timeout = 120_000)]
    public async Task After_signing_out_a_reload_shows_the_form_and_the_old_cookie_no_longer_signs_in()
    {
        await using var server = await TestServer.StartAsync("--accounts", "required");
        await using var alice = await RegisterAsync(chromium.Browser, server, "alice");
        var oldToken = (await SessionCookieAsync(alice)).Value;

        await alice.Page.Locator("#logout").ClickAsync();
        await Expect(alice.Page.Locator("#login")).ToBeVisibleAsync();
        await alice.Page.ReloadAsync();

        await Expect(alice.Page.Locator("#login")).ToBeVisibleAsync();
        await Expect(alice.Page.Locator("#chat")).ToBeHiddenAsync();
        Assert.DoesNotContain(await alice.Page.Context.CookiesAsync(), c => c.Name == WebSessionTokens.CookieName);
        await using var replay = await WebSocketTestClient.ConnectAsync(server, configure: options =>
        {
            options.Cookies = new CookieContainer();
            options.Cookies.Add(new Uri($"http://{server.WebEndpoint}/"), new System.Net.Cookie(WebSessionTokens.CookieName, oldToken));
        });
        await replay.SendAsync(new HelloRequest("alice"));
        Assert.Equal(ErrorCodes.AuthRequired, (await replay.ExpectAsync<ErrorFrame>()).Code);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_wrong_password_is_refused_on_the_form_in_plain_words()
    {
        await using var server = await TestServer.StartAsync();
        await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "alice");
        await using var page = await ChatPage.OpenAsync(chromium.Browser, server.WebUri());

        await page.Page.Locator("#name-input").FillAsync("alice");
        await page.Page.Locator("#password-input").FillAsync("not the password");
        await page.Page.Locator("#sign-in-button").ClickAsync();

        var error = page.Page.Locator("#login-error");
        await Expect(error).ToHaveAttributeAsync("data-code", ErrorCodes.AuthFailed);
        await Expect(error).ToHaveTextAsync("Wrong name or password: check both and try again.");
        await Expect(page.Page.Locator("#login")).ToBeVisibleAsync();
        await Expect(page.Page.Locator("#password-input")).ToHaveValueAsync(""); // not kept in the form either
        Assert.DoesNotContain(await page.Page.Context.CookiesAsync(), c => c.Name == WebSessionTokens.CookieName);
    }

    [Fact(Timeout = 120_000)]
    public async Task Registering_a_name_that_is_already_an_account_is_refused_on_the_form()
    {
        await using var server = await TestServer.StartAsync();
        await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "alice");
        await using var page = await ChatPage.OpenAsync(chromium.Browser, server.WebUri());

        await page.Page.Locator("#name-input").FillAsync("alice");
        await page.Page.Locator("#password-input").FillAsync("another good password");
        await page.Page.Locator("#register-button").ClickAsync();

        var error = page.Page.Locator("#login-error");
        await Expect(error).ToHaveAttributeAsync("data-code", ErrorCodes.NameTaken);
        await Expect(error).ToContainTextAsync("That name is taken");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_server_for_accounts_only_says_so_to_a_guest_and_refuses_a_weak_password()
    {
        await using var server = await TestServer.StartAsync("--accounts", "required");
        await using var page = await ChatPage.OpenAsync(chromium.Browser, server.WebUri());
        var error = page.Page.Locator("#login-error");

        await page.Page.Locator("#name-input").FillAsync("guest");
        await page.Page.Locator("#name-input").PressAsync("Enter");
        await Expect(error).ToHaveAttributeAsync("data-code", ErrorCodes.AuthRequired);
        await Expect(error).ToContainTextAsync("accounts only");

        await page.Page.Locator("#name-input").FillAsync("guest");
        await page.Page.Locator("#password-input").FillAsync("abc");
        await page.Page.Locator("#register-button").ClickAsync();
        await Expect(error).ToHaveAttributeAsync("data-code", ErrorCodes.WeakPassword);
        await Expect(error).ToContainTextAsync("Choose a stronger password");
    }

    /// <summary>Opens the page and registers the name with <see cref="Password"/>; waits until in #general.</summary>
    internal static async Task<ChatPage> RegisterAsync(
        IBrowser browser, RunningChatServer server, string name, ViewportSize? viewport = null, Func<IPage, Task>? prepare = null)
    {
        var chat = await ChatPage.OpenAsync(browser, server.WebUri(), viewport, prepare);
        await chat.Page.Locator("#name-input").FillAsync(name);
        await chat.Page.Locator("#password-input").FillAsync(Password);
        // The page trades its token for the cookie right after the registered frame.
        var traded = chat.Page.WaitForResponseAsync(
            response => response.Url.EndsWith("/api/session") && response.Request.Method == "POST",
            new PageWaitForResponseOptions { Timeout = 10_000 });
        await chat.Page.Locator("#register-button").ClickAsync();
        Assert.Equal(204, (await traded).Status);
        await Expect(chat.Status).ToHaveAttributeAsync("data-state", "connected");
        await Expect(chat.Title).ToHaveTextAsync("#general");
        return chat;
    }

    private static async Task<BrowserContextCookiesResult> SessionCookieAsync(ChatPage chat) =>
        Assert.Single(await chat.Page.Context.CookiesAsync(), c => c.Name == WebSessionTokens.CookieName);

    private static List<string> Snapshot(List<string> sent)
    {
        lock (sent) return [.. sent];
    }

    /// <summary>Every frame the page sends on its WebSockets from now on.</summary>
    private static List<string> WatchSentFrames(IPage page)
    {
        var sent = new List<string>();
        page.WebSocket += (_, socket) => socket.FrameSent += (_, frame) =>
        {
            lock (sent) sent.Add(frame.Text ?? "");
        };
        return sent;
    }
}
