using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Server.Rooms;
using ActorChat.Server.Sessions;
using ActorChat.Tests.Support;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ActorChat.Tests.Integration;

/// <summary>
/// A room that belongs to someone, over real loopback TCP. Nobody signs in over TCP yet (accounts come separately),
/// so the owner is an in-process member that joins through the server's room directory as a signed-in user would.
/// </summary>
public sealed class RoomModerationTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private RunningChatServer _server = null!;
    private IActorRef _directory = ActorRefs.Nobody;
    private Inbox _owner = null!;
    private readonly Queue<ServerFrame> _ownerFrames = new();

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _directory = _server.Host.Services.GetRequiredService<ActorRegistry>().Get<RoomDirectory>();
        _owner = Inbox.Create(_server.System);
    }

    public async Task DisposeAsync()
    {
        _owner.Dispose();
        await _server.DisposeAsync();
    }

    private void AsOwner(object command) => _directory.Tell(command, _owner.Receiver);

    /// <summary>The owner's next frame of type <typeparamref name="T"/>, skipping others (presence, the room's own actor).</summary>
    private T OwnerExpects<T>() where T : ServerFrame
    {
        for (var i = 0; i < 50; i++)
        {
            while (_ownerFrames.TryDequeue(out var frame))
                if (frame is T wanted) return wanted;
            if (_owner.Receive(Timeout) is Deliver deliver)
                foreach (var frame in Frames.DecodeLines(deliver.Line)) _ownerFrames.Enqueue(frame);
        }
        throw new TimeoutException($"the owner waited in vain for a {typeof(T).Name}");
    }

    [Fact]
    public async Task A_private_room_refuses_a_stranger_a_kicked_member_is_told_and_messages_keep_seq_one_two_three()
    {
        var owner = _owner.Receiver;
        AsOwner(new RoomProtocol.Join("vault", "alice", owner, Registered: true));
        OwnerExpects<JoinedFrame>();
        AsOwner(new RoomProtocol.SetMode("vault", true, null, owner));
        OwnerExpects<ModeFrame>();

        await using var bob = await TestClient.ConnectAsync(_server, "bob");
        await bob.SendAsync(new JoinRequest("vault") { Ref = "j" });
        var refused = await bob.NextAsync<ErrorFrame>();
        Assert.Equal((ErrorCodes.InviteOnly, "j"), (refused.Code, refused.Ref));
        await bob.SendAsync(RoomListRequest.Instance);
        Assert.DoesNotContain("vault", (await bob.NextAsync<RoomListFrame>()).Rooms.Select(r => r.Name));
        await bob.SendAsync(new WhoRequest("vault"));
        Assert.Equal(ErrorCodes.NotInRoom, (await bob.NextAsync<ErrorFrame>()).Code);
        await bob.SendAsync(new TopicRequest("vault", "let me in"));
        Assert.Equal(ErrorCodes.NotInRoom, (await bob.NextAsync<ErrorFrame>()).Code);

        AsOwner(new RoomProtocol.Invite("vault", "carol", owner));
        OwnerExpects<InvitedFrame>();
        await using var carol = await TestClient.ConnectAsync(_server, "carol");
        await carol.JoinAsync("vault");
        await carol.SendAsync(new SayRequest("vault", "one"));
        Assert.Equal(1, (await carol.NextAsync<MessageFrame>()).Seq);

        AsOwner(new RoomProtocol.SetTopic("vault", "No stragglers", owner));
        Assert.Equal(new TopicFrame("vault", "No stragglers", "alice"), await carol.NextAsync<TopicFrame>());
        await carol.SendAsync(new SayRequest("vault", "two"));
        Assert.Equal(2, (await carol.NextAsync<MessageFrame>()).Seq);

        AsOwner(new RoomProtocol.Kick("vault", "carol", "time out", owner));
        Assert.Equal(new KickedFrame("vault", "carol", "alice", "time out"), await carol.NextAsync<KickedFrame>());
        await carol.SendAsync(new SayRequest("vault", "still here?") { Ref = "s" });
        var outside = await carol.NextAsync<ErrorFrame>();
        Assert.Equal((ErrorCodes.NotInRoom, "s"), (outside.Code, outside.Ref));

        await carol.SendAsync(new JoinRequest("vault"));
        var joined = await carol.NextAsync<JoinedFrame>();
        Assert.Equal("No stragglers", joined.Topic);
        Assert.Equal([1L, 2L], joined.History.Select(m => m.Seq));
        await carol.SendAsync(new SayRequest("vault", "three"));
        Assert.Equal(3, (await carol.NextAsync<MessageFrame>()).Seq);
    }
}
