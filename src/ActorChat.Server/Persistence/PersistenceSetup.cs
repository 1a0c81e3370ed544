using ActorChat.Server.Configuration;
using ActorChat.Server.Rooms;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorChat.Server.Persistence;

/// <summary>
/// Wires Akka.Persistence to the chosen store. SQLite and PostgreSQL go through the one Akka.Persistence.Sql
/// plugin (linq2db), so rooms have one code path; in-memory uses Akka's own memory journal and snapshot store.
/// </summary>
public static class PersistenceSetup
{
    /// <summary>
    /// Room events and snapshots are stored by <see cref="RoomEventSerializer"/>, room rules by
    /// <see cref="RoomRulesSerializer"/>, reactions and edits by <see cref="RoomNotesSerializer"/>, mentions and read markers by InboxEventSerializer, direct messages by DirectEventSerializer, accounts and bans by AccountEventSerializer, whatever the store.
    /// </summary>
    private const string SerializerHocon = """
        akka.actor {
          serializers.actorchat-rooms = "ActorChat.Server.Rooms.RoomEventSerializer, ActorChat.Server"
          serializers.actorchat-accounts = "ActorChat.Server.Accounts.AccountEventSerializer, ActorChat.Server"
          serializers.actorchat-room-rules = "ActorChat.Server.Rooms.RoomRulesSerializer, ActorChat.Server"
          serializers.actorchat-room-notes = "ActorChat.Server.Rooms.RoomNotesSerializer, ActorChat.Server"
          serializers.actorchat-inboxes = "ActorChat.Server.Inboxes.InboxEventSerializer, ActorChat.Server"
          serializers.actorchat-direct = "ActorChat.Server.Direct.DirectEventSerializer, ActorChat.Server"
          serialization-bindings {
            "ActorChat.Server.Rooms.IRoomEvent, ActorChat.Server" = actorchat-rooms
            "ActorChat.Server.Accounts.IAccountEvent, ActorChat.Server" = actorchat-accounts
            "ActorChat.Server.Rooms.IRoomRulesEvent, ActorChat.Server" = actorchat-room-rules
            "ActorChat.Server.Rooms.IRoomNoteEvent, ActorChat.Server" = actorchat-room-notes
            "ActorChat.Server.Inboxes.IInboxEvent, ActorChat.Server" = actorchat-inboxes
            "ActorChat.Server.Direct.IDirectEvent, ActorChat.Server" = actorchat-direct
          }
          serialization-identifiers {
            "ActorChat.Server.Rooms.RoomEventSerializer, ActorChat.Server" = 1601
            "ActorChat.Server.Accounts.AccountEventSerializer, ActorChat.Server" = 1602
            "ActorChat.Server.Rooms.RoomRulesSerializer, ActorChat.Server" = 1603
            "ActorChat.Server.Rooms.RoomNotesSerializer, ActorChat.Server" = 1604
            "ActorChat.Server.Inboxes.InboxEventSerializer, ActorChat.Server" = 1605
            "ActorChat.Server.Direct.DirectEventSerializer, ActorChat.Server" = 1606
          }
        }
        """;

    private const string InMemoryHocon = """
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """;

    public static AkkaConfigurationBuilder WithChatPersistence(this AkkaConfigurationBuilder akka, PersistenceSettings settings)
    {
        akka.AddHocon(SerializerHocon, HoconAddMode.Prepend);
        switch (settings.Store)
        {
            case StoreKind.InMemory:
                akka.AddHocon(InMemoryHocon, HoconAddMode.Prepend);
                break;
            case StoreKind.Sqlite:
                akka.WithSqlPersistence(SqliteConnectionString(settings), LinqToDB.ProviderName.SQLiteMS);
                // SQLite has one writer at a time: one writing stream, large batches, each batch one transaction.
                akka.AddHocon(JournalTuning(parallelism: 1, settings.CreateTables), HoconAddMode.Prepend);
                akka.AddHocon(SqliteRecoveries, HoconAddMode.Append); // under the configuration, so --config may set it
                break;
            case StoreKind.Postgres:
                akka.WithSqlPersistence(PostgresConnectionString(settings), LinqToDB.ProviderName.PostgreSQL15);
                akka.AddHocon(JournalTuning(parallelism: 3, settings.CreateTables), HoconAddMode.Prepend);
                break;
        }
        return akka;
    }

    /// <summary>
    /// Batching of the SQL journal: a busy room hands the journal everything it collected while the previous
    /// write was in flight, and the journal writes up to batch-size rows per round trip.
    /// The circuit breaker resets quickly so that a database that comes back is used again within seconds.
    /// Tables are created only in a new database (see <see cref="StoreCheck"/>).
    /// </summary>
    private static string JournalTuning(int parallelism, bool createTables) => $$"""
        akka.persistence.journal.sql {
          auto-initialize = {{(createTables ? "on" : "off")}}
          batch-size = 1000
          db-round-trip-max-batch-size = 1000
          buffer-size = 100000
          replay-batch-size = 2000
          parallelism = {{parallelism}}
          warn-on-auto-init-fail = true
          circuit-breaker { max-failures = 10, call-timeout = 10s, reset-timeout = 2s }
        }
        akka.persistence.snapshot-store.sql {
          auto-initialize = {{(createTables ? "on" : "off")}}
          circuit-breaker { max-failures = 5, call-timeout = 10s, reset-timeout = 2s }
        }
        """;

    /// <summary>
    /// Persistent actors recovering at once. A room is three of them (messages, rules, notes), so Akka's default of
    /// 50 let only 16 rooms recover at a time, and 100 rooms joined right after a start waited on each other: 10,000
    /// clients joining 100 new rooms took 4.5 s instead of 2.9 s (docs/benchmarks.md). SQLite's reads are local and
    /// run side by side under WAL; PostgreSQL keeps the default, within its connection pool. A --config file may set
    /// <c>akka.persistence.max-concurrent-recoveries</c> otherwise.
    /// </summary>
    public const int SqliteConcurrentRecoveries = 300;

    private static readonly string SqliteRecoveries = $"akka.persistence.max-concurrent-recoveries = {SqliteConcurrentRecoveries}";

    public static string SqliteConnectionString(PersistenceSettings settings) => new SqliteConnectionStringBuilder
    {
        DataSource = settings.SqliteFile,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        // Seconds a statement waits for a lock held by another connection before it fails.
        DefaultTimeout = 10,
    }.ToString();

    public static string PostgresConnectionString(PersistenceSettings settings)
    {
        var builder = new NpgsqlConnectionStringBuilder(settings.PostgresConnectionString);
        // An unreachable server fails a connection attempt in seconds instead of the default 15.
        if (!builder.ContainsKey("Timeout")) builder.Timeout = 5;
        return builder.ToString();
    }
}
