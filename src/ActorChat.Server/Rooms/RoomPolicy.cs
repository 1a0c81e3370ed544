using ActorChat.Messages;

namespace ActorChat.Server.Rooms;

/// <summary>What one may do in a room: members, then moderators, then owners. Guests are always members.</summary>
public enum RoomRole
{
    Member,
    Moderator,
    Owner,
}

/// <summary>The outcome of a join as far as the room's rules go.</summary>
public enum Admission
{
    Admitted,
    Banned,
    InviteOnly,

    /// <summary>The joiner gave a password and the room has one: admitted if it matches (checked off the room's thread).</summary>
    CheckPassword,

    BadPassword,
}

/// <summary>
/// The rules of one room: who owns and moderates it, its topic, whether it is private (and its password hash), who is
/// invited or banned, and which messages are deleted. A plain class, so who may do what is testable without actors;
/// <see cref="RoomRules"/> stores its events and the room keeps a copy built from the same events.
/// <para>
/// Roles are given to account names and count only for a member who joined signed in (registered): a guest with an
/// owner's name is a member. Bans and invitations are by name, for accounts and guests alike. Names compare ignoring case.
/// </para>
/// </summary>
public sealed class RoomPolicy
{
    private readonly HashSet<string> _owners = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _moderators = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _invited = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string?> _bans = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<long> _deleted = [];

    public string? Topic { get; private set; }
    public string? TopicBy { get; private set; }
    public bool IsPrivate { get; private set; }
    public string? PasswordHash { get; private set; }
    public bool HasOwner => _owners.Count > 0;
    public IReadOnlyCollection<string> Owners => _owners;

    /// <summary>Who may see a private room in the rooms list besides those in it now: its owners, moderators and invited users.</summary>
    public IEnumerable<string> Insiders => _owners.Concat(_moderators).Concat(_invited);

    public RoomRole RoleOf(string user, bool registered) => registered ? RankOf(user) : RoomRole.Member;

    /// <summary>The role given to a name, whether or not it is signed in now (what protects owners from their moderators).</summary>
    public RoomRole RankOf(string user) =>
        _owners.Contains(user) ? RoomRole.Owner : _moderators.Contains(user) ? RoomRole.Moderator : RoomRole.Member;

    public bool IsBanned(string user, out string? reason) => _bans.TryGetValue(user, out reason);

    public bool IsDeleted(long seq) => _deleted.Contains(seq);

    /// <summary>The deleted seqs from <paramref name="from"/> to <paramref name="to"/>, for a history read.</summary>
    public IReadOnlySet<long> DeletedBetween(long from, long to) => _deleted.Where(s => s >= from && s <= to).ToHashSet();

    /// <summary>Whether <paramref name="user"/> may come in: bans first, then a private room's invitations and password.</summary>
    public Admission Admit(string user, bool registered, string? password, bool passwordMatched = false)
    {
        if (_bans.ContainsKey(user)) return Admission.Banned;
        if (!IsPrivate || passwordMatched || RoleOf(user, registered) > RoomRole.Member || _invited.Contains(user)) return Admission.Admitted;
        if (password is null) return Admission.InviteOnly;
        return PasswordHash is null ? Admission.BadPassword : Admission.CheckPassword;
    }

    /// <summary>The room's first owner: a signed-in user who creates it. A guest's room has no owner.</summary>
    public bool ShouldOwn(string user, bool registered, bool creates) => creates && registered && !HasOwner;

    public ErrorFrame? TopicProblem(RoomRole actor) => actor >= RoomRole.Moderator ? null
        : NotPermitted("Only the room's owners and moderators may set its topic.");

    public ErrorFrame? ModeProblem(RoomRole actor) => actor == RoomRole.Owner ? null
        : NotPermitted("Only the room's owners may make it private or public.");

    public ErrorFrame? InviteProblem(RoomRole actor) => actor >= RoomRole.Moderator ? null
        : NotPermitted("Only the room's owners and moderators may invite.");

