using System.Diagnostics;
using ActorChat.Server.Rooms;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorChat.Server.Persistence;

/// <summary>
/// Takes the store's code paths once before the server accepts anyone: recovery (snapshot load, replay, highest
/// sequence number), a write of a room event, a snapshot, and their deletion, under a persistence id no room can have.
/// The SQL plugin compiles and caches its queries on first use, which made the first join after a start take seconds;
/// after this the first real room's recovery and first write find them ready. Leaves nothing behind but the
/// journal's note of the highest sequence number.
/// </summary>
public sealed class JournalWarmUp : UntypedPersistentActor
{
    /// <summary>Not a room key ('~' cannot be in one), so no room ever meets this journal.</summary>
    public const string WarmUpPersistenceId = "~warm-up";

    /// <summary>Run the warm-up; answered with <see cref="Finished"/> or <see cref="Failed"/>, then the actor stops.</summary>
    public sealed class Run
    {
        public static readonly Run Instance = new();
        private Run() { }
    }

    public sealed record Finished(TimeSpan Took);

    public sealed record Failed(string Reason);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly long _started = Stopwatch.GetTimestamp();
    private IActorRef _asker = ActorRefs.Nobody;

    public static Props Props() => Akka.Actor.Props.Create(() => new JournalWarmUp());

    public override string PersistenceId => WarmUpPersistenceId;

    protected override void OnRecover(object message)
    {
        // Nothing to rebuild: whatever an earlier warm-up left was deleted by it.
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Run:
                _asker = Sender;
                var seq = LastSequenceNr + 1;
                Persist(new MessagePosted(seq, "warm-up", WarmUpPersistenceId, "warm-up", DateTime.UtcNow.ToString("O")),
                    posted => SaveSnapshot(new RoomSnapshot(WarmUpPersistenceId, posted.Seq, [posted], new Dictionary<string, long>())));
                break;
            case SaveSnapshotSuccess: DeleteMessages(LastSequenceNr); break;
            case DeleteMessagesSuccess: DeleteSnapshots(new SnapshotSelectionCriteria(LastSequenceNr)); break;
            case DeleteSnapshotsSuccess: Finish(new Finished(Stopwatch.GetElapsedTime(_started))); break;
            case SaveSnapshotFailure failed: Finish(new Failed(failed.Cause.Message)); break;
            case DeleteMessagesFailure failed: Finish(new Failed(failed.Cause.Message)); break;
            case DeleteSnapshotsFailure failed: Finish(new Failed(failed.Cause.Message)); break;
            default: Unhandled(message); break;
        }
    }

    private void Finish(object result)
    {
        _asker.Tell(result);
        Context.Stop(Self);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Debug("Journal warm-up could not write: {0}", cause.Message);
        _asker.Tell(new Failed(cause.Message)); // the actor stops after a persist failure
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.Debug("Journal warm-up could not recover: {0}", reason.Message);
        _asker.Tell(new Failed(reason.Message)); // nobody has asked yet when recovery fails: the asker's timeout answers
    }
}

/// <summary>Runs the <see cref="JournalWarmUp"/> from outside the actor system, while the server starts.</summary>
public static class StoreWarmUp
{
    /// <summary>
    /// Runs a warm-up and waits for it, at most <paramref name="timeout"/>; a warm-up that fails or takes too long only
    /// costs the first user some time, so it is logged and the server starts anyway.
    /// </summary>
    public static void RunAndWait(ActorSystem system, TimeSpan timeout)
    {
        var log = Logging.GetLogger(system, typeof(JournalWarmUp));
        try
        {
            var warmUp = system.ActorOf(JournalWarmUp.Props(), "journal-warm-up");
            var result = warmUp.Ask<object>(JournalWarmUp.Run.Instance, timeout).GetAwaiter().GetResult();
            if (result is JournalWarmUp.Finished finished) log.Debug("Warmed up the journal in {0} ms", (int)finished.Took.TotalMilliseconds);
            else if (result is JournalWarmUp.Failed failed) log.Warning("Could not warm up the journal ({0}); the first join may be slow", failed.Reason);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            log.Warning("The journal warm-up did not finish within {0} s; the first join may be slow", timeout.TotalSeconds);
        }
    }
}
