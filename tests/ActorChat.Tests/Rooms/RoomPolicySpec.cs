using ActorChat.Messages;
using ActorChat.Server.Rooms;

namespace ActorChat.Tests.Rooms;

public class RoomPolicySpec
{
    private static RoomPolicy OwnedBy(string owner, params IRoomRulesEvent[] changes)
    {
        var policy = new RoomPolicy();
        policy.Apply(new RoleGiven(owner, RoleRequest.Owner, owner));
        foreach (var change in changes) policy.Apply(change);
        return policy;
    }

    [Fact]
    public void A_registered_user_who_creates_a_room_owns_it_and_a_guest_does_not()
    {
        var policy = new RoomPolicy();
        Assert.True(policy.ShouldOwn("alice", registered: true, creates: true));
        Assert.False(policy.ShouldOwn("alice", registered: false, creates: true));
        Assert.False(policy.ShouldOwn("alice", registered: true, creates: false));
        Assert.False(OwnedBy("alice").ShouldOwn("bob", registered: true, creates: true));
    }

    [Fact]
    public void Roles_count_only_for_a_member_signed_in_with_that_account()
    {
        var policy = OwnedBy("alice", new RoleGiven("bob", RoleRequest.Moderator, "alice"));
        Assert.Equal(RoomRole.Owner, policy.RoleOf("ALICE", registered: true));
        Assert.Equal(RoomRole.Member, policy.RoleOf("alice", registered: false));
        Assert.Equal(RoomRole.Moderator, policy.RoleOf("bob", registered: true));
        Assert.Equal(RoomRole.Member, policy.RoleOf("carol", registered: true));
    }

    [Fact]
    public void Owners_and_moderators_set_the_topic_and_members_may_not()
    {
        var policy = OwnedBy("alice");
        Assert.Null(policy.TopicProblem(RoomRole.Owner));
        Assert.Null(policy.TopicProblem(RoomRole.Moderator));
        Assert.Equal(ErrorCodes.NotPermitted, policy.TopicProblem(RoomRole.Member)!.Code);
    }

    [Fact]
    public void Only_owners_change_the_mode_and_give_roles()
    {
        var policy = OwnedBy("alice");
        Assert.Null(policy.ModeProblem(RoomRole.Owner));
        Assert.Equal(ErrorCodes.NotPermitted, policy.ModeProblem(RoomRole.Moderator)!.Code);
        Assert.Null(policy.RoleProblem(RoomRole.Owner, "bob", RoomRole.Moderator));
        Assert.Equal(ErrorCodes.NotPermitted, policy.RoleProblem(RoomRole.Moderator, "bob", RoomRole.Moderator)!.Code);
    }

    [Fact]
    public void The_last_owner_cannot_step_down_until_there_is_another()
    {
        var policy = OwnedBy("alice");
        Assert.Equal(ErrorCodes.NotPermitted, policy.RoleProblem(RoomRole.Owner, "alice", RoomRole.Member)!.Code);
        policy.Apply(new RoleGiven("bob", RoleRequest.Owner, "alice"));
        Assert.Null(policy.RoleProblem(RoomRole.Owner, "alice", RoomRole.Member));
    }

    [Fact]
    public void Moderators_kick_and_ban_members_but_not_owners_or_other_moderators()
    {
        var policy = OwnedBy("alice", new RoleGiven("bob", RoleRequest.Moderator, "alice"), new RoleGiven("dave", RoleRequest.Moderator, "alice"));
        Assert.Null(policy.ActOnProblem(RoomRole.Moderator, "carol", "kick"));
        Assert.Equal(ErrorCodes.NotPermitted, policy.ActOnProblem(RoomRole.Moderator, "alice", "kick")!.Code);
        Assert.Equal(ErrorCodes.NotPermitted, policy.ActOnProblem(RoomRole.Moderator, "dave", "ban")!.Code);
        Assert.Null(policy.ActOnProblem(RoomRole.Owner, "bob", "ban"));
        Assert.Equal(ErrorCodes.NotPermitted, policy.ActOnProblem(RoomRole.Member, "carol", "kick")!.Code);
    }

