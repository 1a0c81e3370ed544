using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;

namespace ActorChat.Tests.Integration;

/// <summary>
/// Replies, reactions, edits, actions, mentions and typing, with one member on plain TCP and one on a WebSocket.
/// What of them is stored is specified across a restart on SQLite and PostgreSQL in <see cref="StoredConversationSpec"/>.
/// </summary>
public sealed class ConversationTests
{
    /// <summary>A member over either transport.</summary>
    private interface IPeer : IAsyncDisposable
    {
        Task SendAsync(ClientFrame frame);

        Task<T> ExpectAsync<T>(Func<T, bool>? match = null) where T : ServerFrame;
    }

    private sealed class TcpPeer(TestClient client) : IPeer
    {
        public Task SendAsync(ClientFrame frame) => client.SendAsync(frame);

        public Task<T> ExpectAsync<T>(Func<T, bool>? match = null) where T : ServerFrame => client.ExpectAsync(match);

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }

    private sealed class WebPeer(WebSocketTestClient client) : IPeer
    {
        public Task SendAsync(ClientFrame frame) => client.SendAsync(frame);

        public Task<T> ExpectAsync<T>(Func<T, bool>? match = null) where T : ServerFrame => client.ExpectAsync(match);

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }

    private static async Task<IPeer> TcpAsync(RunningChatServer server, string name, string room)
    {
        var client = await TestClient.ConnectAsync(server, name);
        await client.JoinAsync(room);
        return new TcpPeer(client);
    }

    private static async Task<IPeer> WebAsync(RunningChatServer server, string name, string room) =>
        new WebPeer(await WebSocketTestClient.ConnectAsUserAsync(server, name, room));

    private static async Task<MessageFrame> SayAsync(IPeer peer, SayRequest say)
    {
        await peer.SendAsync(say with { Ref = "say" });
        return await peer.ExpectAsync<MessageFrame>(m => m.Ref == "say");
    }

    private static async Task<ErrorFrame> ErrorAsync(IPeer peer, ClientFrame frame)
    {
        await peer.SendAsync(frame with { Ref = "bad" });
        var error = await peer.ExpectAsync<ErrorFrame>();
        Assert.Equal("bad", error.Ref);
        return error;
    }

    [Fact]
    public async Task A_reply_carries_the_id_sender_and_first_hundred_characters_of_what_it_answers_and_an_unknown_id_is_no_such_message()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TcpAsync(server, "alice", "lobby");
        await using var bob = await WebAsync(server, "bob", "lobby");
        var question = await SayAsync(alice, new SayRequest("lobby", new string('q', 150)));

        var reply = await SayAsync(bob, new SayRequest("lobby", "yes", ReplyTo: question.Id));
        Assert.Equal(question.Id, reply.ReplyTo);
        Assert.Equal(new ReplyPreview("alice", new string('q', 100)), reply.ReplyPreview);
        var seen = await alice.ExpectAsync<MessageFrame>(m => m.Id == reply.Id);
        Assert.Equal((question.Id, "alice"), (seen.ReplyTo, seen.ReplyPreview?.Sender));

