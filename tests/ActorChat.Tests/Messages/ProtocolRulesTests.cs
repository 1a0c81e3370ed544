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

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\t \n")]
    [InlineData("\u200B")] // zero-width space
    [InlineData("\u200D\u200C")] // zero-width joiner and non-joiner
    [InlineData("\u202E")] // right-to-left override
    [InlineData("\u2066\u2069\u200E\u200F")] // direction isolates and marks
    [InlineData("\uFEFF")] // zero-width no-break space
    [InlineData("\u00AD")] // soft hyphen
    [InlineData("\u3164")] // Hangul filler
    [InlineData("\u115F\u1160")] // Hangul choseong and jungseong fillers
    [InlineData("\uFFA0")] // halfwidth Hangul filler
    [InlineData("\u2800")] // braille pattern blank
    [InlineData("\u3000\u00A0\u2028")] // ideographic space, no-break space, line separator
    [InlineData("\uFE0F\u034F")] // variation selector, combining grapheme joiner
    [InlineData("\U000E0041\U000E007F")] // tag characters
    [InlineData(" \u200B\u3164\u2800 ")]
    public void Text_with_no_visible_character_is_blank(string text) => Assert.True(Protocol.IsBlank(text));

    [Theory]
    [InlineData("a")]
    [InlineData(" . ")]
    [InlineData("\u200Bhi\u200B")]
    [InlineData("😀")]
    [InlineData("👍🏽")]
    [InlineData("\u2764\uFE0F")] // heart with its emoji presentation selector
    [InlineData("\u3164x")]
    [InlineData("\u2801")] // a braille pattern with a dot
    [InlineData("한")]
    [InlineData("\u0301")] // a lone combining accent still draws something
    [InlineData("\uE000")] // private use: some font draws it
    public void Text_with_a_visible_character_is_not_blank(string text) => Assert.False(Protocol.IsBlank(text));

    [Theory]
    [InlineData("a\u0000b", 0x0000)]
    [InlineData("\u001B[31mred", 0x001B)]
    [InlineData("line\rover", 0x000D)]
    [InlineData("bell\u0007", 0x0007)]
    [InlineData("\u007F", 0x007F)]
    [InlineData("x\u0085", 0x0085)]
    [InlineData("\u009F", 0x009F)]
    [InlineData("ok\n\u0001", 0x0001)]
    public void Control_characters_other_than_line_feed_and_tab_are_forbidden(string text, int character) =>
        Assert.Equal(character, Protocol.ForbiddenCharacter(text)?.Value);

    [Theory]
    [InlineData("two\nlines")]
    [InlineData("a\tb")]
    [InlineData("\u202Eevil")] // format characters are allowed beside visible text
    [InlineData("😀 \u00A0 é")]
    public void Line_feeds_tabs_and_other_text_are_allowed(string text) => Assert.Null(Protocol.ForbiddenCharacter(text));

    [Fact]
    public void The_refusal_names_the_forbidden_character_by_code_point()
    {
        Assert.Contains("U+0000", Protocol.DescribeForbidden(new System.Text.Rune(0)));
        Assert.Contains("U+001B (escape)", Protocol.DescribeForbidden(new System.Text.Rune(0x1B)));
        Assert.Contains("U+0085", Protocol.DescribeForbidden(new System.Text.Rune(0x85)));
    }
}
