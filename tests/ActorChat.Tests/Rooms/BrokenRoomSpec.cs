using System.Collections.Concurrent;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Rooms;
using ActorChat.Server.Sessions;
using ActorChat.Server.Status;
using ActorChat.Tests.Support;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.TestKit;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Tests.Rooms;

/// <summary>The memory journal, except that replaying a persistence id marked damaged fails, as a malformed event does.</summary>
public sealed class DamageableJournal : MemoryJournal
{
    public static readonly ConcurrentDictionary<string, bool> Damaged = new();

    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<IPersistentRepresentation> recoveryCallback) =>
        Damaged.ContainsKey(persistenceId)
            ? Task.FromException(new FormatException($"event of {persistenceId} is malformed"))
            : base.ReplayMessagesAsync(context, persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback);
}

public class BrokenRoomSpec() : Akka.TestKit.Xunit2.TestKit(Hocon)
{
    private const string Hocon = PersistenceSpecConfig.Hocon + """

        akka.persistence.journal.plugin = "akka.persistence.journal.damageable"
        akka.persistence.journal.damageable {
          class = "ActorChat.Tests.Rooms.DamageableJournal, ActorChat.Tests"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """;

    private readonly DeliveredFrames _delivered = new();

    /// <summary>A member probe; the room's own actor, which a room hands each joiner, is not what these specs look at.</summary>
    private TestProbe CreateMember(string? name = null)
    {
        var probe = name is null ? CreateTestProbe() : CreateTestProbe(name);
        probe.IgnoreMessages<RoomAttached>();
        return probe;
    }
    private readonly RoomHealth _health = new();
    private readonly string _room = $"cellar-{Guid.NewGuid():N}"[..16];

    private T Expect<T>(TestProbe member) where T : ServerFrame => _delivered.Expect<T>(member);

    private IActorRef NewDirectory() => Sys.ActorOf(LocalRoomDirectory.Props(new RoomSettings(10), new ChatStatistics(), _health));

    private void Damage() => DamageableJournal.Damaged[RoomActor.PersistenceIdOf(_room)] = true;

    private void Repair() => DamageableJournal.Damaged.TryRemove(RoomActor.PersistenceIdOf(_room), out _);

    /// <summary>A room with one message whose actor has stopped, so the next command recovers it from the journal.</summary>
    private async Task<(IActorRef Directory, TestProbe Alice)> RoomAtRestAsync()
    {
        var directory = NewDirectory();
        var alice = CreateMember();
        directory.Tell(new Join(_room, "alice", alice));
        Expect<JoinedFrame>(alice);
        directory.Tell(new Post(_room, "alice", "hello", alice));
        Expect<MessageFrame>(alice);
        directory.Tell(new Leave(_room, "alice", alice));
        Expect<LeftFrame>(alice);
        var room = await Sys.ActorSelection(directory.Path / _room).ResolveOne(TimeSpan.FromSeconds(3));
        Watch(room);
        Sys.Stop(room);
        ExpectTerminated(room);
        return (directory, alice);
    }

    [Fact]
    public async Task A_room_that_cannot_be_recovered_answers_everyone_unavailable_and_names_itself_in_the_health()
    {
        var (directory, alice) = await RoomAtRestAsync();
        Damage();
        try
        {
            directory.Tell(new Join(_room, "alice", alice));
            var refused = alice.ExpectMsg<JoinRefused>();
            Assert.Equal(ErrorCodes.Unavailable, refused.Error.Code);
            Assert.Contains($"'{_room}'", refused.Error.Message);

            directory.Tell(new GetMembers(_room, alice));
            directory.Tell(new GetStats(_room, alice));
            directory.Tell(new GetHistory(_room, null, 10, alice));
            directory.Tell(new Post(_room, "alice", "anyone?", alice));
            for (var i = 0; i < 4; i++) Assert.Equal(ErrorCodes.Unavailable, Expect<ErrorFrame>(alice).Code);

            Assert.StartsWith($"room '{_room}' cannot be recovered: ", _health.Problem);
            Assert.Contains("malformed", _health.Problem);
        }
        finally
        {
            Repair();
        }
    }

    [Fact]
    public async Task A_broken_room_recovers_when_asked_again_once_its_data_can_be_read()
    {
        var (directory, alice) = await RoomAtRestAsync();
        Damage();
        directory.Tell(new Join(_room, "alice", alice));
        alice.ExpectMsg<JoinRefused>();
        Assert.NotNull(_health.Problem);

        Repair();
        JoinedFrame? joined = null;
        for (var attempt = 0; attempt < 40 && joined is null; attempt++)
        {
            directory.Tell(new Join(_room, "alice", alice));
            var answer = alice.ExpectMsg<object>();
            if (answer is Deliver deliver) joined = Frames.DecodeLines(deliver.Line).OfType<JoinedFrame>().Single();
            else alice.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // the pause before the next attempt
        }
        Assert.NotNull(joined);
        Assert.Equal(["hello"], joined.History.Select(m => m.Text));
        Assert.Null(_health.Problem);
    }

    [Fact]
    public async Task Members_of_a_room_that_failed_to_recover_may_still_leave_it()
    {
        var directory = NewDirectory();
        var alice = CreateMember();
        directory.Tell(new Join(_room, "alice", alice));
        Expect<JoinedFrame>(alice);
        directory.Tell(new Post(_room, "alice", "hello", alice));
        Expect<MessageFrame>(alice);
        var room = await Sys.ActorSelection(directory.Path / _room).ResolveOne(TimeSpan.FromSeconds(3));
        Damage();
        try
        {
            // A write failure restarts the room with its members; here the restart cannot recover.
            directory.Tell(new RoomFailed(Protocol.Key(_room), [new RoomMember(alice, "alice")]), room);
            Watch(room);
            Sys.Stop(room);
            ExpectTerminated(room);
            AwaitCondition(() => _health.Problem is not null, TimeSpan.FromSeconds(10));

            directory.Tell(new GetMembers(_room, alice));
            Assert.Equal(ErrorCodes.Unavailable, Expect<ErrorFrame>(alice).Code);
            directory.Tell(new Leave(_room, "alice", alice));
            Assert.Equal(_room, Expect<LeftFrame>(alice).Room);
        }
        finally
        {
            Repair();
        }
    }

    [Fact]
    public async Task A_member_asking_to_attach_to_a_room_that_cannot_be_recovered_gets_no_error_it_did_not_ask_for()
    {
        var (directory, alice) = await RoomAtRestAsync();
        Damage();
        try
        {
            directory.Tell(new Join(_room, "alice", alice));
            alice.ExpectMsg<JoinRefused>();
            directory.Tell(new Attach(_room, alice, Ticket: 1));
            alice.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        }
        finally
        {
            Repair();
        }
    }
}
