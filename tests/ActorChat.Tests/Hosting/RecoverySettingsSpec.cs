using ActorChat.Server.Persistence;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Hosting;

/// <summary>
/// How many persistent actors recover at once (docs/benchmarks.md, "Rooms recovering side by side"). A room is three
/// of them, its messages, rules and notes, so on SQLite a hundred rooms joined right after a start recover side by
/// side instead of sixteen at a time.
/// </summary>
public sealed class RecoverySettingsSpec : IDisposable
{
    internal const string Setting = "akka.persistence.max-concurrent-recoveries";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"actorchat-recoveries-{Guid.NewGuid():N}");

    [Fact]
    public async Task On_SQLite_a_hundred_rooms_of_three_persistent_actors_each_recover_at_once()
    {
        await using var server = await TestServer.StartAsync("--data-dir", _dataDir);

        var recoveries = server.System.Settings.Config.GetInt(Setting);

        Assert.Equal(PersistenceSetup.SqliteConcurrentRecoveries, recoveries);
        Assert.True(recoveries >= 3 * 100, $"{recoveries} recoveries at once hold fewer than a hundred rooms");
    }

    [Fact]
    public async Task In_memory_keeps_Akkas_own_limit()
    {
        await using var server = await TestServer.StartAsync("--in-memory");

        Assert.Equal(50, server.System.Settings.Config.GetInt(Setting));
    }

    [Fact]
    public async Task A_config_file_may_set_another_limit()
    {
        await using var server = await TestServer.StartWithConfigAsync($"{Setting} = 120", "--data-dir", _dataDir);

        Assert.Equal(120, server.System.Settings.Config.GetInt(Setting));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDir)) Directory.Delete(_dataDir, recursive: true);
    }
}

public sealed class RecoverySettingsOnPostgresSpec(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task On_PostgreSQL_Akkas_own_limit_is_kept_within_the_connection_pool()
    {
        await using var server = await TestServer.StartAsync("--postgres", postgres.ConnectionString);

        Assert.Equal(50, server.System.Settings.Config.GetInt(RecoverySettingsSpec.Setting));
    }
}
