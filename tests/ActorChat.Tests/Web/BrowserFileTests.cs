using ActorChat.Messages;
using ActorChat.Tests.Files;
using ActorChat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Tests.Web;

/// <summary>Files on the web page: attaching with the button, image previews, and uploaded pages that stay inert.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserFileTests(ChromiumFixture chromium)
{
    // A valid 1×1 PNG, so that the preview really decodes.
    private static readonly byte[] OnePixelPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    [Fact(Timeout = 180_000)]
    public async Task A_file_attached_with_the_button_reaches_the_other_page_and_an_image_shows_as_a_preview()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await using var carol = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "carol");

        await bob.Page.Locator("#message-input").FillAsync("a pixel");
        await bob.Page.Locator("#file-input").SetInputFilesAsync(new FilePayload { Name = "pixel.png", MimeType = "image/png", Buffer = OnePixelPng });

        var message = carol.Messages.Filter(new LocatorFilterOptions { HasTextString = "a pixel" });
        await Expect(message.Locator(".line-file-link")).ToHaveTextAsync($"pixel.png ({OnePixelPng.Length} B)");
        var preview = message.Locator("img.line-image");
        await Expect(preview).ToBeVisibleAsync();
        await Expect(preview).ToHaveJSPropertyAsync("naturalWidth", 1); // the download URL served the image to carol
    }

    [Fact(Timeout = 180_000)]
    public async Task Opening_an_uploaded_html_file_from_the_chat_runs_none_of_its_script()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await alice.JoinAsync("general");
        var token = (await FileSharingTests.UploadTokenAsync(alice)).Token;
        var page = "<!doctype html><script>try { top.__owned = 1; } catch (e) {} try { top.document.title = 'owned'; } catch (e) {} "
                   + "try { top.postMessage('owned', '*'); } catch (e) {} document.title = 'owned';</script><p>hi</p>";
        var file = await FileSharingTests.UploadedAsync(server, token, "page.html", System.Text.Encoding.UTF8.GetBytes(page));
        await alice.SendAsync(new SayRequest("general", "open me") { Attachments = [file.Id] });
        var link = bob.Messages.Filter(new LocatorFilterOptions { HasTextString = "open me" }).Locator(".line-file-link");
        await Expect(link).ToBeVisibleAsync();
        var href = await link.GetAttributeAsync("href");

        // Loaded into a frame of the chat page itself, where script of the chat's origin could reach the page.
        var outcome = await bob.Page.EvaluateAsync<string>("""
            (href) => new Promise((resolve) => {
              window.__messages = [];
              window.addEventListener('message', (event) => window.__messages.push(event.data));
              const frame = document.createElement('iframe');
              frame.src = href;
              const done = () => resolve(JSON.stringify({ owned: window.__owned === 1, title: document.title, messages: window.__messages }));
              frame.addEventListener('load', () => setTimeout(done, 200));
              setTimeout(done, 3000); // an attachment may download rather than load
              document.body.append(frame);
            })
            """, href);

        Assert.Contains("\"owned\":false", outcome);
        Assert.DoesNotContain("\"title\":\"owned\"", outcome);
        Assert.Contains("\"messages\":[]", outcome);
    }
}
