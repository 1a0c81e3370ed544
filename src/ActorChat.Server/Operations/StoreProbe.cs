using ActorChat.Server.Configuration;
using ActorChat.Server.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorChat.Server.Operations;

/// <summary>
/// Readiness's question to the store: can it still write and read? One row in a table of its own
/// (<c>actorchat_health</c>, never read by the rooms and not one of the tables the start-up check looks for) is
/// written with the time and read back. The in-memory store has nothing to ask.
/// </summary>
public static class StoreProbe
{
    public const string Table = "actorchat_health";

    /// <summary>Null when the store wrote and read the row; otherwise why not, in one sentence.</summary>
    public static async Task<string?> ProblemAsync(PersistenceSettings settings, TimeSpan deadline, CancellationToken cancel)
    {
        var stamp = DateTime.UtcNow.ToString("O");
        try
        {
            var probe = settings.Store switch
            {
                StoreKind.Sqlite => Task.Run(() => ProbeSqlite(settings, stamp, deadline), cancel),
                StoreKind.Postgres => ProbePostgresAsync(settings, stamp, deadline, cancel),
                _ => Task.FromResult<string?>(stamp),
            };
            var read = await probe.WaitAsync(deadline, cancel);
            return read == stamp ? null : $"the store read back '{read}' instead of the row just written";
        }
        catch (TimeoutException)
        {
            return $"the store did not write and read a row within {deadline.TotalSeconds:0.#} s";
        }
        catch (Exception e) when (e is SqliteException or NpgsqlException or IOException or InvalidOperationException)
        {
            return $"the store did not write and read a row: {e.Message.ReplaceLineEndings(" ")}";
        }
    }

    private static string? ProbeSqlite(PersistenceSettings settings, string stamp, TimeSpan deadline)
    {
        using var connection = new SqliteConnection(PersistenceSetup.SqliteConnectionString(settings));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandTimeout = Math.Max(1, (int)Math.Ceiling(deadline.TotalSeconds));
        command.CommandText = $"""
            CREATE TABLE IF NOT EXISTS {Table} (id INTEGER PRIMARY KEY, checked_at TEXT NOT NULL);
            INSERT OR REPLACE INTO {Table} (id, checked_at) VALUES (1, $stamp);
            SELECT checked_at FROM {Table} WHERE id = 1;
            """;
        command.Parameters.AddWithValue("$stamp", stamp);
        return command.ExecuteScalar() as string;
    }

    private static async Task<string?> ProbePostgresAsync(PersistenceSettings settings, string stamp, TimeSpan deadline, CancellationToken cancel)
    {
        await using var connection = new NpgsqlConnection(PersistenceSetup.PostgresConnectionString(settings));
        await connection.OpenAsync(cancel);
        await using var command = connection.CreateCommand();
        command.CommandTimeout = Math.Max(1, (int)Math.Ceiling(deadline.TotalSeconds));
        command.CommandText = $"""
            CREATE TABLE IF NOT EXISTS {Table} (id integer PRIMARY KEY, checked_at text NOT NULL);
            INSERT INTO {Table} (id, checked_at) VALUES (1, @stamp) ON CONFLICT (id) DO UPDATE SET checked_at = EXCLUDED.checked_at;
            SELECT checked_at FROM {Table} WHERE id = 1;
            """;
        command.Parameters.AddWithValue("stamp", stamp);
        return await command.ExecuteScalarAsync(cancel) as string;
    }
}
