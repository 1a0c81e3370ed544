using Akka.Actor;

namespace ActorChat.Server.Rooms;

/// <summary>
/// Commands for one room, sent through the room directory. <see cref="Room"/> is the room's name as the
/// client wrote it; the directory routes by its case-insensitive key, so a shard region can take its place.
/// Every answer goes to <see cref="Member"/> as an encoded frame.
/// </summary>
public interface IRoomCommand
{
    string Room { get; }
    IActorRef Member { get; }

    /// <summary>The client's ref of the frame behind the command: its answer carries it (null for commands nobody answers).</summary>
    string? Ref => null;
}

public static class RoomProtocol
{
    /// <summary>
    /// Add <paramref name="Member"/> as <paramref name="User"/>; answered with a joined frame and then
    /// <see cref="RoomAttached"/>, which echoes <paramref name="Ticket"/>, or with <see cref="JoinRefused"/>.
    /// <paramref name="Registered"/>: the user is signed in with an account of that name (only they can own or
    /// moderate). <paramref name="Creates"/> is set by the directory on the join that creates the room, whose
    /// registered joiner owns it. <paramref name="Password"/> opens a private room that has one.
    /// </summary>
    public sealed record Join(
        string Room,
        string User,
        IActorRef Member,
        long Ticket = 0,
        string? Ref = null,
        bool Registered = false,
        bool Creates = false,
        string? Password = null) : IRoomCommand
    {
        /// <summary>For a registered user, how far they have read the room (the joined frame carries it).</summary>
        public long? LastRead { get; init; }

        public override string ToString() => $"Join {{ Room = {Room}, User = {User}, Registered = {Registered}, Creates = {Creates}, Ticket = {Ticket} }}"; // never the password
    }

    /// <summary>Answered with a left frame, or not_in_room.</summary>
    public sealed record Leave(string Room, string User, IActorRef Member, string? Ref = null) : IRoomCommand;

    /// <summary>
    /// Say <paramref name="Text"/> (already validated by the session) to every member; answered with the sender's
    /// own copy of the message (carrying <paramref name="Ref"/>) in the batch that brings it to everyone, or an error.
    /// </summary>
    /// <paramref name="ReplyTo"/>: the id of a message of the room it answers (no_such_message when the room has none
    /// such among its recent ones); <paramref name="Action"/>: "/me waves".
    public sealed record Post(string Room, string User, string Text, IActorRef Member, string? Ref = null, string? ReplyTo = null, bool Action = false) : IRoomCommand
    {
        /// <summary>Files the sender uploaded, checked by its session (null: none).</summary>
        public IReadOnlyList<ActorChat.Messages.FileAttachment>? Attachments { get; init; }
    }

    public sealed record GetMembers(string Room, IActorRef Member, string? Ref = null) : IRoomCommand;

    /// <summary>
    /// A member asks for the room's own actor, so that it can talk to the room without the directory in between;
    /// answered with <see cref="RoomAttached"/> if it is a member, else with <see cref="NotAMember"/>. The directory
    /// never starts a room for it and drops it for a room that cannot be used.
    /// </summary>
    public sealed record Attach(string Room, IActorRef Member, long Ticket = 0) : IRoomCommand;

    /// <summary>
    /// The answer to an <see cref="Attach"/> from a session the room does not count among its members: the room came
    /// back without them (in cluster mode, its node was lost and it started again on another). The session is out of
    /// the room, and tells its client so, instead of waiting for messages that would never come.
    /// </summary>
    public sealed record NotAMember(string Key, string Name, long Ticket);

    /// <summary>
    /// The room's own actor, sent to a member after its join (behind the joined frame) or its <see cref="Attach"/>.
    /// Everything the member sent through the directory before that has reached the room by then.
    /// <paramref name="Ticket"/> is the one of the join or attach it answers.
    /// </summary>
    public sealed record RoomAttached(string Key, IActorRef Room, long Ticket);

    public sealed record GetStats(string Room, IActorRef Member, string? Ref = null) : IRoomCommand;

    /// <summary>
    /// Up to <paramref name="Limit"/> messages with a seq below <paramref name="Before"/> (null: the latest), for a
    /// member of the room; answered with a history frame, oldest first. The session has checked the limit.
    /// </summary>
    public sealed record GetHistory(string Room, long? Before, int Limit, IActorRef Member, string? Ref = null) : IRoomCommand;

