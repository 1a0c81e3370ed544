using ActorChat.Messages;
using ActorChat.Server.Configuration;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorChat.Server.Accounts;

/// <summary>
/// The accounts: names and their salted password hashes, kept in the journal under persistence id <c>~accounts</c>
/// (room ids are <c>room-…</c>, so no room can have it) with snapshots. It checks passwords for sessions and creates
/// and changes accounts. Hashing is slow, so it runs on the thread pool, a few at a time (the rest wait in a bounded
/// queue; past that, busy), and its result comes back here as a message. Failed sign-ins are slowed down per name
/// and per address (<see cref="SignInDelay"/>). Every request is answered exactly once, to the session that asked.
/// </summary>
public sealed class AccountBook : UntypedPersistentActor, IWithTimers
{
    public ITimerScheduler Timers { get; set; } = null!;

    private long _timerKeys;

    /// <summary>
    /// Sign in as <paramref name="Name"/>: with a password, to its account; without one, as a guest, which only
    /// a name without an account allows. Answered with <see cref="Accepted"/> or <see cref="Refused"/>.
    /// </summary>
    public sealed record SignIn(string Name, Secret? Password, string? Address, IActorRef Session);

    /// <summary><see cref="Name"/> as the account spells it (or as the guest typed it); <see cref="Account"/> false for a guest.</summary>
    public sealed record Accepted(string Name, bool Account);

    public sealed record Refused(ErrorFrame Error);

    /// <summary>Create an account; answered with <see cref="Created"/> or <see cref="Refused"/> (name_taken, too_many_accounts, busy).</summary>
    public sealed record Create(string Name, Secret Password, IActorRef Session, string? Address = null);

    public sealed record Created(string Name);

    /// <summary>Change the password of <paramref name="Name"/> after checking the old one; answered with <see cref="Changed"/> or <see cref="Refused"/>.</summary>
    public sealed record ChangePassword(string Name, Secret Old, Secret New, string? Address, IActorRef Session);

    public sealed class Changed
    {
        public static readonly Changed Instance = new();
        private Changed() { }
    }

    /// <summary>Asks whether a name has an account (for status and tests); answered with a bool.</summary>
    public sealed record Exists(string Name);

    public const string AuthFailedMessage = "Wrong name or password (a registered name needs its password).";

    private sealed record Job(Func<object> Work, IActorRef Session, string? CreatingKey);

    private sealed record JobDone(object Result, Job Job);

    private sealed record Verified(SignIn Request, string Key, bool Matches);

    private sealed record VerifiedForChange(ChangePassword Request, string Key, PasswordHash? NewHash);

    private sealed record Hashed(Create Request, string Key, PasswordHash Hash);

    /// <summary>A delayed answer or a delayed attempt, sent to self when its time has come.</summary>
    private sealed record Later(IActorRef Target, object Message);

    private sealed record Retry(object Request);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly AccountSettings _settings;
    private readonly PasswordHasher _hasher;
    private readonly SignInDelay _delay;
    private readonly Func<DateTimeOffset> _clock;
    private readonly Dictionary<string, (string Name, PasswordHash Hash)> _accounts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _creating = new(StringComparer.Ordinal);
    private readonly Queue<Job> _queued = new();
    private readonly RegistrationWindow _registrations;
    private int _running;
    private DateTimeOffset _warningWindowStart;
    private int _warningsInWindow;
    private int _warningsSuppressed;

