using System.Net;

namespace ActorChat.Server.Hosting;

/// <summary>
/// Where the server really listens, known once the listeners are bound (ports chosen by the OS included).
/// A singleton in the host's services, for whatever announces the server (discovery answers carry the web port).
/// </summary>
public sealed class ListeningEndpoints
{
    private readonly TaskCompletionSource _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The plain TCP endpoint, or null when plain TCP is off.</summary>
    public IPEndPoint? Tcp { get; private set; }

    /// <summary>The HTTP endpoint of the web chat, or null when the web server is off.</summary>
    public IPEndPoint? Web { get; private set; }

    /// <summary>The web port to announce, 0 when the web server is off.</summary>
    public int WebPort => Web?.Port ?? 0;

    /// <summary>Completes once the endpoints are known.</summary>
    public Task Bound => _bound.Task;

    internal void Set(IPEndPoint? tcp, IPEndPoint? web)
    {
        Tcp = tcp;
        Web = web;
        _bound.TrySetResult();
    }
}
