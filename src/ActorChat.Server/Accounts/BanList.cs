using System.Net;
using ActorChat.Messages;
using ActorChat.Server.Sessions;
using ActorChat.Server.Users;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorChat.Server.Accounts;

/// <summary>
/// The bans operators placed, kept in the journal (persistence id <c>~bans</c>, which no room can have) so they
/// hold across restarts. Sessions ask it before they identify; a new ban also sends the banned clients online away.
/// </summary>
public sealed class BanList : UntypedPersistentActor
{
    /// <summary>Is the account or the address banned? Answered to <paramref name="Session"/> with <see cref="Clear"/> or <see cref="Refused"/>.</summary>
    public sealed record Check(string? AccountKey, IPAddress? Address, IActorRef Session);

    public sealed class Clear
    {
        public static readonly Clear Instance = new();
        private Clear() { }
    }

    /// <summary>The session's client is banned; <see cref="Error"/> says why and for how long.</summary>
    public sealed record Refused(ErrorFrame Error);

    /// <summary>
    /// Bans an account key or a normalized address range (see <see cref="Bans.NormalizeAddress"/>) until
    /// <paramref name="Until"/> (null: for good). Answered with a done frame carrying <paramref name="Ref"/>.
    /// </summary>
    public sealed record Place(string Kind, string Target, DateTimeOffset? Until, string Reason, string By, IActorRef Session, string? Ref);

    /// <summary>Lifts a ban (done also when there was none).</summary>
    public sealed record Lift(string Kind, string Target, string By, IActorRef Session, string? Ref);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Bans _bans = new();
    private readonly IActorRef _users;
    private readonly Func<DateTimeOffset> _clock;
    private readonly int _snapshotEvery;

    public BanList(IActorRef users, Func<DateTimeOffset>? clock = null, int snapshotEvery = 100)
    {
        _users = users;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        _snapshotEvery = snapshotEvery;
    }

    public static Props Props(IActorRef users, Func<DateTimeOffset>? clock = null, int snapshotEvery = 100) =>
        Akka.Actor.Props.Create(() => new BanList(users, clock, snapshotEvery));

    public override string PersistenceId => "~bans";

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: BanListSnapshot snapshot }:
                foreach (var ban in snapshot.Bans) _bans.Apply(ban);
                break;
            case BanPlaced placed: _bans.Apply(placed); break;
            case BanLifted lifted: _bans.Apply(lifted); break;
            case RecoveryCompleted:
                _bans.Prune(_clock());
                if (_bans.Count > 0) _log.Info("{0} bans in force", _bans.Count);
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Check check:
                var now = _clock();
                check.Session.Tell(_bans.Find(check.AccountKey, check.Address, now) is { } ban
                    ? new Refused(new ErrorFrame(ErrorCodes.Banned, Bans.Describe(ban, now)))
                    : Clear.Instance);
                break;
            case Place place: OnPlace(place); break;
            case Lift lift:
                Persist(new BanLifted(lift.Kind, lift.Target), lifted =>
                {
                    _bans.Apply(lifted);
                    _log.Warning("{0} lifted the ban of {1} {2}", lift.By, lift.Kind, lift.Target);
                    lift.Session.Tell(Deliver.Answer(new DoneFrame("unban") { Ref = lift.Ref }));
                    MaybeSnapshot();
                });
                break;
            case SaveSnapshotSuccess saved:
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                break;
            case SaveSnapshotFailure or DeleteSnapshotsSuccess or DeleteSnapshotsFailure: break;
            default: Unhandled(message); break;
        }
    }

    private void OnPlace(Place place)
    {
        var @event = new BanPlaced(place.Kind, place.Target, place.Until?.ToUnixTimeMilliseconds(), place.Reason, place.By);
        Persist(@event, placed =>
        {
            _bans.Apply(placed);
            _log.Warning("{0} banned {1} {2} {3}: {4}", place.By, place.Kind, place.Target,
                place.Until is { } until ? $"until {until:u}" : "for good", place.Reason);
            place.Session.Tell(Deliver.Answer(new DoneFrame("ban") { Ref = place.Ref }));
            var notice = new ErrorFrame(ErrorCodes.Banned, Bans.Describe(placed, _clock()));
            _users.Tell(place.Kind == Bans.AccountKind
                ? new UserRegistry.Evict(place.Target, null, notice)
                : new UserRegistry.Evict(null, IPNetwork.Parse(place.Target), notice));
            MaybeSnapshot();
        });
    }

    private void MaybeSnapshot()
    {
        if (LastSequenceNr % _snapshotEvery != 0) return;
        _bans.Prune(_clock());
        SaveSnapshot(new BanListSnapshot(_bans.All.ToList()));
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        _log.Error("The ban list could not save {0}; it restarts: {1}", @event, cause.Message);

    protected override void OnRecoveryFailure(Exception reason, object? message = null) =>
        _log.Error("The ban list could not be recovered; it tries again shortly: {0}", reason.Message);
}
