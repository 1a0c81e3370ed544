using System.Buffers.Text;

namespace ActorChat.Bench;

/// <summary>
/// The text of a bench message carries who sent it, which of its messages it is and when it was sent:
/// <c>TTTTTTTTTTTTTTTTTTT:SSSSSSS:NNNNNNN:xxxx…</c> — Stopwatch ticks (19 digits), sender index (7 digits),
/// message number (7 digits), then 'x' up to the text length. The bench is one process, so the monotonic
/// Stopwatch clock is shared by senders and receivers.
/// </summary>
public static class Payload
{
    private const int TicksDigits = 19;
    private const int SenderDigits = 7;
    private const int NumberDigits = 7;
    private const int SenderStart = TicksDigits + 1;
    private const int NumberStart = SenderStart + SenderDigits + 1;

    public const int MinTextLength = NumberStart + NumberDigits + 1;

    public static string Format(long ticks, int sender, int number, int length)
    {
        if (length < MinTextLength) throw new ArgumentOutOfRangeException(nameof(length));
        return string.Create(length, (ticks, sender, number), static (span, state) =>
        {
            state.ticks.TryFormat(span[..TicksDigits], out _, "D19");
            span[TicksDigits] = ':';
            state.sender.TryFormat(span.Slice(SenderStart, SenderDigits), out _, "D7");
            span[SenderStart + SenderDigits] = ':';
            state.number.TryFormat(span.Slice(NumberStart, NumberDigits), out _, "D7");
            span[NumberStart + NumberDigits] = ':';
            span[MinTextLength..].Fill('x');
        });
    }

    /// <summary>Reads a text made by <see cref="Format"/> (as UTF-8); false when it is not one.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out long ticks, out int sender, out int number)
    {
        sender = number = 0;
        ticks = 0;
        if (text.Length < MinTextLength || text[TicksDigits] != ':' || text[SenderStart + SenderDigits] != ':'
            || text[NumberStart + NumberDigits] != ':')
            return false;
        return Utf8Parser.TryParse(text[..TicksDigits], out ticks, out var a) && a == TicksDigits
            && Utf8Parser.TryParse(text.Slice(SenderStart, SenderDigits), out sender, out var b) && b == SenderDigits
            && Utf8Parser.TryParse(text.Slice(NumberStart, NumberDigits), out number, out var c) && c == NumberDigits;
    }
}
