using System.Collections.Concurrent;
using System.Globalization;
using ActorChat.Server.Rooms;

namespace ActorChat.Tests.Rooms;

/// <summary>Message ids are version 7 GUIDs: 32 hex digits, ordered by time, never repeated.</summary>
public sealed class MessageIdsSpec
{
    [Fact]
    public void An_id_is_a_version_7_guid_in_32_hex_digits_that_starts_with_its_milliseconds()
    {
        var at = new DateTimeOffset(2026, 12, 4, 3, 30, 0, 123, TimeSpan.Zero);

        var id = MessageIds.Next(at);

        Assert.Matches("^[0-9a-f]{32}$", id);
        var guid = Guid.ParseExact(id, "N");
        Assert.Equal(7, guid.Version);
        Assert.Equal(0x8, guid.Variant & 0xC); // RFC 9562 variant: the top bits are 10
        Assert.Equal(at.ToUnixTimeMilliseconds(), long.Parse(id[..12], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Ids_of_a_later_millisecond_sort_after_earlier_ones()
    {
        var earlier = MessageIds.Next(DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_000));
        var later = MessageIds.Next(DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_001));

        Assert.True(string.CompareOrdinal(earlier, later) < 0, $"{earlier} should sort before {later}");
    }

    [Fact]
    public void Ids_made_in_the_same_millisecond_on_several_threads_are_all_different()
    {
        // Many pages of random bits per thread, so every refill of a thread's buffer is crossed.
        const int perThread = 2_000;
        var at = DateTimeOffset.UtcNow;
        var ids = new ConcurrentBag<string>();

        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            for (var i = 0; i < perThread; i++) ids.Add(MessageIds.Next(at));
        });

        Assert.Equal(4 * perThread, ids.Distinct().Count());
    }
}
