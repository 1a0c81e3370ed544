using ActorChat.Server.Configuration;
using ActorChat.Server.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorChat.Server.Operations;

/// <summary>
/// Readiness's question to the store: can it still write and read? One row in a table of its own
/// (<c>actorchat_health</c>, never read by the rooms and not one of the tables the start-up check looks for) is
/// written with the time and read back. The in-memory store has nothing to ask.
/// <para>
/// One per server, and one probe at a time: a readiness request while a probe is still out waits for that probe (at
/// most the deadline) instead of starting another. A database that accepts connections but answers nothing (frozen,
/// or a network that drops packets) hangs each probe until the driver gives up (the connect or command timeout, a few
/// seconds); without this, every readiness request meanwhile would hold a connection of its own to it. PostgreSQL
/// probes also have a connection pool of their own (application name <c>actorchat-health</c>, at most 2), so they
/// never take a connection the journal needs.
/// </para>
/// </summary>
public sealed class StoreProbe(ServerSettings settings)
{
    public const string Table = "actorchat_health";

    /// <summary>Shows in PostgreSQL's <c>pg_stat_activity</c>; also keys the probe's own connection pool.</summary>
    public const string ApplicationName = "actorchat-health";

    private readonly PersistenceSettings _store = settings.Persistence;
    private readonly TimeSpan _deadline = settings.Operations.StoreTimeout;
    private readonly object _gate = new();
    private Task<string?>? _inFlight;

    /// <summary>Null when the store wrote and read the row within the deadline; otherwise why not, in one sentence.</summary>
    public async Task<string?> ProblemAsync(CancellationToken cancel)
    {
        if (_store.Store is not (StoreKind.Sqlite or StoreKind.Postgres)) return null;
        Task<string?> probe;
        lock (_gate)
        {
            if (_inFlight is null || _inFlight.IsCompleted) _inFlight = ProbeAsync();
            probe = _inFlight;
        }
        try
        {
            return await probe.WaitAsync(_deadline, cancel);
        }
        catch (TimeoutException)
        {
            return TooLate;
        }
    }

    private string TooLate => $"the store did not write and read a row within {_deadline.TotalSeconds:0.#} s";

    /// <summary>One probe, never faulted: its problem, or null. It runs on after a waiter's deadline until the driver gives up.</summary>
    private async Task<string?> ProbeAsync()
    {
        var stamp = DateTime.UtcNow.ToString("O");
        try
        {
            var read = _store.Store == StoreKind.Sqlite
                ? await Task.Run(() => ProbeSqlite(stamp))
                : await ProbePostgresAsync(stamp);
            return read == stamp ? null : $"the store read back '{read}' instead of the row just written";
        }
        catch (Exception e) when (e is TimeoutException || e.InnerException is TimeoutException)
        {
            // The driver gave up waiting (connect or command timeout): the database accepts but does not answer.
            return $"{TooLate} (the database stopped answering: {e.Message.ReplaceLineEndings(" ")})";
        }
        catch (Exception e) when (e is SqliteException or NpgsqlException or IOException or InvalidOperationException)
        {
            return $"the store did not write and read a row: {e.Message.ReplaceLineEndings(" ")}";
        }
    }

    private int CommandTimeoutSeconds => Math.Max(1, (int)Math.Ceiling(_deadline.TotalSeconds));

    private string? ProbeSqlite(string stamp)
    {
        using var connection = new SqliteConnection(PersistenceSetup.SqliteConnectionString(_store));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandTimeout = CommandTimeoutSeconds;
        command.CommandText = $"""
            CREATE TABLE IF NOT EXISTS {Table} (id INTEGER PRIMARY KEY, checked_at TEXT NOT NULL);
            INSERT OR REPLACE INTO {Table} (id, checked_at) VALUES (1, $stamp);
            SELECT checked_at FROM {Table} WHERE id = 1;
            """;
        command.Parameters.AddWithValue("$stamp", stamp);
        return command.ExecuteScalar() as string;
    }

    private async Task<string?> ProbePostgresAsync(string stamp)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(PersistenceSetup.PostgresConnectionString(_store))
        {
            ApplicationName = ApplicationName,
            MaxPoolSize = 2,
            MinPoolSize = 0,
        }.ToString();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandTimeout = CommandTimeoutSeconds;
        command.CommandText = $"""
            CREATE TABLE IF NOT EXISTS {Table} (id integer PRIMARY KEY, checked_at text NOT NULL);
            INSERT INTO {Table} (id, checked_at) VALUES (1, @stamp) ON CONFLICT (id) DO UPDATE SET checked_at = EXCLUDED.checked_at;
            SELECT checked_at FROM {Table} WHERE id = 1;
            """;
        command.Parameters.AddWithValue("stamp", stamp);
        return await command.ExecuteScalarAsync() as string;
    }
}
