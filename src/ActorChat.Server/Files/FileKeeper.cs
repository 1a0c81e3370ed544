using Akka.Actor;
using Akka.Event;

namespace ActorChat.Server.Files;

/// <summary>
/// Keeps the file store in step with the messages: rooms and direct messages publish on the event stream once a
/// message that carries files is stored, deleted or its room dropped, and this tells the store. It also deletes,
/// every hour, the uploads no message ever referred to within the unattached lifetime.
/// </summary>
public sealed class FileKeeper : ReceiveActor, IWithTimers
{
    /// <summary>A stored message refers to <see cref="FileIds"/>; <see cref="Readers"/> null: anyone signed in may read it.</summary>
    public sealed record Attached(string Conversation, string MessageId, IReadOnlyList<string> FileIds, IReadOnlyList<string>? Readers);

    /// <summary>A message was deleted: its files lose that reference.</summary>
    public sealed record Detached(string Conversation, string MessageId);

    /// <summary>A room was dropped: its messages' files lose their references.</summary>
    public sealed record ConversationGone(string Conversation);

    /// <summary>Sweep now (the hourly timer sends it; tests may too). Answered with how many uploads went.</summary>
    public sealed record Sweep
    {
        public static readonly Sweep Instance = new();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public FileKeeper(FileStore store, TimeSpan sweepInterval)
    {
        var log = Context.GetLogger();
        Receive<Attached>(attached => store.Attach(attached.Conversation, attached.MessageId, attached.FileIds, attached.Readers));
        Receive<Detached>(detached => store.Detach(detached.Conversation, detached.MessageId));
        Receive<ConversationGone>(gone => store.DetachConversation(gone.Conversation));
        Receive<Sweep>(_ =>
        {
            var removed = store.SweepUnattached();
            if (removed > 0) log.Info("Deleted {0} uploads no message referred to", removed);
            if (!Sender.IsNobody() && !Sender.Equals(Self)) Sender.Tell(removed);
        });
        _sweepInterval = sweepInterval;
    }

    private readonly TimeSpan _sweepInterval;

    public static Props Props(FileStore store, TimeSpan? sweepInterval = null) =>
        Akka.Actor.Props.Create(() => new FileKeeper(store, sweepInterval ?? TimeSpan.FromHours(1)));

    protected override void PreStart()
    {
        var events = Context.System.EventStream;
        events.Subscribe(Self, typeof(Attached));
        events.Subscribe(Self, typeof(Detached));
        events.Subscribe(Self, typeof(ConversationGone));
        Timers.StartPeriodicTimer("sweep", Sweep.Instance, _sweepInterval);
    }
}
