namespace ActorChat.Server.Hosting;

/// <summary>
/// Whether the server takes clients: true once the actor system runs and every listener is bound, false again
/// as soon as shutdown begins. <c>GET /healthz</c> answers from it.
/// </summary>
public sealed class ServerReadiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    internal void MarkReady() => _ready = true;

    internal void MarkStopping() => _ready = false;
}
