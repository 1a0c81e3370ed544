using ActorChat.Server.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorChat.Server.Persistence;

/// <summary>
/// What the journal holds, per persistence id: the highest sequence number. Read straight from Akka.Persistence.Sql's
/// <c>journal</c> table (the table <see cref="StoreCheck"/> already checks for), one query over its
/// (persistence_id, sequence_number) index, so that the search index's replay at start reads only the streams that
/// have events it has not applied, and finds the direct-message conversations, which no catalog lists.
/// </summary>
public static class JournalStreams
{
    private const string Query = "SELECT persistence_id, max(sequence_number) FROM journal GROUP BY persistence_id";

    /// <summary>Persistence id → highest sequence number; null for the in-memory store, whose journal has no table.</summary>
    public static IReadOnlyDictionary<string, long>? Highest(PersistenceSettings settings)
    {
        var highest = new Dictionary<string, long>(StringComparer.Ordinal);
        switch (settings.Store)
        {
            case StoreKind.Sqlite:
            {
                using var connection = new SqliteConnection(PersistenceSetup.SqliteConnectionString(settings));
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'journal'";
                if ((long)command.ExecuteScalar()! == 0) return highest; // a new database: the journal makes its tables when first used
                command.CommandText = Query;
                using var reader = command.ExecuteReader();
                while (reader.Read()) highest[reader.GetString(0)] = reader.GetInt64(1);
                return highest;
            }
            case StoreKind.Postgres:
            {
                using var database = NpgsqlDataSource.Create(PersistenceSetup.PostgresConnectionString(settings));
                using (var exists = database.CreateCommand("SELECT to_regclass('journal') IS NOT NULL"))
                    if (!(bool)exists.ExecuteScalar()!) return highest;
                using var command = database.CreateCommand(Query);
                using var reader = command.ExecuteReader();
                while (reader.Read()) highest[reader.GetString(0)] = reader.GetInt64(1);
                return highest;
            }
            default:
                return null;
        }
    }
}
