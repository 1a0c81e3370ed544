using ActorChat.Server.Transport;

namespace ActorChat.Tests.Transport;

public sealed class PortCheckSpec
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("0.0.0.0", "127.0.0.1")]
    [InlineData("127.0.0.1", "0.0.0.0")]
    public void The_web_chat_cannot_share_the_tcp_port_on_an_overlapping_address(string tcpBind, string webBind) =>
        Assert.Contains("same port", PortCheck.SharedPortProblem(tcpBind, 4000, webBind, 4000));

    [Theory]
    [InlineData("127.0.0.1", 4000, "127.0.0.2", 4000)]
    [InlineData("0.0.0.0", 4000, "0.0.0.0", 4001)]
    [InlineData("0.0.0.0", 0, "0.0.0.0", 0)]
    public void Other_ports_or_other_addresses_listen_side_by_side(string tcpBind, int tcpPort, string webBind, int webPort) =>
        Assert.Null(PortCheck.SharedPortProblem(tcpBind, tcpPort, webBind, webPort));
}
