using ActorChat.Messages;
using ActorChat.Server.Transport.Web;
using ActorChat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Tests.Web;

/// <summary>The web chat served over HTTPS to a real (headless) Chromium, which accepts the self-signed certificate as a person would after comparing fingerprints.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserTlsTests(ChromiumFixture chromium)
{
    [Fact(Timeout = 120_000)]
    public async Task The_https_page_shows_the_certificate_fingerprint_and_chats_over_wss_with_a_tls_client()
    {
        await using var server = await TestServer.StartAsync("--web-tls-port", "auto", "--tls-port", "auto");
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        context.SetDefaultTimeout(10_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.WebTlsUri!.ToString());

        await Expect(page.Locator("#fingerprint")).ToContainTextAsync(server.Certificate!.DisplayFingerprint);

        await using var terminal = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, server.Certificate.Fingerprint, "carol");
        await terminal.JoinAsync("team");
        await page.Locator("#name-input").FillAsync("alice");
        await page.Locator("#name-input").PressAsync("Enter");
        await Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected");
        await page.Locator("#room-input").FillAsync("team");
        await page.Locator("#room-input").PressAsync("Enter");
        await Expect(page.Locator("#conversation-title")).ToHaveTextAsync("#team");
        await page.Locator("#message-input").FillAsync("hello from https");
        await page.Locator("#message-input").PressAsync("Enter");

        Assert.Equal("alice", (await terminal.ExpectAsync<MessageFrame>(m => m.Text == "hello from https")).Sender);
    }

    [Fact(Timeout = 120_000)]
    public async Task Over_https_a_user_signs_in_with_a_password_stays_signed_in_across_a_reload_and_after_signing_out_a_reload_is_a_guest()
    {
        await using var server = await TestServer.StartAsync("--web-tls-port", "auto");
        await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "alice");
        await using var alice = await ChatPage.OpenAsync(chromium.Browser, server.WebTlsUri!, configure: options => options.IgnoreHTTPSErrors = true);
        await alice.Page.Locator("#name-input").FillAsync("alice");
        await alice.Page.Locator("#password-input").FillAsync(BrowserAccountTests.Password);
        var traded = alice.Page.WaitForResponseAsync(
            response => response.Url.EndsWith("/api/session") && response.Request.Method == "POST",
            new PageWaitForResponseOptions { Timeout = 10_000 });
        await alice.Page.Locator("#sign-in-button").ClickAsync();
        Assert.Equal(204, (await traded).Status);
        await Expect(alice.Status).ToHaveAttributeAsync("data-state", "connected");
        var cookie = Assert.Single(await alice.Page.Context.CookiesAsync(), c => c.Name == WebSessionTokens.CookieName);
        Assert.True(cookie.Secure);

        await alice.Page.ReloadAsync();
        await Expect(alice.Status).ToHaveAttributeAsync("data-state", "connected");
        await Expect(alice.Page.Locator("#me")).ToHaveTextAsync("alice");
        await Expect(alice.Page.Locator("#room-menu")).ToBeVisibleAsync(); // an account's room settings

        await alice.Page.Locator("#logout").ClickAsync();
        await Expect(alice.Page.Locator("#login")).ToBeVisibleAsync();
        await alice.Page.ReloadAsync();
        await Expect(alice.Page.Locator("#login")).ToBeVisibleAsync();
        Assert.DoesNotContain(await alice.Page.Context.CookiesAsync(), c => c.Name == WebSessionTokens.CookieName);
        await alice.Page.Locator("#name-input").FillAsync("visitor");
        await alice.Page.Locator("#name-input").PressAsync("Enter");
        await Expect(alice.Status).ToHaveAttributeAsync("data-state", "connected");
        await Expect(alice.Page.Locator("#room-menu")).ToBeHiddenAsync(); // a guest
    }
}