    [Fact]
    public void Senders_delete_their_own_messages_and_moderators_anyone_s()
    {
        var policy = OwnedBy("alice");
        Assert.Null(policy.DeleteProblem(RoomRole.Member, ownMessage: true));
        Assert.Null(policy.DeleteProblem(RoomRole.Moderator, ownMessage: false));
        Assert.Equal(ErrorCodes.NotPermitted, policy.DeleteProblem(RoomRole.Member, ownMessage: false)!.Code);
    }

    [Fact]
    public void A_banned_user_is_refused_whatever_their_role_or_invitation()
    {
        var policy = OwnedBy("alice", new UserInvited("carol", "alice"), new UserBanned("Carol", "spam", "alice"));
        Assert.Equal(Admission.Banned, policy.Admit("carol", registered: false, password: null));
        Assert.True(policy.IsBanned("CAROL", out var reason));
        Assert.Equal("spam", reason);
        policy.Apply(new UserUnbanned("carol", "alice"));
        Assert.Equal(Admission.Admitted, policy.Admit("carol", registered: false, password: null));
    }

    [Fact]
    public void A_private_room_admits_its_insiders_and_the_invited_and_checks_everyone_else_s_password()
    {
        var policy = OwnedBy("alice", new ModeSet(true, RoomPassword.Hash("sesame"), "alice"), new UserInvited("bob", "alice"));
        Assert.Equal(Admission.Admitted, policy.Admit("alice", registered: true, password: null));
        Assert.Equal(Admission.Admitted, policy.Admit("bob", registered: false, password: null));
        Assert.Equal(Admission.InviteOnly, policy.Admit("carol", registered: false, password: null));
        Assert.Equal(Admission.CheckPassword, policy.Admit("carol", registered: false, password: "guess"));
        Assert.Equal(Admission.Admitted, policy.Admit("carol", registered: false, password: "sesame", passwordMatched: true));
    }

    [Fact]
    public void A_password_for_a_private_room_without_one_is_a_bad_password_and_a_public_room_ignores_it()
    {
        var policy = OwnedBy("alice", new ModeSet(true, null, "alice"));
        Assert.Equal(Admission.BadPassword, policy.Admit("carol", registered: false, password: "guess"));
        policy.Apply(new ModeSet(false, null, "alice"));
        Assert.Equal(Admission.Admitted, policy.Admit("carol", registered: false, password: "guess"));
    }

    [Fact]
    public void Room_passwords_are_kept_as_salted_pbkdf2_hashes_that_verify_only_the_password()
    {
        var hash = RoomPassword.Hash("sesame");
        Assert.StartsWith("pbkdf2-sha512$100000$", hash);
        Assert.DoesNotContain("sesame", hash);
        Assert.NotEqual(hash, RoomPassword.Hash("sesame"));
        Assert.True(RoomPassword.Verify("sesame", hash));
        Assert.False(RoomPassword.Verify("Sesame", hash));
        Assert.False(RoomPassword.Verify("sesame", "not a hash"));
    }

    [Fact]
    public void A_snapshot_holds_every_rule()
    {
        var policy = OwnedBy("alice",
            new RoleGiven("bob", RoleRequest.Moderator, "alice"),
            new TopicSet("hello", "bob"),
            new ModeSet(true, "h", "alice"),
            new UserInvited("carol", "bob"),
            new UserBanned("eve", null, "bob"),
            new MessageDeleted(7, "m7", "bob"));
        var copy = RoomPolicy.From(policy.ToSnapshot());
        Assert.Equal(policy.ToSnapshot() with { Bans = null!, Owners = null!, Moderators = null!, Invited = null!, Deleted = null! },
            copy.ToSnapshot() with { Bans = null!, Owners = null!, Moderators = null!, Invited = null!, Deleted = null! });
        Assert.Equal(RoomRole.Moderator, copy.RankOf("bob"));
        Assert.Equal(Admission.Admitted, copy.Admit("carol", registered: false, password: null));
        Assert.Equal(Admission.Banned, copy.Admit("eve", registered: false, password: null));
        Assert.True(copy.IsDeleted(7));
        Assert.Equal(("hello", "bob"), (copy.Topic, copy.TopicBy));
    }

    [Fact]
    public void An_empty_topic_clears_it()
    {
        var policy = OwnedBy("alice", new TopicSet("hello", "alice"), new TopicSet("", "alice"));
        Assert.Null(policy.Topic);
    }
}