    public AccountBook(AccountSettings settings, Func<DateTimeOffset>? clock = null, IReadOnlyList<string>? exempt = null)
    {
        _settings = settings;
        _registrations = new RegistrationWindow(settings.RegistrationsPerAddress, settings.RegistrationPeriod, exempt ?? []);
        _hasher = new PasswordHasher(settings.HashIterations);
        _delay = new SignInDelay(settings.FirstDelay, settings.MaxDelay);
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    public static Props Props(AccountSettings settings, Func<DateTimeOffset>? clock = null, IReadOnlyList<string>? exempt = null) =>
        Akka.Actor.Props.Create(() => new AccountBook(settings, clock, exempt));

    public override string PersistenceId => "~accounts";

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: AccountBookSnapshot snapshot }:
                foreach (var account in snapshot.Accounts) _accounts[account.Key] = (account.Name, account.ToHash());
                break;
            case AccountRegistered registered: _accounts[registered.Key] = (registered.Name, registered.ToHash()); break;
            case PasswordChanged changed when _accounts.TryGetValue(changed.Key, out var account):
                _accounts[changed.Key] = (account.Name, changed.ToHash());
                break;
            case RecoveryCompleted: _log.Info("{0} accounts", _accounts.Count); break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case SignIn signIn: OnSignIn(signIn); break;
            case Create create: OnCreate(create); break;
            case ChangePassword change: OnChangePassword(change); break;
            case Exists exists: Sender.Tell(_accounts.ContainsKey(Protocol.Key(exists.Name))); break;
            case JobDone done: OnJobDone(done); break;
            case Verified verified: OnVerified(verified); break;
            case VerifiedForChange verified: OnVerifiedForChange(verified); break;
            case Hashed hashed: OnHashed(hashed); break;
            case Later later: later.Target.Tell(later.Message); break;
            case Retry retry: OnCommand(retry.Request); break;
            case SaveSnapshotSuccess saved: DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1)); break;
            case SaveSnapshotFailure or DeleteSnapshotsSuccess or DeleteSnapshotsFailure: break;
            default: Unhandled(message); break;
        }
    }

    private void OnSignIn(SignIn signIn)
    {
        var key = Protocol.Key(signIn.Name);
        var known = _accounts.TryGetValue(key, out var account);
        if (signIn.Password is not { } password)
        {
            // A guest: only a name nobody registered (or is registering).
            signIn.Session.Tell(known || _creating.Contains(key)
                ? new Refused(AuthFailed())
                : new Accepted(signIn.Name, Account: false));
            return;
        }
        if (HeldBack(signIn, key, signIn.Address)) return;
        // A name without an account costs the same work as one with, and fails the same way.
        var hash = known ? account.Hash : null;
        StartJob(signIn.Session, () => new Verified(signIn, key,
            hash is null ? PasswordHasher.VerifyNothing(password.Reveal()) : PasswordHasher.Verify(password.Reveal(), hash)));
    }

    private void OnVerified(Verified verified)
    {
        var signIn = verified.Request;
        if (verified.Matches && _accounts.TryGetValue(verified.Key, out var account))
        {
            _delay.Succeeded(NameKey(verified.Key));
            signIn.Session.Tell(new Accepted(account.Name, Account: true));
            return;
        }
        FailLater(signIn.Session, verified.Key, signIn.Address, signIn.Name);
    }

    private void OnCreate(Create create)
    {
        var key = Protocol.Key(create.Name);
        if (_accounts.ContainsKey(key) || _creating.Contains(key))
        {
            create.Session.Tell(new Refused(new ErrorFrame(ErrorCodes.NameTaken, $"The name '{create.Name}' is taken; pick another.")));
            return;
        }
        // Every account is kept for good, so how many there are and how fast one address makes them are bounded.
        if (_accounts.Count + _creating.Count >= _settings.MaxAccounts)
        {
            _log.Warning("Registration of {0} refused: the server has {1} accounts, the most it may have", create.Name, _accounts.Count);
            create.Session.Tell(new Refused(new ErrorFrame(ErrorCodes.TooManyAccounts, "This server takes no more accounts; sign in to one you have.")));
            return;
        }
        if (!_registrations.TryRegister(create.Address, _clock()))
        {
            create.Session.Tell(new Refused(new ErrorFrame(ErrorCodes.TooManyAccounts,
                $"Your address registered {_settings.RegistrationsPerAddress} accounts within {_settings.RegistrationPeriod.TotalMinutes:0.#} minutes, the most it may; try again later.")));
            return;
        }
        if (StartJob(create.Session, () => new Hashed(create, key, _hasher.Hash(create.Password.Reveal())), creatingKey: key)) _creating.Add(key);
    }

    private void OnHashed(Hashed hashed)
    {
        Persist(AccountRegistered.Of(hashed.Key, hashed.Request.Name, hashed.Hash), registered =>
        {
            _creating.Remove(hashed.Key);
            _accounts[registered.Key] = (registered.Name, hashed.Hash);
            _log.Info("Account {0} registered ({1} accounts)", registered.Name, _accounts.Count);
            hashed.Request.Session.Tell(new Created(registered.Name));
            MaybeSnapshot();
        });
    }

    private void OnChangePassword(ChangePassword change)
    {
        var key = Protocol.Key(change.Name);
        if (!_accounts.TryGetValue(key, out var account))
        {
            change.Session.Tell(new Refused(AuthFailed()));
            return;
        }
        if (HeldBack(change, key, change.Address)) return;
        var hash = account.Hash;
        StartJob(change.Session, () => new VerifiedForChange(change, key,
            PasswordHasher.Verify(change.Old.Reveal(), hash) ? _hasher.Hash(change.New.Reveal()) : null));
    }

    private void OnVerifiedForChange(VerifiedForChange verified)
    {
        var change = verified.Request;
        if (verified.NewHash is not { } newHash || !_accounts.ContainsKey(verified.Key))
        {
            FailLater(change.Session, verified.Key, change.Address, change.Name);
            return;
        }
        _delay.Succeeded(NameKey(verified.Key));
        Persist(PasswordChanged.Of(verified.Key, newHash), changed =>
        {
            _accounts[changed.Key] = (_accounts[changed.Key].Name, newHash);
            _log.Info("Account {0} changed its password", change.Name);
            change.Session.Tell(Changed.Instance);
            MaybeSnapshot();
        });
    }

    /// <summary>An attempt for a name or address still held after a failure waits for its turn (it is not refused).</summary>
    private bool HeldBack(object request, string key, string? address)
    {
        var wait = _delay.WaitBefore(_clock(), Keys(key, address));
        if (wait <= TimeSpan.Zero) return false;
        Timers.StartSingleTimer(++_timerKeys, new Retry(request), wait);
        return true;
    }

    private void FailLater(IActorRef session, string key, string? address, string name)
    {
        var now = _clock();
        var delay = _delay.Failed(now, Keys(key, address));
        WarnOfFailure(now, name, address, _delay.FailuresOf(NameKey(key), now), delay);
        var answer = new Refused(AuthFailed());
        if (delay <= TimeSpan.Zero) session.Tell(answer);
        else Timers.StartSingleTimer(++_timerKeys, new Later(session, answer), delay);
    }

    /// <summary>Failed sign-ins at Warning, at most 20 a minute; the next line says how many were left out.</summary>
    private void WarnOfFailure(DateTimeOffset now, string name, string? address, int failures, TimeSpan delay)
    {
        if (now - _warningWindowStart >= TimeSpan.FromMinutes(1))
        {
            _warningWindowStart = now;
            _warningsInWindow = 0;
        }
        if (++_warningsInWindow > 20)
        {
            _warningsSuppressed++;
            return;
        }
        var suppressed = _warningsSuppressed;
        _warningsSuppressed = 0;
        _log.Warning("Failed sign-in as {0} from {1} ({2} in a row for the name; answer delayed {3} ms){4}", name, address ?? "?", failures,
            (long)delay.TotalMilliseconds, suppressed > 0 ? $"; {suppressed} more failed sign-ins not logged" : "");
    }

    /// <summary>Runs <paramref name="work"/> on the thread pool when a slot is free, or queues it; false (and busy told) when the queue is full.</summary>
    private bool StartJob(IActorRef session, Func<object> work, string? creatingKey = null)
    {
        var job = new Job(work, session, creatingKey);
        if (_running < _settings.ConcurrentHashes)
        {
            Run(job);
            return true;
        }
        if (_queued.Count >= _settings.QueuedHashes)
        {
            session.Tell(new Refused(new ErrorFrame(ErrorCodes.Busy, "Too many sign-ins at once; try again in a moment.")));
            return false;
        }
        _queued.Enqueue(job);
        return true;
    }

    private void Run(Job job)
    {
        _running++;
        var self = Self;
        Task.Run(() =>
        {
            try
            {
                return new JobDone(job.Work(), job);
            }
            catch (Exception e)
            {
                return new JobDone(new Akka.Actor.Status.Failure(e), job);
            }
        }).PipeTo(self);
    }

    private void OnJobDone(JobDone done)
    {
        _running--;
        if (_queued.TryDequeue(out var next)) Run(next);
        if (done.Result is Akka.Actor.Status.Failure failure)
        {
            _log.Error("A password hash failed: {0}", failure.Cause.Message);
            done.Job.Session.Tell(new Refused(new ErrorFrame(ErrorCodes.Unavailable, "The password could not be checked; try again.")));
            // A registration that failed frees its name again.
            if (done.Job.CreatingKey is { } key) _creating.Remove(key);
            return;
        }
        OnCommand(done.Result);
    }

    private void MaybeSnapshot()
    {
        if (LastSequenceNr % _settings.SnapshotEvery != 0) return;
        SaveSnapshot(new AccountBookSnapshot(_accounts.Select(a => AccountRegistered.Of(a.Key, a.Value.Name, a.Value.Hash)).ToList()));
    }

    private static ErrorFrame AuthFailed() => new(ErrorCodes.AuthFailed, AuthFailedMessage);

    private static string NameKey(string key) => "name:" + key;

    private static string[] Keys(string key, string? address) => address is null ? [NameKey(key)] : [NameKey(key), "address:" + address];

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        _log.Error("The account book could not save {0}; it restarts: {1}", @event, cause.Message);

    protected override void OnRecoveryFailure(Exception reason, object? message = null) =>
        _log.Error("The account book could not be recovered; it tries again shortly: {0}", reason.Message);
}

/// <summary>A password on its way to the hasher: its ToString never shows it, so no log line can.</summary>
public sealed class Secret(string value)
{
    public string Reveal() => value;

    public override string ToString() => "(hidden)";
}
