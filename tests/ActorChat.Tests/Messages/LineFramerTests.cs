using System.Text;
using ActorChat.Messages;

namespace ActorChat.Tests.Messages;

public class LineFramerTests
{
    private static List<string> Feed(LineFramer framer, params string[] chunks)
    {
        var lines = new List<string>();
        foreach (var chunk in chunks)
        {
            framer.Append(Encoding.UTF8.GetBytes(chunk));
            while (framer.TryReadLine(out var line)) lines.Add(Encoding.UTF8.GetString(line));
        }
        return lines;
    }

    [Fact]
    public void A_line_split_over_many_chunks_comes_out_whole()
    {
        var framer = new LineFramer(1024);
        var chunks = "{\"type\":\"ping\"}\n".Select(c => c.ToString()).ToArray();
        Assert.Equal(["{\"type\":\"ping\"}"], Feed(framer, chunks));
    }

    [Fact]
    public void Many_lines_in_one_chunk_come_out_in_order()
    {
        var framer = new LineFramer(1024);
        Assert.Equal(["a", "b", "c"], Feed(framer, "a\nb\nc\nd"));
        Assert.Equal(1, framer.Buffered);
        Assert.Equal(["de"], Feed(framer, "e\n"));
    }

    [Fact]
    public void Carriage_return_before_newline_is_dropped()
    {
        Assert.Equal(["one", "two"], Feed(new LineFramer(1024), "one\r\ntwo\r", "\n"));
    }

    [Fact]
    public void A_line_longer_than_the_limit_overflows_even_before_its_newline()
    {
        var framer = new LineFramer(16);
        Assert.Empty(Feed(framer, new string('x', 10), new string('x', 10)));
        Assert.True(framer.Overflowed);
    }

    [Fact]
    public void A_complete_line_longer_than_the_limit_overflows()
    {
        var framer = new LineFramer(16);
        Assert.Equal(["ok"], Feed(framer, "ok\n" + new string('x', 17) + "\nlater\n"));
        Assert.True(framer.Overflowed);
    }

    [Fact]
    public void A_line_of_exactly_the_limit_is_accepted_with_crlf()
    {
        var framer = new LineFramer(16);
        var line = new string('x', 16);
        Assert.Equal([line], Feed(framer, line + "\r", "\n"));
        Assert.False(framer.Overflowed);
    }

    [Fact]
    public void Buffer_is_reused_across_many_lines()
    {
        var framer = new LineFramer(64, initialCapacity: 32);
        var all = new List<string>();
        for (var i = 0; i < 1000; i++) all.AddRange(Feed(framer, $"line-{i}\n"));
        Assert.Equal(1000, all.Count);
        Assert.Equal("line-999", all[^1]);
    }
}
