using System.Collections;
using ActorChat.Server.Configuration;

namespace ActorChat.Tests.Rooms;

public sealed class RoomSettingsSpec
{
    private static RoomSettings Load(string[] args, Hashtable? environment = null)
    {
        var load = SettingsLoader.Load(args, environment ?? new Hashtable());
        Assert.Null(load.Error);
        return load.Settings!.Rooms;
    }

    [Fact]
    public void By_default_the_server_holds_ten_thousand_rooms_and_stops_idle_ones_after_two_minutes()
    {
        var rooms = Load([]);
        Assert.Equal((10_000, 10, TimeSpan.FromMinutes(2)), (rooms.MaxRooms, rooms.CreationsPerMinute, rooms.PassivateAfter));
    }

    [Fact]
    public void The_environment_sets_the_most_rooms_and_the_flag_wins_over_it()
    {
        Assert.Equal(50, Load([], new Hashtable { ["ACTORCHAT_MAX_ROOMS"] = "50" }).MaxRooms);
        Assert.Equal(60, Load(["--max-rooms", "60"], new Hashtable { ["ACTORCHAT_MAX_ROOMS"] = "50" }).MaxRooms);
    }

    [Fact]
    public void A_config_file_sets_the_passivation_time_and_the_creation_rate()
    {
        var file = Path.Combine(Path.GetTempPath(), $"actorchat-rooms-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, "actorchat.rooms { passivate-after = 250ms, creations-per-minute = 3 }");
        try
        {
            var rooms = Load(["--config", file]);
            Assert.Equal((TimeSpan.FromMilliseconds(250), 3), (rooms.PassivateAfter, rooms.CreationsPerMinute));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void By_default_presence_batches_are_ten_milliseconds_apart_per_member_and_at_most_a_second()
    {
        var rooms = Load([]);
        Assert.Equal((TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1)), (rooms.PresenceSpacingPerMember, rooms.PresenceSpacingMax));
    }

    [Fact]
    public void A_config_file_sets_the_presence_spacing_and_a_negative_one_is_an_error()
    {
        var file = Path.Combine(Path.GetTempPath(), $"actorchat-rooms-{Guid.NewGuid():N}.conf");
        try
        {
            File.WriteAllText(file, "actorchat.rooms { presence-spacing-per-member = 0ms, presence-spacing-max = 250ms }");
            var rooms = Load(["--config", file]);
            Assert.Equal((TimeSpan.Zero, TimeSpan.FromMilliseconds(250)), (rooms.PresenceSpacingPerMember, rooms.PresenceSpacingMax));

            File.WriteAllText(file, "actorchat.rooms { presence-spacing-per-member = -5ms }");
            Assert.Contains("-5ms", SettingsLoader.Load(["--config", file], new Hashtable()).Error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--max-rooms", "0")]
    [InlineData("--max-rooms", "many")]
    public void A_max_rooms_that_is_not_a_positive_number_is_an_error(string flag, string value) =>
        Assert.NotNull(SettingsLoader.Load([flag, value], new Hashtable()).Error);
}
