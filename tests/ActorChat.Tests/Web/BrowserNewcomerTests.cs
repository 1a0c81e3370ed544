using System.Text;
using System.Text.RegularExpressions;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Tests.Web;

/// <summary>The web chat as a newcomer meets it, in headless Chromium against a real server.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class BrowserNewcomerTests(ChromiumFixture chromium)
{
    private const string Green = "rgb(47, 158, 68)";   // --ok: a member known to be online
    private const string Grey = "rgb(102, 112, 133)";  // --muted: presence unknown

    [Fact(Timeout = 120_000)]
    public async Task The_page_starts_in_the_servers_default_room_general_where_a_tcp_client_meets_its_user()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice");
        await Expect(alice.Conversation("general")).ToHaveAttributeAsync("aria-current", "true");

        await using var carol = await TestClient.ConnectAsync(server, "carol");
        await carol.SendAsync(new JoinRequest("general"));
        var joined = await carol.ExpectAsync<JoinedFrame>();
        Assert.Contains("alice", joined.Members);
        await Expect(alice.Member("carol")).ToBeVisibleAsync();
        await carol.SendAsync(new SayRequest("general", "hi from the terminal"));
        await alice.ExpectMessageAsync("carol", "hi from the terminal");
    }

    [Fact(Timeout = 120_000)]
    public async Task The_page_starts_in_the_room_the_server_names_in_its_welcome()
    {
        await using var server = await TestServer.StartAsync("--default-room", "Lounge");
        await using var kim = await ChatPage.OpenAsync(chromium.Browser, server.WebUri());
        await kim.Page.Locator("#name-input").FillAsync("kim");
        await kim.Page.Locator("#name-input").PressAsync("Enter");
        await Expect(kim.Title).ToHaveTextAsync("#Lounge");
        await Expect(kim.Conversation("general")).ToHaveCountAsync(0);
    }

    [Fact(Timeout = 120_000)]
    public async Task After_a_direct_chat_the_room_shows_its_newest_message_and_later_ones_scroll_into_view()
    {
        // More messages than the list holds, and older ones than the room sends on join: the room has its
        // "Load older messages" bar, which the direct chat has not.
        await using var server = await TestServer.StartAsync("--history", "30", "--flood-rate", "0");
        await using var carol = await TestClient.ConnectAsync(server, "carol");
        await carol.JoinAsync("general");
        for (var i = 1; i <= 50; i++) await carol.SendAsync(new SayRequest("general", $"line {i:D2}"));
        await carol.ExpectAsync<MessageFrame>(m => m.Text == "line 50");

        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice");
        var fully = new LocatorAssertionsToBeInViewportOptions { Ratio = 1 };
        await Expect(Line(alice, "line 50")).ToBeInViewportAsync(fully);
        await Expect(alice.OlderButton).ToBeVisibleAsync();

        await alice.Member("carol").Locator("button").ClickAsync();
        await Expect(alice.Title).ToHaveTextAsync("@carol");
        await alice.SayAsync("got a minute?");
        await alice.ExpectMessageAsync("alice", "got a minute?");
        await carol.SendAsync(new DirectMessageRequest("alice", "sure, what's up?"));
        await Expect(Line(alice, "sure, what's up?")).ToBeInViewportAsync(fully);

        await alice.Conversation("general").ClickAsync();
        await Expect(alice.Title).ToHaveTextAsync("#general");
        await Expect(Line(alice, "line 50")).ToBeInViewportAsync(fully);
        for (var i = 51; i <= 55; i++)
        {
            await carol.SendAsync(new SayRequest("general", $"line {i:D2}"));
            await Expect(Line(alice, $"line {i:D2}")).ToBeInViewportAsync(fully);
        }

        // Someone reading further up is left where they are.
        await alice.Page.Locator("#messages").EvaluateAsync("list => { list.scrollTop = 10; }");
        await Expect(Line(alice, "line 55")).Not.ToBeInViewportAsync();
        await carol.SendAsync(new SayRequest("general", "line 56"));
        await Expect(Line(alice, "line 56")).ToHaveCountAsync(1);
        await Expect(Line(alice, "line 56")).Not.ToBeInViewportAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task A_reload_keeps_the_name_and_rejoins_the_rooms()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice");
        await alice.JoinAsync("ops");
        await alice.JoinAsync("dev");

        await alice.Page.ReloadAsync();
        await Expect(alice.Status).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 20_000 });
        await Expect(alice.Page.Locator("#login")).ToBeHiddenAsync();
        await Expect(alice.Page.Locator("#me")).ToHaveTextAsync("alice");
        await Expect(alice.Title).ToHaveTextAsync("#dev");
        foreach (var room in new[] { "general", "ops", "dev" }) await Expect(alice.Conversation(room)).ToBeVisibleAsync();

        await using var watcher = await TestClient.ConnectAsync(server, "watcher");
        await watcher.SendAsync(new JoinRequest("ops"));
        Assert.Contains("alice", (await watcher.ExpectAsync<JoinedFrame>()).Members);
        await alice.Conversation("ops").ClickAsync();
        await alice.SayAsync("back after a reload");
        Assert.Equal("alice", (await watcher.ExpectAsync<MessageFrame>(m => m.Text == "back after a reload")).Sender);

        // Signing out is for good: a reload then shows the name form.
        await alice.Page.Locator("#logout").ClickAsync();
        await alice.Page.ReloadAsync();
        await Expect(alice.Page.Locator("#login")).ToBeVisibleAsync();
        await Expect(alice.Page.Locator("#chat")).ToBeHiddenAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task Who_lists_the_members_of_the_room_on_screen()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice");
        await using var bob = await TestClient.ConnectAsync(server, "bob");
        await bob.JoinAsync("general");
        await Expect(alice.Member("bob")).ToBeVisibleAsync();

        await alice.SayAsync("/who");
        await Expect(alice.SystemLines.Filter(new LocatorFilterOptions { HasTextRegex = WhoLine() })).ToHaveCountAsync(1);
    }

    [Fact(Timeout = 120_000)]
    public async Task Presence_dots_go_grey_while_the_server_is_down_and_green_again_once_it_is_back()
    {
        var first = await TestServer.StartAsync();
        var port = first.WebEndpoint!.Port;
        RunningChatServer? second = null;
        try
        {
            await using var alice = await ChatPage.SignInAsync(chromium.Browser, first.WebUri(), "alice");
            await using (var carol = await TestClient.ConnectAsync(first, "carol"))
            {
                await carol.JoinAsync("general");
                await Expect(alice.Member("carol")).ToBeVisibleAsync();
                Assert.Equal(Green, await alice.PresenceColourAsync("carol"));
                Assert.Equal(Green, await alice.PresenceColourAsync("alice"));

                await first.DisposeAsync();
                await Expect(alice.Status).ToHaveAttributeAsync("data-state", "reconnecting");
                Assert.Equal(Grey, await alice.PresenceColourAsync("carol"));
                Assert.Equal(Grey, await alice.PresenceColourAsync("alice"));
            }

            second = await StartOnPortAsync(port);
            await Expect(alice.Status).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 20_000 });
            await Expect(alice.Member("alice")).ToBeVisibleAsync();
            Assert.Equal(Green, await alice.PresenceColourAsync("alice"));
        }
        finally
        {
            if (second is not null) await second.DisposeAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task On_a_phone_the_rooms_one_is_in_and_the_rooms_to_join_are_listed_apart_and_general_once()
    {
        await using var server = await TestServer.StartAsync();
        await using var zed = await TestClient.ConnectAsync(server, "zed");
        await zed.JoinAsync("random");
        await using var dana = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "dana", ChatPage.Phone);

        var yours = dana.Page.GetByRole(AriaRole.Heading, new() { Name = "Your rooms & chats" });
        var toJoin = dana.Page.GetByRole(AriaRole.Heading, new() { Name = "Rooms to join" });
        await Expect(yours).ToBeVisibleAsync();
        await Expect(toJoin).ToBeVisibleAsync();
        await Expect(dana.RoomToJoin("random")).ToBeVisibleAsync();
        await Expect(dana.Conversation("general")).ToBeVisibleAsync();
        await Expect(dana.RoomToJoin("general")).ToHaveCountAsync(0);
        await Expect(dana.Page.Locator(".sidebar button", new() { HasTextString = "#general" })).ToHaveCountAsync(1);
        var joinedBox = await dana.Conversation("general").BoundingBoxAsync();
        var toJoinBox = await toJoin.BoundingBoxAsync();
        Assert.True(joinedBox!.Y + joinedBox.Height <= toJoinBox!.Y, "the rooms to join are not below the rooms one is in");

        // Joining moves a room from one list to the other.
        await dana.RoomToJoin("random").ClickAsync();
        await Expect(dana.Title).ToHaveTextAsync("#random");
        await Expect(dana.Conversation("random")).ToBeVisibleAsync();
        await Expect(dana.Page.Locator(".sidebar button", new() { HasTextString = "#random" })).ToHaveCountAsync(1);
        await Expect(toJoin).ToBeHiddenAsync(); // every room on the server is one of dana's now
    }

    [Fact(Timeout = 120_000)]
    public async Task A_room_without_older_messages_offers_none_to_load()
    {
        await using var server = await TestServer.StartAsync();
        await using var carol = await TestClient.ConnectAsync(server, "carol");
        await carol.JoinAsync("short");
        await carol.SendAsync(new SayRequest("short", "the first and only"));
        await carol.ExpectAsync<MessageFrame>();
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice");

        // A new, empty room. The answers come in order: once /who is answered, the room's stats are in.
        await alice.JoinAsync("fresh");
        await alice.SayAsync("/who");
        await Expect(alice.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "In #fresh (1): alice" })).ToHaveCountAsync(1);
        await Expect(alice.Page.Locator("#older")).ToBeHiddenAsync();

        // A room whose history starts at its first message.
        await alice.JoinAsync("short");
        await alice.ExpectMessageAsync("carol", "the first and only");
        await alice.SayAsync("/who");
        await Expect(alice.SystemLines.Filter(new LocatorFilterOptions { HasTextString = "In #short (2)" })).ToHaveCountAsync(1);
        await Expect(alice.Page.Locator("#older")).ToBeHiddenAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task A_room_that_sends_no_history_on_join_still_offers_its_older_messages()
    {
        await using var server = await TestServer.StartAsync("--history", "0");
        await using var carol = await TestClient.ConnectAsync(server, "carol");
        await carol.JoinAsync("quiet");
        await carol.SendAsync(new SayRequest("quiet", "said before alice came"));
        await carol.ExpectAsync<MessageFrame>();
        await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice");

        await alice.JoinAsync("quiet");
        await Expect(alice.OlderButton).ToBeVisibleAsync(); // the room's stats count one message
        await alice.OlderButton.ClickAsync();
        await alice.ExpectMessageAsync("carol", "said before alice came");
        await Expect(alice.OlderNote).ToHaveTextAsync("No older messages");
    }

    [Fact(Timeout = 120_000)]
    public async Task Messages_from_earlier_days_show_their_date_with_a_separator_between_days()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"actorchat-days-{Guid.NewGuid():N}");
        try
        {
            await using (var before = await TestServer.StartAsync("--data-dir", dataDir))
            {
                await using var carol = await TestClient.ConnectAsync(before, "carol");
                await carol.JoinAsync("diary");
                foreach (var text in new[] { "on the fourteenth", "on the fifteenth", "yesterday", "today" })
                {
                    await carol.SendAsync(new SayRequest("diary", text));
                    await carol.ExpectAsync<MessageFrame>(m => m.Text == text);
                }
            }
            // Back-date the first three messages behind the stopped server's back: two in March, one yesterday.
            SqliteConnection.ClearAllPools();
            var database = Path.Combine(dataDir, "actorchat.db");
            BackDate(database, "room-diary", 1, "2026-03-14T09:30:00.000Z");
            BackDate(database, "room-diary", 2, "2026-03-15T16:05:00.000Z");
            BackDate(database, "room-diary", 3, $"{DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}T12:00:00.000Z");

            await using var server = await TestServer.StartAsync("--data-dir", dataDir);
            await using var alice = await ChatPage.SignInAsync(chromium.Browser, server.WebUri(), "alice", configure: options =>
            {
                options.Locale = "en-GB";
                options.TimezoneId = "UTC";
            });
            await alice.JoinAsync("diary");

            var items = alice.Page.Locator("#messages > li.line-day, #messages > li.line-message");
            await Expect(items).ToHaveTextAsync([
                new Regex("14 March"), new Regex("14 Mar.* 09:30.*on the fourteenth"),
                new Regex("15 March"), new Regex("15 Mar.* 16:05.*on the fifteenth"),
                // A message line ends with its Reply and reaction buttons.
                new Regex("^Yesterday$"), new Regex("12:00.*yesterday(Reply|$)"),
                new Regex("^Today$"), new Regex(@"^\d\d:\d\dcaroltoday(Reply|$)"),
            ]);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Rewrites the timestamp of one stored message (the journal holds each event as JSON).</summary>
    private static void BackDate(string database, string persistenceId, long seq, string timestamp)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        connection.Open();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT message FROM journal WHERE persistence_id = $id AND sequence_number = $seq";
        read.Parameters.AddWithValue("$id", persistenceId);
        read.Parameters.AddWithValue("$seq", seq);
        var json = Encoding.UTF8.GetString((byte[])read.ExecuteScalar()!);
        var changed = StoredTimestamp().Replace(json, $"\"timestamp\":\"{timestamp}\"");
        Assert.NotEqual(json, changed);
        using var write = connection.CreateCommand();
        write.CommandText = "UPDATE journal SET message = $message WHERE persistence_id = $id AND sequence_number = $seq";
        write.Parameters.AddWithValue("$message", Encoding.UTF8.GetBytes(changed));
        write.Parameters.AddWithValue("$id", persistenceId);
        write.Parameters.AddWithValue("$seq", seq);
        Assert.Equal(1, write.ExecuteNonQuery());
    }

    [GeneratedRegex("\"timestamp\":\"[^\"]*\"")]
    private static partial Regex StoredTimestamp();

    [GeneratedRegex(@"^In #general \(2\): (alice, bob|bob, alice)$")]
    private static partial Regex WhoLine();

    private static ILocator Line(ChatPage page, string text) =>
        page.Messages.Filter(new LocatorFilterOptions { Has = page.Page.Locator(".line-text", new() { HasTextString = text }) });

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
}