    /// <summary>
    /// A join was refused before reaching any room (a limit on rooms, or a room that cannot be used): the session
    /// forgets the room and passes <paramref name="Error"/> (carrying the join's ref) on to its client.
    /// </summary>
    public sealed record JoinRefused(string Room, ActorChat.Messages.ErrorFrame Error);

    /// <summary>
    /// The room failed (a fault in its own code) and stopped: its members are no longer in it. Each is told, with
    /// an error naming the room, and may join again (the directory starts the room afresh on the next join).
    /// </summary>
    public sealed record RoomLost(string Key, string Name);

    /// <summary>A member as the room knows it: the session actor, the user name it joined with, and whether signed in.</summary>
    public sealed record RoomMember(IActorRef Ref, string User, bool Registered = false);

    /// <summary>
    /// A room could not write and is stopping; the directory starts it again after a pause and hands
    /// it <paramref name="Members"/>, so the people in it stay in it.
    /// </summary>
    public sealed record RoomFailed(string Key, IReadOnlyList<RoomMember> Members);

    /// <summary>
    /// Asks the directory for a page of the rooms with their member counts, those after the cursor
    /// <paramref name="After"/> (null: the first page); answered with a rooms frame.
    /// <paramref name="Read"/> is the user's read markers (room key → seq), for the unread counts.
    /// </summary>
    public sealed record ListRooms(IActorRef Member, string? After = null, string? Ref = null, string? User = null,
        IReadOnlyDictionary<string, long>? Read = null);

    /// <summary>The room's last stored seq, told to its directory as it changes (once per batch), for unread counts.</summary>
    public sealed record RoomProgress(string Key, long LastSeq);

    /// <summary>The room has recovered its messages: the directory hands it the commands that waited for it.</summary>
    public sealed record RoomRecovered(string Key);

    /// <summary>
    /// The room could not recover its messages (<paramref name="Reason"/>, one line) and is stopping; the directory
    /// answers for it, keeps <paramref name="Members"/> for its next attempt and reports it as unhealthy.
    /// </summary>
    public sealed record RoomUnrecoverable(string Key, IReadOnlyList<RoomMember> Members, string Reason);

    /// <summary>
    /// The room has had no members and nothing in flight for the passivation time: the directory holds back further
    /// commands and answers with <see cref="StopIfIdle"/>.
    /// </summary>
    public sealed record RoomIdle(string Key);

    /// <summary>The room stops if it is still idle, or else says <see cref="RoomBusyAgain"/>.</summary>
    public sealed class StopIfIdle
    {
        public static readonly StopIfIdle Instance = new();
        private StopIfIdle() { }
    }

    /// <summary>Something reached the room before <see cref="StopIfIdle"/> did; it keeps running.</summary>
    public sealed record RoomBusyAgain(string Key);

    /// <summary>
    /// Cluster mode: sharding moves the room to another node (a node joined or leaves). The room tells each member
    /// <see cref="RoomMoving"/> and goes on as usual until every member has answered <see cref="MovingAck"/> (or
    /// 5 s have passed) and nothing it started is still going; then it sends what it staged and tells its entity
    /// <see cref="HandedOff"/>, with its members for the room's next home. From then on it hands what reaches it
    /// back to its entity.
    /// </summary>
    public sealed class HandOffRoom
    {
        public static readonly HandOffRoom Instance = new();
        private HandOffRoom() { }
    }

    /// <summary>
    /// Told to each member, after everything else the room sent it: the room moves. The session answers
    /// <see cref="MovingAck"/> to <paramref name="Room"/> itself, so the answer comes after everything it sent the
    /// room directly, and sends what follows through the directory, starting with an <see cref="Attach"/>.
    /// </summary>
    public sealed record RoomMoving(string Key, IActorRef Room);

    /// <summary>The member sends the moving room nothing more.</summary>
    public sealed record MovingAck(IActorRef Member);

    /// <summary>The moving room has finished; <paramref name="Members"/> go with it to its next home.</summary>
    public sealed record HandedOff(string Key, RoomMember[] Members);

