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

    [Theory]
    [InlineData("DISCOVER\0\0\0\0")]
    [InlineData("DISCOVER    \0  \n")]
    public void DISCOVER_padded_with_spaces_or_NUL_bytes_is_a_request(string datagram) =>
        Assert.True(DiscoveryCodec.IsRequest(Encoding.ASCII.GetBytes(datagram)));

    [Fact]
    public void The_request_a_client_sends_is_DISCOVER_padded_with_spaces_to_128_bytes()
    {
        var request = DiscoveryCodec.EncodeRequest();
        Assert.Equal(128, request.Length);
        Assert.Equal("DISCOVER" + new string(' ', 120), Encoding.ASCII.GetString(request));
        Assert.True(DiscoveryCodec.IsRequest(request));
    }

    [Fact]
    public void A_request_longer_than_512_bytes_is_not_a_request() =>
        Assert.False(DiscoveryCodec.IsRequest(Encoding.ASCII.GetBytes("DISCOVER".PadRight(513))));

    [Theory]
    [InlineData(8, 32, true)]
    [InlineData(8, 33, false)]
    [InlineData(128, 512, true)]
    [InlineData(128, 513, false)]
    [InlineData(0, 1, false)]
    public void An_answer_may_be_at_most_four_times_the_bytes_of_the_request(int requestBytes, int replyBytes, bool fits) =>
        Assert.Equal(fits, DiscoveryCodec.ReplyFitsRequest(requestBytes, replyBytes));

    [Fact]
    public void A_padded_request_allows_every_answer_a_client_reads() =>
        Assert.True(DiscoveryCodec.ReplyFitsRequest(DiscoveryCodec.EncodeRequest().Length, DiscoveryCodec.MaxDatagramBytes));

    [Fact]
    public void The_reply_is_the_prefix_and_compact_json_that_leaves_out_a_null_web_port()
    {
        var reply = DiscoveryCodec.EncodeReply(new DiscoveryAnnouncement("lab", 4242, null, 1));
        Assert.Equal("CHAT_SERVER_FOUND {\"name\":\"lab\",\"tcpPort\":4242,\"protocol\":1}", Encoding.UTF8.GetString(reply));
        Assert.True(DiscoveryCodec.TryDecodeReply(reply, out var read));
        Assert.Null(read!.WebPort);
    }

    [Fact]
    public void A_name_with_accents_goes_out_as_UTF8_rather_than_as_escapes()
    {
        var reply = Encoding.UTF8.GetString(DiscoveryCodec.EncodeReply(new DiscoveryAnnouncement("Café", 1, 2, 1)));
        Assert.Equal("CHAT_SERVER_FOUND {\"name\":\"Café\",\"tcpPort\":1,\"webPort\":2,\"protocol\":1}", reply);
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
