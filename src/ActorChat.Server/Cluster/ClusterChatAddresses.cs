using ActorChat.Messages;
using ActorChat.Server.Transport.Web;

namespace ActorChat.Server.Cluster;

/// <summary>One cluster member's chat addresses, with the member's Akka address they were asked of.</summary>
public sealed record MemberChatAddress(string Member, DiscoveryNode Node);

/// <summary>
/// The chat addresses (host, TCP port, web port) of the cluster's reachable members, as this node's
/// <see cref="ChatAddressBook"/> last heard them: what LAN discovery lists as <c>nodes</c>, what /api/status adds
/// to each node, and the web origins whose pages may open this node's WebSocket (those of every member known
/// since this node started, gone ones included). Empty on a single node.
/// Read from any thread; replaced whole, never changed in place.
/// </summary>
public sealed class ClusterChatAddresses
{
    private volatile IReadOnlyList<MemberChatAddress> _members = [];
    private volatile IReadOnlyList<DiscoveryNode> _nodes = [];
    private volatile HashSet<string> _webOrigins = [];

    /// <summary>This node first, then the others by address; the list object changes only when its content does.</summary>
    public IReadOnlyList<DiscoveryNode> Nodes => _nodes;

    public IReadOnlyList<MemberChatAddress> Members => _members;

    /// <summary>
    /// The other members' WebSocket addresses ("ws://host:web …") for the page's Content-Security-Policy
    /// connect-src, which otherwise lets it reach its own origin only; empty on a single node.
    /// </summary>
    public string WebSocketSources { get; private set; } = "";

    public DiscoveryNode? Of(string memberAddress) => _members.FirstOrDefault(m => m.Member == memberAddress)?.Node;

    /// <summary>True when a page served by a member's web chat has this origin (normalized, see <see cref="OriginPolicy"/>).</summary>
    public bool IsMemberWebOrigin(string normalizedOrigin) => _webOrigins.Contains(normalizedOrigin);

    internal void Set(IReadOnlyList<MemberChatAddress> members)
    {
        if (members.SequenceEqual(_members)) return;
        // The origins only grow: a page served by a node that has just died must still be let in by the others,
        // as that is when it comes to them.
        var origins = new HashSet<string>(_webOrigins, StringComparer.Ordinal);
        foreach (var node in members.Select(m => m.Node).Where(n => n.Web is not null))
        {
            if (OriginPolicy.Normalize($"http://{HostInUrl(node.Host)}:{node.Web}") is { } origin) origins.Add(origin);
            // A page opened as localhost is the same loopback node.
            if (node.Host is "127.0.0.1" or "::1") origins.Add($"http://localhost:{node.Web}");
        }
        _webOrigins = origins;
        WebSocketSources = string.Join(' ', members.Where(m => m.Node.Web is not null).Select(m => $"ws://{HostInUrl(m.Node.Host)}:{m.Node.Web}"));
        _nodes = members.Select(m => m.Node).ToList();
        _members = members;
    }

    private static string HostInUrl(string host) => host.Contains(':') ? $"[{host}]" : host;
}
