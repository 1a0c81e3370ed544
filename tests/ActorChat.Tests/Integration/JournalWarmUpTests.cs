using ActorChat.Server.Persistence;
using ActorChat.Tests.Support;
using Microsoft.Data.Sqlite;

namespace ActorChat.Tests.Integration;

/// <summary>The warm-up the server runs on its store before it says it is ready, seen in the SQLite file it leaves.</summary>
public sealed class JournalWarmUpTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"actorchat-warm-up-{Guid.NewGuid():N}");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Each_start_writes_under_the_warm_up_id_and_leaves_only_one_deleted_row_and_no_snapshot()
    {
        for (var start = 0; start < 2; start++)
        {
            var server = await TestServer.StartAsync("--data-dir", _dataDir);
            await server.DisposeAsync();
        }

        var id = JournalWarmUp.WarmUpPersistenceId;
        Assert.Equal(2L, Scalar($"SELECT MAX(sequence_number) FROM journal WHERE persistence_id = '{id}'")); // it ran at each start
        Assert.Equal(1L, Scalar($"SELECT COUNT(*) FROM journal WHERE persistence_id = '{id}'"));
        Assert.Equal(0L, Scalar($"SELECT COUNT(*) FROM journal WHERE persistence_id = '{id}' AND deleted = 0"));
        Assert.Equal(0L, Scalar($"SELECT COUNT(*) FROM snapshot WHERE persistence_id = '{id}'"));
    }

    private object? Scalar(string sql)
    {
        var file = Path.Combine(_dataDir, "actorchat.db");
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
