using ActorChat.Messages;

namespace ActorChat.Tests.Messages;

public class ProtocolRulesTests
{
    [Theory]
    [InlineData("alice", true)]
    [InlineData("A.b-c_9", true)]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345", true)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", false)]
    [InlineData("", false)]
    [InlineData("al ice", false)]
    [InlineData("élodie", false)]
    [InlineData("bob!", false)]
    public void Names_are_1_to_32_letters_digits_underscores_dashes_or_dots(string name, bool valid) =>
        Assert.Equal(valid, Protocol.IsValidName(name));

    [Fact]
    public void Room_names_may_be_up_to_64_characters()
    {
        Assert.True(Protocol.IsValidRoom(new string('r', 64)));
        Assert.False(Protocol.IsValidRoom(new string('r', 65)));
        Assert.False(Protocol.IsValidRoom("#general"));
    }

    [Fact]
    public void An_emoji_counts_as_one_character()
    {
        Assert.Equal(3, Protocol.TextLength("a😀b"));
        Assert.Equal(4000, Protocol.TextLength(string.Concat(Enumerable.Repeat("😀", 4000))));
    }

    [Fact]
    public void Timestamps_are_utc_with_milliseconds()
    {
        var time = new DateTime(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc);
        Assert.Equal("2026-11-24T10:00:00.000Z", Protocol.FormatTimestamp(time));
        Assert.Equal("2026-11-24T10:00:00.123Z", Protocol.FormatTimestamp(time.AddMilliseconds(123.9)));
    }
}
