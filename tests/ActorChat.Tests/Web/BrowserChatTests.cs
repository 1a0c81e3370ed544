using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Tests.Web;

/// <summary>The web chat in a real (headless) Chromium, beside a TCP client, against a real server.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserChatTests(ChromiumFixture chromium)
{
    [Fact(Timeout = 120_000)]
    public async Task Two_browsers_and_a_tcp_client_in_one_room_see_each_others_messages_and_presence()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice");
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await alice.JoinAsync("team");
        await bob.JoinAsync("team");
        await Expect(alice.Member("bob")).ToBeVisibleAsync();
        await Expect(alice.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "bob joined" })).ToHaveCountAsync(1);

        await using var carol = await ChatConnection.ConnectAsync("127.0.0.1", server.TcpEndpoint.Port);
        await carol.SendAsync(new HelloRequest("carol"));
        await carol.SendAsync(new JoinRequest("team"));
        await Expect(alice.Member("carol")).ToBeVisibleAsync();
        await Expect(bob.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "carol joined" })).ToHaveCountAsync(1);

        await alice.SayAsync("Morning all, the deploy is green");
        await bob.ExpectMessageAsync("alice", "Morning all, the deploy is green");
        Assert.Equal("Morning all, the deploy is green", (await ExpectTcpMessageAsync(carol, "alice")).Text);

        await bob.SayAsync("Nice. Anyone looking at the flaky test?");
        await alice.ExpectMessageAsync("bob", "Anyone looking at the flaky test?");
        Assert.Equal("Nice. Anyone looking at the flaky test?", (await ExpectTcpMessageAsync(carol, "bob")).Text);

        await carol.SendAsync(new SayRequest("team", "On it, from my terminal 👋"));
        await alice.ExpectMessageAsync("carol", "On it, from my terminal 👋");
        await bob.ExpectMessageAsync("carol", "On it, from my terminal 👋");

        await carol.SendAsync(QuitRequest.Instance);
        await Expect(alice.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "carol left" })).ToHaveCountAsync(1);
        await Expect(alice.Member("carol")).ToHaveCountAsync(0);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_quiet_page_answers_the_servers_pings_and_stays_connected()
    {
        // Pinged after 1 s of silence and closed after 2 s: a page that did not answer would be gone within 3 s.
        await using var server = await TestServer.StartAsync("--ping-interval", "1");
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice");
        await alice.JoinAsync("quiet");
        await using var watcher = await ChatConnection.ConnectAsync("127.0.0.1", server.TcpEndpoint.Port);
        await watcher.SendAsync(new HelloRequest("watcher"));
        await watcher.SendAsync(new JoinRequest("quiet"));
        await ExpectTcpFrameAsync<JoinedFrame>(watcher, _ => true);

        await Task.Delay(TimeSpan.FromSeconds(4)); // the time that passes is what is tested: four ping intervals
        await alice.SayAsync("still here");
        // Had the page been closed for silence, the watcher would have seen alice leave before anything else.
        var next = await ExpectTcpFrameAsync<ServerFrame>(watcher, f => f is MessageFrame or PresenceFrame);
        var message = Assert.IsType<MessageFrame>(next);
        Assert.Equal(("alice", "still here"), (message.Sender, message.Text));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_connected_page_asks_its_server_for_the_clusters_nodes_again_with_every_ping()
    {
        await using var server = await TestServer.StartAsync();
        var statusRequests = 0;
        var pingsSent = 0;
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice", prepare: async page =>
        {
            // The page's own clock, moved on by the test: its ping comes every 25 s.
            await page.Clock.InstallAsync();
            page.Request += (_, request) =>
            {
                if (new Uri(request.Url).AbsolutePath == "/api/status") Interlocked.Increment(ref statusRequests);
            };
            page.WebSocket += (_, socket) => socket.FrameSent += (_, frame) =>
            {
                if (frame.Text?.Contains("\"type\":\"ping\"", StringComparison.Ordinal) == true) Interlocked.Increment(ref pingsSent);
            };
        });
        // Asked twice before any ping: at load (for the certificate's fingerprint) and once welcomed (for the nodes).
        // The requests are reported to the test a little after they start, so both are waited for.
        const int beforeThePings = 2;
        await AsyncAssert.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref statusRequests) == beforeThePings));
        Assert.Equal(0, Volatile.Read(ref pingsSent));

        for (var ping = 1; ping <= 2; ping++)
        {
            await alice.Page.Clock.FastForwardAsync("00:25");
            var expected = beforeThePings + ping;
            var pings = ping;
            await AsyncAssert.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref pingsSent) == pings && Volatile.Read(ref statusRequests) == expected));
        }
        await Expect(alice.Status).ToHaveAttributeAsync("data-state", "connected");
    }

    [Fact(Timeout = 120_000)]
    public async Task The_chart_bar_of_a_user_grows_as_they_send_and_screenshots_are_saved()
    {
        await using var server = await TestServer.StartAsync();
        // A room nobody on a page is in, so the screenshots show "Rooms to join" too.
        await using var zed = await TestClient.ConnectAsync(server, "zed");
        await zed.JoinAsync("random");
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice");
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await alice.JoinAsync("design");
        await bob.JoinAsync("design");
        await alice.SayAsync("Shall we pick the blue or the green header?");
        await bob.SayAsync("Blue, it matches the status dot.");
        await bob.SayAsync("Also: the member list could use avatars later.");
        await Expect(alice.ChartRow("bob")).ToHaveAttributeAsync("data-count", "2");
        await Expect(alice.ChartRow("alice")).ToHaveAttributeAsync("data-count", "1");
        var widthBefore = double.Parse(await alice.ChartRow("alice").Locator("rect").GetAttributeAsync("width") ?? "0");

        await alice.SayAsync("Blue it is.");
        await alice.SayAsync("I'll push the change after lunch.");
        await alice.SayAsync("Ping me if the phone layout looks off.");

        await Expect(alice.ChartRow("alice")).ToHaveAttributeAsync("data-count", "4");
        await Expect(bob.ChartRow("alice")).ToHaveAttributeAsync("data-count", "4");
        var widthAfter = double.Parse(await alice.ChartRow("alice").Locator("rect").GetAttributeAsync("width") ?? "0");
        Assert.True(widthAfter > widthBefore, $"the bar did not grow: {widthBefore} → {widthAfter}");

        // A newcomer's chart is seeded from the stats frame, history included.
        await using var phone = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "dana", ChatPage.Phone);
        await phone.JoinAsync("design");
        await Expect(phone.ChartRow("alice")).ToHaveAttributeAsync("data-count", "4");
        await phone.SayAsync("Looks fine on my phone!");
        await alice.ExpectMessageAsync("dana", "Looks fine on my phone");

        await alice.ScreenshotAsync("web-chat-laptop.png");
        await phone.ScreenshotAsync("web-chat-phone.png");
        Assert.True(File.Exists(Path.Combine(ChromiumFixture.ScreenshotFolder, "web-chat-laptop.png")));
        Assert.True(File.Exists(Path.Combine(ChromiumFixture.ScreenshotFolder, "web-chat-phone.png")));
    }

    [Fact(Timeout = 120_000)]
    public async Task Markup_in_a_message_shows_as_text_and_runs_nothing()
    {
        const string fromBrowser = "<img src=x onerror=alert(1)>";
        const string fromTcp = "<script>alert(2)</script><b>bold?</b>";
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice");
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await using var mallory = await ChatConnection.ConnectAsync("127.0.0.1", server.TcpEndpoint.Port);
        await mallory.SendAsync(new HelloRequest("mallory"));
        await mallory.SendAsync(new JoinRequest("general"));
        await Expect(bob.Member("mallory")).ToBeVisibleAsync();

        await alice.SayAsync(fromBrowser);
        await Expect(bob.Messages.Locator(".line-text")).ToHaveTextAsync([fromBrowser]); // keeps the order below fixed
        await mallory.SendAsync(new SayRequest("general", fromTcp));

        foreach (var page in new[] { alice, bob })
        {
            await Expect(page.Messages.Locator(".line-text")).ToHaveTextAsync([fromBrowser, fromTcp]);
            await page.Page.WaitForTimeoutAsync(300); // time for an injected handler to fire, if one had been created
            Assert.Equal(0, await page.Page.Locator("img").CountAsync());
            Assert.Equal(0, await page.Page.Locator("#messages script, #messages b").CountAsync());
            Assert.False(page.DialogOpened, "a dialog opened: markup from a message ran");
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Rooms_can_be_joined_switched_and_left_with_unread_counts_for_the_others()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice");
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");
        await bob.JoinAsync("one");
        await alice.JoinAsync("one");
        await alice.JoinAsync("two");

        await bob.SayAsync("news in room one");
        await Expect(alice.Conversation("one").Locator(".badge")).ToHaveTextAsync("1");
        await alice.Conversation("one").ClickAsync();
        await Expect(alice.Title).ToHaveTextAsync("#one");
        await alice.ExpectMessageAsync("bob", "news in room one");
        await Expect(alice.Conversation("one").Locator(".badge")).ToHaveCountAsync(0);

        await alice.Page.Locator("#leave-button").ClickAsync();
        await Expect(alice.Conversation("one")).ToHaveCountAsync(0);
        await Expect(alice.Title).Not.ToHaveTextAsync("#one");
        await Expect(bob.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "alice left" })).ToHaveCountAsync(1);
        await Expect(bob.Member("alice")).ToHaveCountAsync(0);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_click_on_a_member_opens_a_direct_chat_which_the_other_side_sees_as_unread()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice");
        await using var bob = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "bob");

        await alice.Member("bob").Locator("button").ClickAsync();
        await Expect(alice.Title).ToHaveTextAsync("@bob");
        await alice.SayAsync("just between us");
        await alice.ExpectMessageAsync("alice", "just between us");

        await Expect(bob.Conversation("@alice").Locator(".badge")).ToHaveTextAsync("1");
        await Expect(bob.Title).ToHaveTextAsync("#general");
        await bob.Conversation("@alice").ClickAsync();
        await bob.ExpectMessageAsync("alice", "just between us");
        await bob.SayAsync("sure");
        await alice.ExpectMessageAsync("bob", "sure");
    }

    [Fact(Timeout = 120_000)]
    public async Task The_page_works_with_the_keyboard_alone()
    {
        await using var server = await TestServer.StartAsync();
        await using var watcher = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "watcher");
        await using var kim = await ChatPage.OpenAsync(chromium.Browser, server.WebUri());
        var keyboard = kim.Page.Keyboard;

        await keyboard.TypeAsync("kim"); // the name field has the focus when the page opens
        await keyboard.PressAsync("Enter");
        await Expect(kim.Status).ToHaveAttributeAsync("data-state", "connected");
        await Expect(kim.Title).ToHaveTextAsync("#general");
        await Expect(kim.Page.Locator("#message-input")).ToBeFocusedAsync();
        await keyboard.TypeAsync("typed without a mouse");
        await keyboard.PressAsync("Enter");
        await watcher.ExpectMessageAsync("kim", "typed without a mouse");

        await keyboard.TypeAsync("/join keys");
        await keyboard.PressAsync("Enter");
        await Expect(kim.Title).ToHaveTextAsync("#keys");
        await keyboard.PressAsync("Shift+Tab"); // from the message box back to the Leave button (a new room has nothing older)
        await Expect(kim.Page.Locator("#leave-button")).ToBeFocusedAsync();
        await keyboard.PressAsync("Enter");
        await Expect(kim.Conversation("keys")).ToHaveCountAsync(0);
        await Expect(kim.Title).ToHaveTextAsync("#general");
    }

    [Fact(Timeout = 120_000)]
    public async Task The_page_shows_reconnecting_while_the_server_is_down_and_rejoins_its_rooms_when_it_returns()
    {
        var first = await TestServer.StartAsync();
        var port = first.WebEndpoint!.Port;
        RunningChatServer? second = null;
        try
        {
            await using var alice = await ChatPage.SignInAsync(chromium.Browser, first.WebUri(), "alice");
            await alice.JoinAsync("ops");

            await first.DisposeAsync();
            await Expect(alice.Status).ToHaveAttributeAsync("data-state", "reconnecting");
            await Expect(alice.Page.Locator("#status-text")).ToContainTextAsync("reconnecting");

            second = await StartOnPortAsync(port);
            await Expect(alice.Status).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 20_000 });

            // Back in its rooms on the new server: a TCP client there sees alice and hears her.
            await using var tcp = await ChatConnection.ConnectAsync("127.0.0.1", second.TcpEndpoint.Port);
            await tcp.SendAsync(new HelloRequest("watcher"));
            await tcp.SendAsync(new JoinRequest("ops"));
            var joined = await ExpectTcpFrameAsync<JoinedFrame>(tcp, _ => true);
            Assert.Contains("alice", joined.Members);
            await Expect(alice.Member("watcher")).ToBeVisibleAsync();
            await alice.SayAsync("back again");
            Assert.Equal("back again", (await ExpectTcpMessageAsync(tcp, "alice")).Text);
        }
        finally
        {
            if (second is not null) await second.DisposeAsync();
        }
    }

    /// <summary>The port was just released by the first server; give the OS a moment if it still holds it.</summary>
    private static async Task<RunningChatServer> StartOnPortAsync(int port)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TestServer.StartAsync("--web-port", port.ToString());
            }
            catch (ServerStartException) when (attempt < 10)
            {
                await Task.Delay(500);
            }
        }
    }

    private static Task<MessageFrame> ExpectTcpMessageAsync(ChatConnection connection, string sender) =>
        ExpectTcpFrameAsync<MessageFrame>(connection, m => m.Sender == sender);

    private static async Task<T> ExpectTcpFrameAsync<T>(ChatConnection connection, Func<T, bool> predicate) where T : ServerFrame
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var frame = await connection.ReceiveAsync(timeout.Token);
            Assert.NotNull(frame);
            if (frame is T match && predicate(match)) return match;
        }
    }
}
