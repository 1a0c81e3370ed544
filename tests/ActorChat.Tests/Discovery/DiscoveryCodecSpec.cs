using System.Text;
using ActorChat.Messages;
using Xunit;

namespace ActorChat.Tests.Discovery;

public sealed class DiscoveryCodecSpec
{
    [Theory]
    [InlineData("DISCOVER")]
    [InlineData("DISCOVER\n")]
    [InlineData("DISCOVER \r\n")]
    public void DISCOVER_with_or_without_trailing_white_space_is_a_request(string datagram) =>
        Assert.True(DiscoveryCodec.IsRequest(Encoding.ASCII.GetBytes(datagram)));

    [Theory]
    [InlineData("")]
    [InlineData("discover")]
    [InlineData(" DISCOVER")]
    [InlineData("DISCOVERY")]
    [InlineData("DISCOVER me")]
    [InlineData("CHAT_SERVER_FOUND {}")]
    public void Anything_else_is_not_a_request(string datagram) =>
        Assert.False(DiscoveryCodec.IsRequest(Encoding.ASCII.GetBytes(datagram)));

    [Fact]
    public void The_reply_is_the_prefix_and_json_with_a_null_web_port()
    {
        var reply = Encoding.UTF8.GetString(DiscoveryCodec.EncodeReply(new DiscoveryAnnouncement("lab", 4242, null, 1)));
        Assert.Equal("CHAT_SERVER_FOUND {\"name\":\"lab\",\"tcpPort\":4242,\"webPort\":null,\"protocol\":1}", reply);
    }

    [Fact]
    public void A_reply_reads_back_as_the_announcement_it_was_made_from()
    {
        var announcement = new DiscoveryAnnouncement("Café \"quoted\"", 12345, 8080, 1);
        Assert.True(DiscoveryCodec.TryDecodeReply(DiscoveryCodec.EncodeReply(announcement), out var read));
        Assert.Equal(announcement, read);
    }

    [Theory]
    [InlineData("CHAT_SERVER_FOUND")]
    [InlineData("CHAT_SERVER_FOUND not json")]
    [InlineData("CHAT_SERVER_FOUND {\"name\":\"x\",\"tcpPort\":0,\"protocol\":1}")]
    [InlineData("CHAT_SERVER_FOUND {\"tcpPort\":1,\"protocol\":1}")]
    [InlineData("SOMETHING_ELSE {\"name\":\"x\",\"tcpPort\":1,\"protocol\":1}")]
    public void A_malformed_reply_is_not_read_as_a_server(string datagram) =>
        Assert.False(DiscoveryCodec.TryDecodeReply(Encoding.UTF8.GetBytes(datagram), out _));
}
