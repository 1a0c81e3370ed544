using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorChat.Server.Rooms;

/// <summary>
/// Remembers which rooms exist (persistence id <c>rooms-catalog</c>), so the rooms list shows them after a restart.
/// A child of the room directory: it tells the directory what it recovered, and the directory registers new rooms.
/// If it cannot write it stops; the directory starts it again and registers whatever it missed.
/// </summary>
public sealed class RoomCatalog : UntypedPersistentActor
{
    /// <summary>Remember a room; answered with <see cref="Registered"/> once stored (at once for a known room).</summary>
    public sealed record Register(string Key, string Name);

    public sealed record Registered(string Key);

    /// <summary>Remember whether a room is private; not answered.</summary>
    public sealed record SetPrivacy(string Key, bool Private);

    /// <summary>Forget a room an operator dropped; answered with <see cref="Dropped"/> (its next generation) once stored.</summary>
    public sealed record Drop(string Key, string By, string Reason);

    public sealed record Dropped(string Key, int Generation);

    /// <summary>
    /// What the catalog knows, sent to its parent once recovered: the rooms, which of them are private, and the
    /// generation of every name that was dropped (a room made under it uses that generation's persistence ids).
    /// </summary>
    public sealed record KnownRooms(IReadOnlyDictionary<string, string> NamesByKey, IReadOnlySet<string> Private, IReadOnlyDictionary<string, int> Generations);

    /// <summary>Told to the parent when the catalog cannot be recovered (it stops, and is started again later).</summary>
    public sealed record Unrecoverable(string Reason);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, string> _rooms = new(StringComparer.Ordinal);
    private readonly HashSet<string> _private = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _generations = new(StringComparer.Ordinal);

    public static Props Props() => Akka.Actor.Props.Create(() => new RoomCatalog());

    public override string PersistenceId => "rooms-catalog";

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case RoomCreated created: _rooms[created.Key] = created.Name; break;
            case RoomPrivacySet privacy: Remember(privacy); break;
            case RoomDropped dropped: Forget(dropped); break;
            case RecoveryCompleted:
                Context.Parent.Tell(new KnownRooms(new Dictionary<string, string>(_rooms), new HashSet<string>(_private, StringComparer.Ordinal),
                    new Dictionary<string, int>(_generations)));
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Register register when !_rooms.ContainsKey(register.Key):
                _rooms[register.Key] = register.Name;
                var asker = Sender;
                PersistAsync(new RoomCreated(register.Key, register.Name), created => asker.Tell(new Registered(created.Key)));
                break;
            case Register register: Sender.Tell(new Registered(register.Key)); break;
            case SetPrivacy set when set.Private != _private.Contains(set.Key):
                PersistAsync(new RoomPrivacySet(set.Key, set.Private), Remember);
                break;
            case SetPrivacy: break;
            case Drop drop:
                // Not async: a Register for the same name right behind it must find the room forgotten and store it anew.
                var dropper = Sender;
                Persist(new RoomDropped(drop.Key, _generations.GetValueOrDefault(drop.Key) + 1, drop.By, drop.Reason), dropped =>
                {
                    Forget(dropped);
                    dropper.Tell(new Dropped(dropped.Key, dropped.Generation));
                });
                break;
            default: Unhandled(message); break;
        }
    }

    private void Forget(RoomDropped dropped)
    {
        _rooms.Remove(dropped.Key);
        _private.Remove(dropped.Key);
        _generations[dropped.Key] = dropped.Generation;
    }

    private void Remember(RoomPrivacySet privacy)
    {
        if (privacy.Private) _private.Add(privacy.Key);
        else _private.Remove(privacy.Key);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        _log.Warning("Room catalog could not save {0}; it restarts and tries again: {1}", @event, cause.Message);

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.Error("Room catalog could not be recovered; trying again shortly: {0}", RoomActor.Describe(reason));
        Context.Parent.Tell(new Unrecoverable(RoomActor.Describe(reason)));
    }
}