    public ErrorFrame? RoleProblem(RoomRole actor, string target, RoomRole role)
    {
        if (actor != RoomRole.Owner) return NotPermitted("Only the room's owners may give roles.");
        if (role != RoomRole.Owner && _owners.Count == 1 && _owners.Contains(target))
            return NotPermitted("A room keeps at least one owner: name another owner first.");
        return null;
    }

    /// <summary>Kicks and bans: moderators and owners, and only of someone with a lower role than theirs.</summary>
    public ErrorFrame? ActOnProblem(RoomRole actor, string target, string what)
    {
        if (actor < RoomRole.Moderator) return NotPermitted($"Only the room's owners and moderators may {what}.");
        return RankOf(target) >= actor ? NotPermitted($"You may not {what} '{target}': their role in the room is as high as yours.") : null;
    }

    /// <summary>One's own messages, and anyone's for moderators and owners.</summary>
    public ErrorFrame? DeleteProblem(RoomRole actor, bool ownMessage) => ownMessage || actor >= RoomRole.Moderator ? null
        : NotPermitted("Only the sender of a message and the room's owners and moderators may delete it.");

    public static RoomRole ParseRole(string role) => role switch
    {
        RoleRequest.Owner => RoomRole.Owner,
        RoleRequest.Moderator => RoomRole.Moderator,
        _ => RoomRole.Member,
    };

    public static string NameOf(RoomRole role) => role switch
    {
        RoomRole.Owner => RoleRequest.Owner,
        RoomRole.Moderator => RoleRequest.Moderator,
        _ => RoleRequest.Member,
    };

    public void Apply(IRoomRulesEvent change)
    {
        switch (change)
        {
            case RoleGiven given:
                _owners.Remove(given.User);
                _moderators.Remove(given.User);
                if (given.Role == RoleRequest.Owner) _owners.Add(given.User);
                else if (given.Role == RoleRequest.Moderator) _moderators.Add(given.User);
                break;
            case TopicSet topic:
                Topic = topic.Topic.Length == 0 ? null : topic.Topic;
                TopicBy = Topic is null ? null : topic.By;
                break;
            case ModeSet mode:
                IsPrivate = mode.Private;
                PasswordHash = mode.Private ? mode.PasswordHash : null;
                break;
            case UserInvited invited: _invited.Add(invited.User); break;
            case UserBanned banned: _bans[banned.User] = banned.Reason; break;
            case UserUnbanned unbanned: _bans.Remove(unbanned.User); break;
            case MessageDeleted deleted: _deleted.Add(deleted.Seq); break;
            case RulesSnapshot snapshot: Restore(snapshot); break;
        }
    }

    public RulesSnapshot ToSnapshot() => new(
        [.. _owners], [.. _moderators], Topic, TopicBy, IsPrivate, PasswordHash, [.. _invited],
        new Dictionary<string, string?>(_bans, StringComparer.OrdinalIgnoreCase), [.. _deleted.Order()]);

    public static RoomPolicy From(RulesSnapshot snapshot)
    {
        var policy = new RoomPolicy();
        policy.Restore(snapshot);
        return policy;
    }

    private void Restore(RulesSnapshot snapshot)
    {
        _owners.Clear();
        _owners.UnionWith(snapshot.Owners);
        _moderators.Clear();
        _moderators.UnionWith(snapshot.Moderators);
        Topic = snapshot.Topic;
        TopicBy = snapshot.TopicBy;
        IsPrivate = snapshot.Private;
        PasswordHash = snapshot.PasswordHash;
        _invited.Clear();
        _invited.UnionWith(snapshot.Invited);
        _bans.Clear();
        foreach (var (user, reason) in snapshot.Bans) _bans[user] = reason;
        _deleted.Clear();
        _deleted.UnionWith(snapshot.Deleted);
    }

    private static ErrorFrame NotPermitted(string message) => new(ErrorCodes.NotPermitted, message);
}
