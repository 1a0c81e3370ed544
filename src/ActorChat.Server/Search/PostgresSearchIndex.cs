using ActorChat.Messages;
using Npgsql;
using NpgsqlTypes;

namespace ActorChat.Server.Search;

/// <summary>
/// The index in PostgreSQL: one table with a <c>tsvector</c> of each message (configuration <c>simple</c>) under a GIN
/// index. Texts and queries are normalised in C# (<see cref="SearchText"/>: lowercase, accents removed, split into
/// words) before PostgreSQL sees them, so no <c>unaccent</c> extension is needed and both stores match alike.
/// </summary>
public sealed class PostgresSearchIndex : ISearchIndex
{
    private readonly NpgsqlDataSource _database;
    private readonly PositionCounter _positions;

    public PostgresSearchIndex(string connectionString)
    {
        _database = NpgsqlDataSource.Create(connectionString);
        using (var create = _database.CreateCommand("""
            CREATE TABLE IF NOT EXISTS search_messages (
              position bigint PRIMARY KEY, conversation text NOT NULL, seq bigint NOT NULL, message_id text NOT NULL,
              sender text NOT NULL, sender_key text NOT NULL, text text NOT NULL, at text NOT NULL, reader1 text, reader2 text,
              words tsvector NOT NULL, UNIQUE (conversation, seq));
            CREATE INDEX IF NOT EXISTS search_messages_words ON search_messages USING GIN (words);
            """))
            create.ExecuteNonQuery();
        using var last = _database.CreateCommand("SELECT coalesce(max(position), 0) FROM search_messages");
        _positions = new PositionCounter((long)last.ExecuteScalar()!);
    }

    public void Apply(IReadOnlyList<object> changes)
    {
        using var connection = _database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var batch = new NpgsqlBatch(connection, transaction);
        foreach (var item in changes)
        {
            switch (item)
            {
                case MessageIndexed indexed:
                    batch.BatchCommands.Add(Command("""
                        INSERT INTO search_messages (position, conversation, seq, message_id, sender, sender_key, text, at, reader1, reader2, words)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, to_tsvector('simple', $11)) ON CONFLICT DO NOTHING
                        """, _positions.Next(indexed.At), indexed.Conversation, indexed.Seq, indexed.Id, indexed.From, Protocol.Key(indexed.From),
                        indexed.Text, Protocol.FormatTimestamp(indexed.At.UtcDateTime), SqliteSearchIndex.ReaderAt(indexed.Readers, 0),
                        SqliteSearchIndex.ReaderAt(indexed.Readers, 1), SearchText.Indexable(indexed.Text)));
                    break;
                case MessageTextChanged changed:
                    batch.BatchCommands.Add(Command("UPDATE search_messages SET text = $1, words = to_tsvector('simple', $2) WHERE conversation = $3 AND seq = $4",
                        changed.Text, SearchText.Indexable(changed.Text), changed.Conversation, changed.Seq));
                    break;
                case MessageRemoved removed:
                    batch.BatchCommands.Add(Command("DELETE FROM search_messages WHERE conversation = $1 AND seq = $2", removed.Conversation, removed.Seq));
                    break;
            }
        }
        if (batch.BatchCommands.Count > 0) batch.ExecuteNonQuery();
        transaction.Commit();
    }

    public IReadOnlyList<SearchHit> Find(SearchQuery query, SearchScope scope, long? before, int limit)
    {
        using var command = _database.CreateCommand("""
            SELECT position, conversation, seq, message_id, sender, text, at, reader1, reader2 FROM search_messages
            WHERE words @@ to_tsquery('simple', $1) AND position < $2
              AND ((reader1 IS NULL AND conversation = ANY($3)) OR reader1 = $4 OR reader2 = $4)
              AND ($5::text IS NULL OR conversation = $5) AND ($6::text IS NULL OR sender_key = $6)
            ORDER BY position DESC LIMIT $7
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = query.ToTsQuery() });
        command.Parameters.Add(new NpgsqlParameter { Value = before ?? long.MaxValue });
        command.Parameters.Add(new NpgsqlParameter { Value = scope.Rooms.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = scope.Reader });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)scope.Conversation ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)scope.FromKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        using var reader = command.ExecuteReader();
        var hits = new List<SearchHit>();
        while (reader.Read())
        {
            var readers = reader.IsDBNull(7) ? null : new[] { reader.GetString(7), reader.IsDBNull(8) ? reader.GetString(7) : reader.GetString(8) };
            hits.Add(new SearchHit(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), readers));
        }
        return hits;
    }

    public void Clear()
    {
        using var command = _database.CreateCommand("DELETE FROM search_messages");
        command.ExecuteNonQuery();
    }

    public long Count()
    {
        using var command = _database.CreateCommand("SELECT count(*) FROM search_messages");
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose() => _database.Dispose();

    private static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }
}
