using System.Net.Sockets;
using ActorChat.Server.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorChat.Server.Persistence;

/// <summary>
/// Checks the store before the server starts, within a short time, so that a database that is missing,
/// locked, corrupt or unreachable is a one-line error naming it instead of a hang or a stream of retries.
/// For SQLite it also claims the data directory (a lock file) for as long as the server runs.
/// <para>
/// It also tells a new database (none of the tables rooms are kept in) from an existing one. Tables are created only
/// in a new one: an existing database that lacks some of them has lost data (a dropped table, a wrong file), and
/// creating them empty would hide that, so the server refuses to start and names what is missing.
/// </para>
/// </summary>
public static class StoreCheck
{
    public const string LockFileName = "actorchat.lock";

    /// <summary>The tables of Akka.Persistence.Sql that hold the rooms.</summary>
    public static readonly IReadOnlyList<string> Tables = ["journal", "snapshot", "tags"];

    /// <summary>
    /// The outcome: a claim to hold while running (SQLite) and whether the database is new (its tables are to be
    /// created), or a problem to report.
    /// </summary>
    public sealed record Result(IDisposable? Claim, string? Problem, bool IsNew = false);

    public static async Task<Result> RunAsync(PersistenceSettings settings)
    {
        try
        {
            var check = settings.Store switch
            {
                StoreKind.Sqlite => Task.Run(() => CheckSqlite(settings)),
                StoreKind.Postgres => CheckPostgresAsync(settings),
                _ => Task.FromResult(new Result(null, null)),
            };
            return await check.WaitAsync(settings.StartupCheckTimeout + TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException)
        {
            return new Result(null, $"{Describe(settings)} did not answer within {settings.StartupCheckTimeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>New (no tables of ours), complete (all of them), or a problem naming the missing ones.</summary>
    private static (bool IsNew, string? Problem) JudgeTables(string database, IReadOnlyCollection<string> found)
    {
        if (found.Count == 0) return (true, null);
        var missing = Tables.Where(t => !found.Contains(t, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (missing.Length == 0) return (false, null);
        var tables = missing.Length == 1 ? $"table '{missing[0]}'" : $"tables {string.Join(", ", missing.Select(t => $"'{t}'"))}";
        return (false, $"{database} has rooms but is missing the {tables}; restore it from a backup, or move it away to start with an empty database.");
    }

    public static string Describe(PersistenceSettings settings) => settings.Store switch
    {
        StoreKind.Sqlite => $"SQLite database {settings.SqliteFile}",
        StoreKind.Postgres => DescribePostgres(settings.PostgresConnectionString!),
        _ => "in-memory store",
    };

    private static Result CheckSqlite(PersistenceSettings settings)
    {
        var directory = Path.GetFullPath(settings.DataDirectory);
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Result(null, $"cannot create data directory {directory}: {e.Message}");
        }

        FileStream claim;
        try
        {
            // On Linux FileShare.None takes an exclusive advisory lock: a second server on the same directory fails here.
            claim = new FileStream(Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return new Result(null, $"data directory {directory} is in use by another ActorChat server (lock file {LockFileName}).");
        }
        catch (UnauthorizedAccessException e)
        {
            return new Result(null, $"cannot write to data directory {directory}: {e.Message}");
        }

        var file = settings.SqliteFile;
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = file,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
            }.ToString());
            connection.Open();
            var timeoutSeconds = Math.Max(1, (int)settings.StartupCheckTimeout.TotalSeconds);
            // WAL lets readers (history pages, recovery) run beside the single writer; it is kept in the file.
            var mode = Scalar(connection, "PRAGMA journal_mode=WAL;", timeoutSeconds);
            if (!string.Equals(mode as string, "wal", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"could not switch to WAL mode (it stays '{mode}')");
            Scalar(connection, "SELECT count(*) FROM sqlite_master;", timeoutSeconds);
            // Someone else holding the write lock (another program, a stuck backup) shows up here.
            Scalar(connection, "BEGIN IMMEDIATE; ROLLBACK;", timeoutSeconds);
            var (isNew, problem) = JudgeTables($"SQLite database {file}", SqliteTables(connection, timeoutSeconds));
            if (problem is null) return new Result(claim, null, isNew);
            claim.Dispose();
            return new Result(null, problem);
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            claim.Dispose();
            var reason = e is SqliteException { SqliteErrorCode: 5 or 6 } ? "is locked by another program" :
                e is SqliteException { SqliteErrorCode: 11 or 26 } ? "is corrupt or not a SQLite database" : "cannot be used";
            return new Result(null, $"SQLite database {file} {reason}: {OneLine(e.Message)}");
        }
    }

    private static List<string> SqliteTables(SqliteConnection connection, int timeoutSeconds)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND lower(name) IN ('journal', 'snapshot', 'tags');";
        command.CommandTimeout = timeoutSeconds;
        using var reader = command.ExecuteReader();
        var found = new List<string>();
        while (reader.Read()) found.Add(reader.GetString(0));
        return found;
    }

    private static object? Scalar(SqliteConnection connection, string sql, int timeoutSeconds)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = timeoutSeconds;
        return command.ExecuteScalar();
    }

    private static async Task<Result> CheckPostgresAsync(PersistenceSettings settings)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(settings.PostgresConnectionString)
            {
                Timeout = Math.Max(1, (int)settings.StartupCheckTimeout.TotalSeconds),
                CommandTimeout = Math.Max(1, (int)settings.StartupCheckTimeout.TotalSeconds),
                Pooling = false,
            };
        }
        catch (ArgumentException e)
        {
            return new Result(null, $"the PostgreSQL connection string is not valid: {OneLine(e.Message)}");
        }
        try
        {
            await using var connection = new NpgsqlConnection(builder.ToString());
            using var cts = new CancellationTokenSource(settings.StartupCheckTimeout);
            await connection.OpenAsync(cts.Token);
            await using var command = new NpgsqlCommand(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('journal', 'snapshot', 'tags')",
                connection);
            var found = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync(cts.Token))
            {
                while (await reader.ReadAsync(cts.Token)) found.Add(reader.GetString(0));
            }
            var (isNew, problem) = JudgeTables(DescribePostgres(settings.PostgresConnectionString!), found);
            return new Result(null, problem, isNew);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or OperationCanceledException or TimeoutException)
        {
            var reason = e is PostgresException { SqlState: "3D000" } ? "does not exist" :
                e is PostgresException { SqlState: "28P01" or "28000" } ? "refused the login" :
                e is OperationCanceledException or TimeoutException || e.InnerException is TimeoutException ? "did not answer in time" :
                "is unreachable";
            return new Result(null, $"{DescribePostgres(settings.PostgresConnectionString!)} {reason}: {OneLine(e.Message)}");
        }
    }

    /// <summary>Host, port and database of a connection string, never its password.</summary>
    private static string DescribePostgres(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"PostgreSQL database '{builder.Database}' at {builder.Host}:{builder.Port}";
        }
        catch (ArgumentException)
        {
            return "PostgreSQL database (connection string not readable)";
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