        Assert.Equal(ErrorCodes.NoSuchMessage, (await ErrorAsync(bob, new SayRequest("lobby", "to nothing", ReplyTo: "0123456789abcdef0123456789abcdef"))).Code);
        Assert.Equal(ErrorCodes.NoSuchMessage, (await ErrorAsync(alice, new SayRequest("lobby", "to nothing", ReplyTo: new string('x', 65)))).Code);
        Assert.Equal(question.Seq + 2, (await SayAsync(alice, new SayRequest("lobby", "next"))).Seq); // the refused reply took no seq
    }

    [Fact]
    public async Task A_reaction_toggles_reaches_every_member_and_shows_in_joined_and_history()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TcpAsync(server, "alice", "lobby");
        await using var bob = await WebAsync(server, "bob", "lobby");
        var message = await SayAsync(alice, new SayRequest("lobby", "lunch?"));

        await bob.SendAsync(new ReactRequest("lobby", message.Id, "👍") { Ref = "r1" });
        Assert.Equal(new ReactionFrame("lobby", message.Id, "👍", "bob", true) { Ref = "r1" }, await bob.ExpectAsync<ReactionFrame>());
        Assert.Equal(new ReactionFrame("lobby", message.Id, "👍", "bob", true), await alice.ExpectAsync<ReactionFrame>());
        await alice.SendAsync(new ReactRequest("lobby", message.Id, "👍"));
        var got = await alice.ExpectAsync<ServerFrame>(f => f is ErrorFrame || f is ReactionFrame { User: "alice" });
        Assert.Equal(new ReactionFrame("lobby", message.Id, "👍", "alice", true), got);
        await alice.SendAsync(new ReactRequest("lobby", message.Id, "👩‍💻")); // one grapheme cluster of several code points
        await alice.ExpectAsync<ReactionFrame>(r => r.Emoji == "👩‍💻" && r.On);
        await alice.SendAsync(new ReactRequest("lobby", message.Id, "👩‍💻"));
        Assert.False((await alice.ExpectAsync<ReactionFrame>(r => r.Emoji == "👩‍💻")).On);

        await bob.SendAsync(new HistoryRequest("lobby"));
        var shown = Assert.Single((await bob.ExpectAsync<HistoryFrame>()).Messages);
        Assert.Equal(["bob", "alice"], Assert.Single(shown.Reactions!, r => r.Key == "👍").Value);
        Assert.Single(shown.Reactions!);
        await using var carol = await TcpAsync(server, "carol", "other");
        await carol.SendAsync(new JoinRequest("lobby"));
        var joined = await carol.ExpectAsync<JoinedFrame>(j => j.Room == "lobby");
        Assert.Equal(["bob", "alice"], Assert.Single(joined.History).Reactions!["👍"]);
    }

    [Fact]
    public async Task A_reaction_is_one_emoji_on_a_live_message_and_a_message_takes_at_most_twenty_different_ones()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TcpAsync(server, "alice", "lobby");
        await using var bob = await WebAsync(server, "bob", "lobby");
        var message = await SayAsync(alice, new SayRequest("lobby", "react away"));

        foreach (var bad in new[] { "", "👍👍", "ab", " ", "\u0007", new string('a', 17) })
            Assert.Equal(ErrorCodes.BadRequest, (await ErrorAsync(bob, new ReactRequest("lobby", message.Id, bad))).Code);
        Assert.Equal(ErrorCodes.NoSuchMessage, (await ErrorAsync(bob, new ReactRequest("lobby", "no-such-id", "👍"))).Code);
        Assert.Equal(ErrorCodes.NotInRoom, (await ErrorAsync(bob, new ReactRequest("elsewhere", message.Id, "👍"))).Code);

        var emoji = Enumerable.Range(0, 21).Select(i => char.ConvertFromUtf32(0x1F600 + i)).ToArray();
        for (var i = 0; i < 20; i++)
        {
            await bob.SendAsync(new ReactRequest("lobby", message.Id, emoji[i]) { Ref = $"e{i}" });
            await bob.ExpectAsync<ReactionFrame>(r => r.Ref == $"e{i}");
        }
        var full = await ErrorAsync(bob, new ReactRequest("lobby", message.Id, emoji[20]));
        Assert.Equal(ErrorCodes.BadRequest, full.Code);
        Assert.Contains("20", full.Message);
        await alice.SendAsync(new ReactRequest("lobby", message.Id, emoji[0]) { Ref = "more" }); // an emoji that is there still takes more people
        Assert.True((await alice.ExpectAsync<ReactionFrame>(r => r.Ref == "more")).On);
    }

    [Fact]
    public async Task Only_its_sender_edits_a_message_everyone_sees_the_new_text_and_its_seq_stays()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TcpAsync(server, "alice", "lobby");
        await using var bob = await WebAsync(server, "bob", "lobby");
        var message = await SayAsync(alice, new SayRequest("lobby", "teh typo"));

        Assert.Equal(ErrorCodes.NotPermitted, (await ErrorAsync(bob, new EditRequest("lobby", message.Id, "bob was here"))).Code);
        Assert.Equal(ErrorCodes.EmptyMessage, (await ErrorAsync(alice, new EditRequest("lobby", message.Id, "  "))).Code);
        Assert.Equal(ErrorCodes.NoSuchMessage, (await ErrorAsync(alice, new EditRequest("lobby", "nope", "x"))).Code);

        await alice.SendAsync(new EditRequest("lobby", message.Id, "the typo") { Ref = "e" });
        var edited = await alice.ExpectAsync<EditedFrame>();
        Assert.Equal(("lobby", message.Id, "the typo", "e"), (edited.Room, edited.Id, edited.Text, edited.Ref));
        Assert.Equal(edited with { Ref = null }, await bob.ExpectAsync<EditedFrame>());

        await bob.SendAsync(new HistoryRequest("lobby"));
        var shown = Assert.Single((await bob.ExpectAsync<HistoryFrame>()).Messages);
        Assert.Equal((message.Id, message.Seq, "the typo", edited.EditedAt), (shown.Id, shown.Seq, shown.Text, shown.EditedAt));
        Assert.Equal(message.Seq + 1, (await SayAsync(bob, new SayRequest("lobby", "next"))).Seq);

        await alice.SendAsync(new DeleteRequest("lobby", message.Id));
        await alice.ExpectAsync<DeletedFrame>();
        Assert.Equal(ErrorCodes.NoSuchMessage, (await ErrorAsync(alice, new EditRequest("lobby", message.Id, "back again"))).Code);
    }

    [Fact]
    public async Task An_action_and_the_names_a_message_mentions_are_carried_on_the_message()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TcpAsync(server, "alice", "lobby");
        await using var bob = await WebAsync(server, "bob", "lobby");

        var action = await SayAsync(alice, new SayRequest("lobby", "waves", Action: true));
        Assert.True(action.Action);
        Assert.True((await bob.ExpectAsync<MessageFrame>(m => m.Id == action.Id)).Action);
        var plain = await SayAsync(alice, new SayRequest("lobby", "mail me at a@b.c"));
        Assert.Null(plain.Action);
        Assert.Null(plain.Mentions);

        var calling = await SayAsync(alice, new SayRequest("lobby", "@bob and @Carol, thanks @bob."));
        Assert.Equal(["bob", "Carol"], calling.Mentions);
        Assert.Equal(["bob", "Carol"], (await bob.ExpectAsync<MessageFrame>(m => m.Id == calling.Id)).Mentions);
    }

    [Fact]
    public async Task Typing_reaches_the_other_members_once_per_three_seconds_and_is_answered_each_time()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TcpAsync(server, "alice", "lobby");
        await using var bob = await WebAsync(server, "bob", "lobby");

        for (var i = 0; i < 3; i++)
        {
            await alice.SendAsync(new TypingRequest("lobby") { Ref = $"t{i}" });
            Assert.Equal(new DoneFrame("typing") { Ref = $"t{i}" }, await alice.ExpectAsync<DoneFrame>());
        }
        await alice.SendAsync(new SayRequest("lobby", "done typing"));
        Assert.Equal(new TypingFrame("lobby", "alice"), await bob.ExpectAsync<TypingFrame>());
        var next = await bob.ExpectAsync<ServerFrame>(f => f is TypingFrame or MessageFrame);
        Assert.IsType<MessageFrame>(next); // the two typing frames in between were dropped
        Assert.Equal(ErrorCodes.NotInRoom, (await ErrorAsync(alice, new TypingRequest("elsewhere"))).Code);
    }
}
