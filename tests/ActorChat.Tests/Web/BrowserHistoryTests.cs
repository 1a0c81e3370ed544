using System.Text.Json;
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

        // Message 01 is the room's first (seq 1): the button makes way for the note, and the top asks for nothing more.
        await Expect(alice.OlderNote).ToHaveTextAsync("No older messages");
        await Expect(alice.OlderButton).ToBeHiddenAsync();
        await alice.Page.Locator("#messages").EvaluateAsync("list => { list.scrollTop = 0; }");
        await alice.Page.Locator("#messages").EvaluateAsync("list => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
        Assert.Equal(1, Volatile.Read(ref historyRequests));
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
        // Between page and server, answer one say as a server whose database is away would (the error carries the
        // say's ref); pass everything else on.
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice", prepare: page =>
            page.RouteWebSocketAsync("**/ws", socket =>
            {
                var toServer = socket.ConnectToServer();
                socket.OnMessage(frame =>
                {
                    if (frame.Text is not { } text) return;
                    if (IsSay(text, refused, out var sayRef)) socket.Send(Unavailable(sayRef));
                    else toServer.Send(text);
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

    [Fact(Timeout = 120_000)]
    public async Task An_error_goes_with_the_message_whose_ref_it_carries_even_after_a_later_message_was_seen()
    {
        await using var server = await TestServer.StartAsync();
        // The refusal of "first" is held back until "second" has been said and its copy has reached the page, so
        // only the ref tells which of the two the error is about.
        string? firstRef = null;
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice", prepare: page =>
            page.RouteWebSocketAsync("**/ws", socket =>
            {
                var toServer = socket.ConnectToServer();
                socket.OnMessage(frame =>
                {
                    if (frame.Text is not { } text) return;
                    if (IsSay(text, "first", out var sayRef)) firstRef = sayRef;
                    else toServer.Send(text);
                });
                toServer.OnMessage(frame =>
                {
                    if (frame.Text is not { } text) return;
                    socket.Send(text);
                    if (firstRef is not null && text.Contains("\"type\":\"message\"", StringComparison.Ordinal) && text.Contains("second", StringComparison.Ordinal))
                        socket.Send(Unavailable(firstRef));
                });
            }));

        await alice.SayAsync("first");
        await alice.SayAsync("second");
        await alice.ExpectMessageAsync("alice", "second");
        var error = alice.ErrorLines;
        await Expect(error).ToHaveTextAsync("Message not sent: the server could not save it just now. Try again. “first”");
        await Expect(alice.Page.Locator("#message-input")).ToHaveValueAsync("first");
        await Expect(alice.Messages.Locator(".line-text")).ToHaveTextAsync(["second"]);
    }

    /// <summary>Whether a frame the page sent is a say of <paramref name="text"/>; its ref comes out.</summary>
    private static bool IsSay(string frame, string text, out string sayRef)
    {
        using var json = JsonDocument.Parse(frame);
        var root = json.RootElement;
        sayRef = root.TryGetProperty("ref", out var value) ? value.GetString() ?? "" : "";
        return root.GetProperty("type").GetString() == "say" && root.TryGetProperty("text", out var said) && said.GetString() == text;
    }

    private static string Unavailable(string sayRef) =>
        JsonSerializer.Serialize(new { type = "error", code = "unavailable", message = "Message not saved; try again.", @ref = sayRef });

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