    /// <summary>Asked of the directory (for the status page); answered with <see cref="RoomSummaries"/>.</summary>
    public sealed class GetRoomSummaries
    {
        public static readonly GetRoomSummaries Instance = new();
        private GetRoomSummaries() { }
    }

    public sealed record RoomSummaries(IReadOnlyList<ActorChat.Messages.RoomSummary> Rooms);

    /// <summary>
    /// A room tells its directory how many members it has now, so listing rooms needs no round trip. A private room
    /// names who may see it listed (<paramref name="VisibleTo"/>: those in it, its owners, moderators and invited users).
    /// </summary>
    public sealed record Occupancy(string Key, string Name, int Members, bool Private = false, IReadOnlyCollection<string>? VisibleTo = null);

    // Moderation. Each is answered exactly once (the frame named, or an error); the room decides by the role of the
    // member who sent it, as it joined (a command from someone not in the room is not_in_room).

    /// <summary>Answered with the setter's copy of the topic frame that goes to every member.</summary>
    public sealed record SetTopic(string Room, string Topic, IActorRef Member, string? Ref = null) : IRoomCommand;

    /// <summary>Answered with the setter's copy of the mode frame that goes to every member.</summary>
    public sealed record SetMode(string Room, bool Private, string? Password, IActorRef Member, string? Ref = null) : IRoomCommand
    {
        public override string ToString() => $"SetMode {{ Room = {Room}, Private = {Private} }}"; // never the password
    }

    /// <summary>Answered with an invited frame.</summary>
    public sealed record Invite(string Room, string User, IActorRef Member, string? Ref = null) : IRoomCommand;

    /// <summary>Answered with the setter's copy of the role frame that goes to every member.</summary>
    public sealed record SetRole(string Room, string User, string Role, IActorRef Member, string? Ref = null) : IRoomCommand;

    /// <summary>Answered with a kicked frame; the user gets one too (<see cref="Kicked"/>), the others a leave.</summary>
    public sealed record Kick(string Room, string User, string? Reason, IActorRef Member, string? Ref = null) : IRoomCommand;

    /// <summary>Answered with a room_banned frame; a member of that name is kicked as well.</summary>
    public sealed record BanFromRoom(string Room, string User, string? Reason, IActorRef Member, string? Ref = null) : IRoomCommand;

    /// <summary>Answered with a room_unbanned frame.</summary>
    public sealed record UnbanFromRoom(string Room, string User, IActorRef Member, string? Ref = null) : IRoomCommand;

    /// <summary>Answered with the deleter's copy of the deleted frame that goes to every member.</summary>
    public sealed record DeleteMessage(string Room, string Id, IActorRef Member, string? Ref = null) : IRoomCommand;

    /// <summary>Toggles the member's reaction; answered with the sender's copy of the reaction frame that goes to every member.</summary>
    public sealed record React(string Room, string Id, string Emoji, IActorRef Member, string? Ref = null) : IRoomCommand;

    /// <summary>Replaces the text of the member's own message (text already validated); answered with the editor's copy of the edited frame.</summary>
    public sealed record Edit(string Room, string Id, string Text, IActorRef Member, string? Ref = null) : IRoomCommand;

    /// <summary>The member is typing: the other members are told; nobody answers (the session has).</summary>
    public sealed record Typing(string Room, IActorRef Member) : IRoomCommand;

    /// <summary>
    /// Told to a member put out of the room (kicked or banned): the session forgets the room and passes
    /// <paramref name="Frame"/> on to its client.
    /// </summary>
    public sealed record Kicked(string Key, ActorChat.Messages.KickedFrame Frame);

    /// <summary>
    /// An operator removes the room (the session has checked that it may); the directory stores the drop in the
    /// catalog, puts the members out and answers done, or an error (no_such_room, unavailable).
    /// </summary>
    public sealed record DropRoom(string Room, string By, string? Reason, IActorRef Member, string? Ref = null) : IRoomCommand;

    /// <summary>Told by the directory to a running room that was dropped: it tells each member <see cref="RoomGone"/> and stops.</summary>
    public sealed record DropNow(ActorChat.Messages.DroppedFrame Frame);

    /// <summary>Told to each member of a dropped room: the session forgets the room and passes <paramref name="Frame"/> on.</summary>
    public sealed record RoomGone(string Key, ActorChat.Messages.DroppedFrame Frame);
}
