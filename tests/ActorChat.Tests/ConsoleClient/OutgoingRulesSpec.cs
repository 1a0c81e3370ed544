using ActorChat.Client.Cli;
using ActorChat.Messages;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>The rules for what the client sends: size limits checked first, refs for matching answers, lines kept while away.</summary>
public sealed class OutgoingRulesSpec
{
    [Fact]
    public void A_message_of_the_longest_allowed_text_may_be_sent() =>
        Assert.Null(OutgoingLimits.Refusal(new SayRequest("general", new string('x', Protocol.MaxTextLength))));

    [Fact]
    public void A_text_over_the_limit_is_refused_naming_the_limit_in_characters_not_bytes()
    {
        var emoji = string.Concat(Enumerable.Repeat("😀", Protocol.MaxTextLength)); // 4000 characters, 8000 UTF-16 units
        Assert.Null(OutgoingLimits.Refusal(new DirectMessageRequest("bob", emoji)));
        Assert.Equal("Not sent: the line is 4001 characters long; a message may have at most 4000.",
            OutgoingLimits.Refusal(new DirectMessageRequest("bob", emoji + "!")));
    }

    [Fact]
    public void A_frame_over_the_servers_line_limit_is_refused_naming_it() =>
        Assert.EndsWith("the server takes at most 64 KiB (65536 bytes) in one line.",
            OutgoingLimits.Refusal(new WhoRequest(new string('r', Protocol.DefaultMaxFrameBytes))));

    [Fact]
    public void Each_request_gets_a_ref_of_its_own_and_is_taken_once_by_it()
    {
        var pending = new PendingRequests();
        var first = pending.Add(new PendingRequest(RequestKind.Say, "general", "one"));
        var second = pending.Add(new PendingRequest(RequestKind.Say, "general", "two"));

        Assert.NotEqual(first, second);
        Assert.True(pending.TryTake(second, out var answered));
        Assert.Equal("two", answered.Text);
        Assert.False(pending.TryTake(second, out _));
        Assert.False(pending.TryTake(null, out _));
        Assert.Equal(1, pending.Count);
    }

    [Fact]
    public void Refs_are_not_reused_after_the_requests_were_abandoned()
    {
        var pending = new PendingRequests();
        var before = pending.Add(new PendingRequest(RequestKind.Other));
        Assert.Single(pending.Abandon());

        Assert.NotEqual(before, pending.Add(new PendingRequest(RequestKind.Other)));
        Assert.False(pending.TryTake(before, out _));
    }

    [Fact]
    public void Lines_are_kept_in_order_up_to_the_capacity_and_handed_out_once()
    {
        var held = new HeldFrames(capacity: 2);
        Assert.True(held.TryHold(new SayRequest("general", "one"), new PendingRequest(RequestKind.Say)));
        Assert.True(held.TryHold(new SayRequest("general", "two"), new PendingRequest(RequestKind.Say)));
        Assert.False(held.TryHold(new SayRequest("general", "three"), new PendingRequest(RequestKind.Say)));

        Assert.Equal(["one", "two"], held.TakeAll().Select(h => ((SayRequest)h.Frame).Text));
        Assert.Empty(held.TakeAll());
    }

    [Fact]
    public void A_hundred_lines_are_kept_by_default() => Assert.Equal(100, new HeldFrames().Capacity);
}
