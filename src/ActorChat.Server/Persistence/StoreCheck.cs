using System.Net.Sockets;
using ActorChat.Server.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorChat.Server.Persistence;

/// <summary>
/// Checks the store before the server starts, within a short time, so that a database that is missing,
/// locked, corrupt or unreachable is a one-line error naming it instead of a hang or a stream of retries.
/// For SQLite it also claims the data directory (a lock file) for as long as the server runs.
/// </summary>
public static class StoreCheck
{
    public const string LockFileName = "actorchat.lock";

    /// <summary>Null and a claim to hold while running, or a problem to report.</summary>
    public static async Task<(IDisposable? Claim, string? Problem)> RunAsync(PersistenceSettings settings)
    {
        try
        {
            var check = settings.Store switch
            {
                StoreKind.Sqlite => Task.Run(() => CheckSqlite(settings)),
                StoreKind.Postgres => CheckPostgresAsync(settings),
                _ => Task.FromResult<(IDisposable?, string?)>((null, null)),
            };
            return await check.WaitAsync(settings.StartupCheckTimeout + TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException)
        {
            return (null, $"{Describe(settings)} did not answer within {settings.StartupCheckTimeout.TotalSeconds:0.#} s.");
        }
    }

    public static string Describe(PersistenceSettings settings) => settings.Store switch
    {
        StoreKind.Sqlite => $"SQLite database {settings.SqliteFile}",
        StoreKind.Postgres => DescribePostgres(settings.PostgresConnectionString!),
        _ => "in-memory store",
    };

    private static (IDisposable?, string?) CheckSqlite(PersistenceSettings settings)
    {
        var directory = Path.GetFullPath(settings.DataDirectory);
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot create data directory {directory}: {e.Message}");
        }

        FileStream claim;
        try
        {
            // On Linux FileShare.None takes an exclusive advisory lock: a second server on the same directory fails here.
            claim = new FileStream(Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return (null, $"data directory {directory} is in use by another ActorChat server (lock file {LockFileName}).");
        }
        catch (UnauthorizedAccessException e)
        {
            return (null, $"cannot write to data directory {directory}: {e.Message}");
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
            return (claim, null);
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            claim.Dispose();
            var reason = e is SqliteException { SqliteErrorCode: 5 or 6 } ? "is locked by another program" :
                e is SqliteException { SqliteErrorCode: 11 or 26 } ? "is corrupt or not a SQLite database" : "cannot be used";
            return (null, $"SQLite database {file} {reason}: {OneLine(e.Message)}");
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql, int timeoutSeconds)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = timeoutSeconds;
        return command.ExecuteScalar();
    }

    private static async Task<(IDisposable?, string?)> CheckPostgresAsync(PersistenceSettings settings)
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
            return (null, $"the PostgreSQL connection string is not valid: {OneLine(e.Message)}");
        }
        try
        {
            await using var connection = new NpgsqlConnection(builder.ToString());
            using var cts = new CancellationTokenSource(settings.StartupCheckTimeout);
            await connection.OpenAsync(cts.Token);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cts.Token);
            return (null, null);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or OperationCanceledException or TimeoutException)
        {
            var reason = e is PostgresException { SqlState: "3D000" } ? "does not exist" :
                e is PostgresException { SqlState: "28P01" or "28000" } ? "refused the login" :
                e is OperationCanceledException or TimeoutException || e.InnerException is TimeoutException ? "did not answer in time" :
                "is unreachable";
            return (null, $"{DescribePostgres(settings.PostgresConnectionString!)} {reason}: {OneLine(e.Message)}");
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
