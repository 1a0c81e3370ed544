using System.Net;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Discovery;
using Akka.Actor;
using Akka.IO;
using Xunit;

namespace ActorChat.Tests.Discovery;

/// <summary>In cluster mode the discovery answer lists the nodes as they are known at the moment of the request.</summary>
public sealed class DiscoveryNodesSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DiscoveryAnnouncement Announcement = new("spec-cluster", 4711, 8080, Protocol.Version);
    private static readonly IPEndPoint Asker = new(IPAddress.Parse("10.9.8.7"), 40000);

    private async Task<IActorRef> StartAsync(Func<IReadOnlyList<DiscoveryNode>> nodes)
    {
        var settings = new DiscoverySettings(0, null, RepliesPerSecond: 100, RepliesBurst: 100, TrackedAddresses: 16);
        var discovery = Sys.ActorOf(DiscoveryActor.Props(settings, Announcement, nodes: nodes));
        var bind = await discovery.Ask<DiscoveryActor.BindResult>(DiscoveryActor.WaitForBind.Instance, TimeSpan.FromSeconds(5));
        Assert.True(bind.Bound, bind.Error);
        return discovery;
    }

    private DiscoveryAnnouncement Ask(IActorRef discovery)
    {
        var listener = CreateTestProbe();
        listener.Send(discovery, new Udp.Received(ByteString.FromBytes(DiscoveryCodec.EncodeRequest()), Asker));
        var send = listener.ExpectMsg<Udp.Send>();
        Assert.True(send.Payload.Count <= DiscoveryCodec.MaxDatagramBytes);
        Assert.True(DiscoveryCodec.TryDecodeReply(send.Payload.ToArray(), out var answer));
        return answer!;
    }

    [Fact]
    public async Task The_answer_lists_the_nodes_known_now_and_follows_when_they_change()
    {
        IReadOnlyList<DiscoveryNode> known = [new("10.0.0.1", 4711, 8080)];
        var discovery = await StartAsync(() => known);

        Assert.Equal(known, Ask(discovery).Nodes);
        known = [new("10.0.0.1", 4711, 8080), new("10.0.0.2", 4712, null)];
        Assert.Equal(known, Ask(discovery).Nodes);
    }

    [Fact]
    public async Task Nodes_that_would_make_the_answer_too_big_are_left_out_from_the_end()
    {
        var many = Enumerable.Range(1, 40).Select(i => new DiscoveryNode($"node-{i}.cluster.example.org", 12345, 8080)).ToList();
        var discovery = await StartAsync(() => many);

        var listed = Ask(discovery).Nodes!;
        Assert.InRange(listed.Count, 1, 39);
        Assert.Equal(many.Take(listed.Count), listed); // this node (first) is always among them
    }
}
