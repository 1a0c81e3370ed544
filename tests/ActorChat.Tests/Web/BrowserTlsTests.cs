using ActorChat.Messages;
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
}
