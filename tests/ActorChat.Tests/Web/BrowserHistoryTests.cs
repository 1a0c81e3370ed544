using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Tests.Web;

/// <summary>Older messages and refused messages on the web page, in headless Chromium against a real server.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserHistoryTests(ChromiumFixture chromium)
{
    private static readonly string[] AllThirty = Enumerable.Range(1, 30).Select(Text).ToArray();

    private static string Text(int i) => $"archived message {i:D2}";

    [Fact(Timeout = 120_000)]
    public async Task Load_older_messages_and_scrolling_to_the_top_bring_the_earlier_messages_in_order_without_duplicates()
    {
        await using var server = await TestServer.StartAsync("--history", "10");
        await using var carol = await ChatConnection.ConnectAsync("127.0.0.1", server.TcpEndpoint.Port);
        await carol.SendAsync(new HelloRequest("carol"));
        await carol.SendAsync(new JoinRequest("archive"));
        for (var i = 1; i <= 30; i++) await carol.SendAsync(new SayRequest("archive", Text(i)));
        for (var i = 1; i <= 30; i++) await ExpectTcpFrameAsync<MessageFrame>(carol, m => m.Text == Text(i));

        var historyRequests = 0;
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice", prepare: page =>
        {
            page.WebSocket += (_, socket) => socket.FrameSent += (_, frame) =>
            {
                if (frame.Text?.Contains("\"type\":\"history\"", StringComparison.Ordinal) == true) Interlocked.Increment(ref historyRequests);
            };
            return Task.CompletedTask;
        });
        await alice.JoinAsync("archive");
        var texts = alice.Messages.Locator(".line-text");
        await Expect(texts).ToHaveTextAsync(AllThirty[20..]);
        await Expect(alice.OlderButton).ToBeVisibleAsync();
        Assert.Equal(0, Volatile.Read(ref historyRequests));

        // Two clicks in a row (as an impatient user would): one request, one page.
        await alice.Page.EvaluateAsync("() => { const b = document.getElementById('older-button'); b.click(); b.click(); }");
        await Expect(texts).ToHaveTextAsync(AllThirty);
        Assert.Equal(1, Volatile.Read(ref historyRequests));
        await Expect(alice.Messages.Filter(new LocatorFilterOptions { HasTextString = Text(21) })).ToBeInViewportAsync();
        await Expect(alice.OlderButton).ToBeEnabledAsync();

        // Scrolling to the top asks for the page before message 01: there is none.
        await alice.Page.Locator("#messages").EvaluateAsync("list => { list.scrollTop = 0; }");
        await Expect(alice.OlderNote).ToHaveTextAsync("No older messages");
        await Expect(alice.OlderButton).ToBeHiddenAsync();
        Assert.Equal(2, Volatile.Read(ref historyRequests));
        await Expect(texts).ToHaveTextAsync(AllThirty);

        // Live messages still come in below.
        await carol.SendAsync(new SayRequest("archive", "and one more"));
        await Expect(texts).ToHaveTextAsync([.. AllThirty, "and one more"]);
        await alice.ScreenshotAsync("web-chat-older-messages.png");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_message_the_server_could_not_save_shows_an_error_and_is_given_back_to_type_again()
    {
        const string refused = "deploy at 5, not saved";
        await using var server = await TestServer.StartAsync();
        // Between page and server, answer one say as a server whose database is away would; pass everything else on.
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice", prepare: page =>
            page.RouteWebSocketAsync("**/ws", socket =>
            {
                var toServer = socket.ConnectToServer();
                socket.OnMessage(frame =>
                {
                    if (frame.Text is { } text && text.Contains("\"type\":\"say\"", StringComparison.Ordinal) && text.Contains(refused, StringComparison.Ordinal))
                        socket.Send("""{"type":"error","code":"unavailable","message":"Message not saved; try again."}""");
                    else if (frame.Text is { } other)
                        toServer.Send(other);
                });
            }));

        await alice.SayAsync(refused);
        var error = alice.Page.Locator("#messages .line-error");
        await Expect(error).ToHaveTextAsync($"Message not sent: the server could not save it just now. Try again. “{refused}”");
        await Expect(error).ToBeVisibleAsync();
        await Expect(alice.Page.Locator("#message-input")).ToHaveValueAsync(refused);
        await Expect(alice.Messages).ToHaveCountAsync(0);

        await alice.SayAsync("this one is saved");
        await alice.ExpectMessageAsync("alice", "this one is saved");
        await Expect(error).ToHaveCountAsync(1);
    }

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
