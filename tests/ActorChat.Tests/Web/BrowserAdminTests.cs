using ActorChat.Messages;
using ActorChat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Tests.Web;

/// <summary>The operator dashboard at /admin in Chromium: what an operator sees and does, and who may not look.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserAdminTests(ChromiumFixture chromium)
{
    [Fact(Timeout = 120_000)]
    public async Task An_operator_on_a_phone_sees_a_user_connect_and_a_message_counted_and_kicks_the_user()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var root = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "root", ChatPage.Phone);
        // The page is on its WebSocket: the first one is closed under it after its first snapshot, and the page
        // connects again by itself; GET /api/admin is asked once, at that close, never polled.
        var sockets = 0;
        var snapshotGets = 0;
        root.Page.Request += (_, request) =>
        {
            if (request.Method == "GET" && new Uri(request.Url).AbsolutePath == "/api/admin") Interlocked.Increment(ref snapshotGets);
        };
        await root.Page.RouteWebSocketAsync("**/api/admin/live", page =>
        {
            var toServer = page.ConnectToServer(); // forwards both ways unless told otherwise
            if (Interlocked.Increment(ref sockets) > 1) return;
            toServer.OnMessage(frame =>
            {
                page.Send(frame.Text!);
                _ = page.CloseAsync(new WebSocketRouteCloseOptions { Code = 1001, Reason = "going away" });
            });
        });
        var opened = await root.Page.GotoAsync(new Uri(server.WebUri(), "/admin").ToString());
        Assert.Equal(200, opened!.Status);
        await AsyncAssert.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref sockets) == 2), TimeSpan.FromSeconds(20));
        await Expect(root.Page.Locator("#refresh-state")).ToHaveAttributeAsync("data-state", "live");

        await using var bob = await WebSocketTestClient.ConnectAsync(server);
        await bob.SendAsync(new HelloRequest("bob"));
        await bob.ExpectAsync<WelcomeFrame>();
        await bob.SendAsync(new JoinRequest("general"));
        await bob.ExpectAsync<JoinedFrame>();
        await bob.SendAsync(new SayRequest("general", "hello operators"));
        await bob.ExpectAsync<MessageFrame>();

        var row = root.Page.Locator("#users tr[data-user='bob']");
        await Expect(row).ToContainTextAsync("websocket");
        await Expect(row).ToContainTextAsync("127.0.0.1");
        await Expect(root.Page.Locator("#rooms .room[data-room='general'] .chart-row[data-user='bob']"))
            .ToHaveAttributeAsync("data-count", "1");
        await Expect(root.Page.Locator("#messages-total")).ToHaveAttributeAsync("data-count", "1");
        // Readable on a phone: the page itself never scrolls sideways (wide tables scroll inside their card).
        Assert.True(await root.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));

        await row.Locator("button[data-action='kick']").ClickAsync();

        Assert.Equal(ByeFrame.Killed, (await bob.ExpectAsync<ByeFrame>()).Reason);
        await Expect(root.Page.Locator("#action-result")).ToHaveAttributeAsync("data-outcome", "done");
        await Expect(row).ToHaveCountAsync(0);
        Assert.Equal(2, sockets);
        Assert.Equal(1, snapshotGets);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_signed_in_user_who_is_not_an_operator_gets_403_from_the_dashboard()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var alice = await BrowserAccountTests.RegisterAsync(chromium.Browser, server, "alice");

        var opened = await alice.Page.GotoAsync(new Uri(server.WebUri(), "/admin").ToString());

        Assert.Equal(403, opened!.Status);
        await Expect(alice.Page.Locator("body")).ToContainTextAsync("Operators only");
        Assert.Equal(403, await alice.Page.EvaluateAsync<int>("async () => (await fetch('/api/admin')).status"));
    }
}
