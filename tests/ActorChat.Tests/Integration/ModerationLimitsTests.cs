using ActorChat.Messages;
using ActorChat.Server.Sessions;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Integration;

/// <summary>A topic and a kick reason at exactly their length limit pass over the wire; one character more is refused.</summary>
public sealed class ModerationLimitsTests
{
    [Fact(Timeout = 60_000)]
    public async Task A_topic_and_a_kick_reason_of_exactly_three_hundred_characters_are_taken_and_one_more_is_refused()
    {
        await using var server = await TestServer.StartAsync();
        await using var owner = await TestClient.ConnectAsync(server);
        await owner.SendAsync(new RegisterRequest("owner", "owners-password"));
        await owner.ExpectAsync<RegisteredFrame>();
        await owner.JoinAsync("den");
        await using var bob = await TestClient.ConnectAsync(server, "bob");
        await bob.JoinAsync("den");

        var topic = new string('t', ChatSession.MaxTopicLength);
        await owner.SendAsync(new TopicRequest("den", topic + "t") { Ref = "long" });
        var tooLong = await owner.ExpectAsync<ErrorFrame>();
        Assert.Equal((ErrorCodes.MessageTooLong, "long"), (tooLong.Code, tooLong.Ref));
        await owner.SendAsync(new TopicRequest("den", topic) { Ref = "exact" });
        var set = await owner.ExpectAsync<TopicFrame>(f => f.Ref == "exact");
        Assert.Equal(300, set.Topic.Length);
        Assert.Equal(topic, (await bob.ExpectAsync<TopicFrame>()).Topic);

        var reason = new string('r', 300);
        await owner.SendAsync(new KickRequest("den", "bob", reason + "r") { Ref = "long" });
        var badReason = await owner.ExpectAsync<ErrorFrame>();
        Assert.Equal((ErrorCodes.BadRequest, "long"), (badReason.Code, badReason.Ref));
        Assert.Contains("300", badReason.Message);
        await owner.SendAsync(new KickRequest("den", "bob", reason) { Ref = "exact" });
        Assert.Equal(reason, (await owner.ExpectAsync<KickedFrame>(f => f.Ref == "exact")).Reason);
        Assert.Equal(reason, (await bob.ExpectAsync<KickedFrame>()).Reason);
    }
}
