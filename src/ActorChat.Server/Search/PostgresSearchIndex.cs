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
    private readonly Dictionary<string, int> _nextGenerations = new(StringComparer.Ordinal); // search_dropped, in memory

    public PostgresSearchIndex(string connectionString)
    {
        _database = NpgsqlDataSource.Create(connectionString);
        bool hadProgress;
        using (var tables = _database.CreateCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'search_progress'"))
            hadProgress = (long)tables.ExecuteScalar()! > 0;
        // As in SQLite (SqliteSearchIndex): progress per journal stream, the latest edit or deletion of a message, and
        // per dropped room the generation of the next room of its name.
        using (var create = _database.CreateCommand("""
            CREATE TABLE IF NOT EXISTS search_messages (
              position bigint PRIMARY KEY, conversation text NOT NULL, seq bigint NOT NULL, message_id text NOT NULL,
              sender text NOT NULL, sender_key text NOT NULL, text text NOT NULL, at text NOT NULL, reader1 text, reader2 text,
              words tsvector NOT NULL, UNIQUE (conversation, seq));
            CREATE INDEX IF NOT EXISTS search_messages_words ON search_messages USING GIN (words);
            CREATE TABLE IF NOT EXISTS search_progress (stream text PRIMARY KEY, nr bigint NOT NULL);
            CREATE TABLE IF NOT EXISTS search_changes (conversation text NOT NULL, seq bigint NOT NULL, message_id text, text text, words text,
              PRIMARY KEY (conversation, seq));
            CREATE TABLE IF NOT EXISTS search_dropped (conversation text PRIMARY KEY, generation integer NOT NULL);
            """))
            create.ExecuteNonQuery();
        using (var last = _database.CreateCommand("SELECT coalesce(max(position), 0) FROM search_messages"))
            _positions = new PositionCounter((long)last.ExecuteScalar()!);
        LacksProgress = !hadProgress && Count() > 0;
        using var dropped = _database.CreateCommand("SELECT conversation, generation FROM search_dropped");
        using var reader = dropped.ExecuteReader();
        while (reader.Read()) _nextGenerations[reader.GetString(0)] = reader.GetInt32(1);
    }

    public bool LacksProgress { get; }

    public void Apply(IReadOnlyList<object> changes)
    {
        // One writer (the indexer, or the replay before it starts): the generations are only read and written here.
        lock (_nextGenerations)
        {
            var generations = new Dictionary<string, int>(_nextGenerations, StringComparer.Ordinal);
            var (items, progress) = SearchBatch.Plan(changes, generations);
            using var connection = _database.OpenConnection();
            using var transaction = connection.BeginTransaction();
            var batch = new NpgsqlBatch(connection, transaction);
            foreach (var item in items)
            {
                switch (item)
                {
                    case MessageIndexed indexed:
                        // Its edit, if one came first, gives its text; its deletion keeps it out.
                        batch.BatchCommands.Add(Command("""
                            INSERT INTO search_messages (position, conversation, seq, message_id, sender, sender_key, text, at, reader1, reader2, words)
                            SELECT $1, $2, $3, $4, $5, $6, coalesce(c.text, $7), $8, $9, $10, to_tsvector('simple', coalesce(c.words, $11))
                            FROM (SELECT 1) AS one
                            LEFT JOIN search_changes c ON c.conversation = $2 AND c.seq = $3 AND (c.message_id IS NULL OR c.message_id = $4)
                            WHERE NOT EXISTS (SELECT 1 FROM search_changes d WHERE d.conversation = $2 AND d.seq = $3
                                                AND (d.message_id IS NULL OR d.message_id = $4) AND d.text IS NULL)
                            ON CONFLICT DO NOTHING
                            """, _positions.Next(indexed.At), indexed.Conversation, indexed.Seq, indexed.Id, indexed.From, Protocol.Key(indexed.From),
                            indexed.Text, Protocol.FormatTimestamp(indexed.At.UtcDateTime), Text(SqliteSearchIndex.ReaderAt(indexed.Readers, 0)),
                            Text(SqliteSearchIndex.ReaderAt(indexed.Readers, 1)), SearchText.Indexable(indexed.Text)));
                        break;
                    case MessageTextChanged changed:
                        var words = SearchText.Indexable(changed.Text);
                        batch.BatchCommands.Add(Command("""
                            INSERT INTO search_changes (conversation, seq, message_id, text, words) VALUES ($1, $2, $3, $4, $5)
                            ON CONFLICT (conversation, seq) DO UPDATE SET message_id = excluded.message_id, text = excluded.text, words = excluded.words
                            WHERE NOT (search_changes.text IS NULL AND search_changes.message_id IS NOT DISTINCT FROM excluded.message_id)
                            """, changed.Conversation, changed.Seq, Text(changed.Id), changed.Text, words));
                        batch.BatchCommands.Add(Command("""
                            UPDATE search_messages SET text = $1, words = to_tsvector('simple', $2)
                            WHERE conversation = $3 AND seq = $4 AND ($5::text IS NULL OR message_id = $5)
                            """, changed.Text, words, changed.Conversation, changed.Seq, Text(changed.Id)));
                        break;
                    case MessageRemoved removed:
                        batch.BatchCommands.Add(Command("""
                            INSERT INTO search_changes (conversation, seq, message_id, text, words) VALUES ($1, $2, $3, NULL, NULL)
                            ON CONFLICT (conversation, seq) DO UPDATE SET message_id = excluded.message_id, text = NULL, words = NULL
                            """, removed.Conversation, removed.Seq, Text(removed.Id)));
                        batch.BatchCommands.Add(Command("DELETE FROM search_messages WHERE conversation = $1 AND seq = $2 AND ($3::text IS NULL OR message_id = $3)",
                            removed.Conversation, removed.Seq, Text(removed.Id)));
                        break;
                    case ConversationDropped dropped:
                        batch.BatchCommands.Add(Command("DELETE FROM search_messages WHERE conversation = $1 AND reader1 IS NULL", dropped.Conversation));
                        batch.BatchCommands.Add(Command("DELETE FROM search_changes WHERE conversation = $1", dropped.Conversation));
                        batch.BatchCommands.Add(Command("""
                            INSERT INTO search_dropped (conversation, generation) VALUES ($1, $2)
                            ON CONFLICT (conversation) DO UPDATE SET generation = greatest(search_dropped.generation, excluded.generation)
                            """, dropped.Conversation, generations[dropped.Conversation]));
                        if (dropped.Forget.Count > 0)
                            batch.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM search_progress WHERE stream = ANY($1)")
                            {
                                Parameters = { new NpgsqlParameter { Value = dropped.Forget.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text } },
                            });
                        break;
                }
            }
            foreach (var (stream, nr) in progress)
                batch.BatchCommands.Add(Command("""
                    INSERT INTO search_progress (stream, nr) VALUES ($1, $2) ON CONFLICT (stream) DO UPDATE SET nr = greatest(search_progress.nr, excluded.nr)
                    """, stream, nr));
            if (batch.BatchCommands.Count > 0) batch.ExecuteNonQuery();
            transaction.Commit();
            foreach (var (conversation, generation) in generations) _nextGenerations[conversation] = generation;
        }
    }

    public IReadOnlyDictionary<string, long> Progress()
    {
        using var command = _database.CreateCommand("SELECT stream, nr FROM search_progress");
        using var reader = command.ExecuteReader();
        var progress = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read()) progress[reader.GetString(0)] = reader.GetInt64(1);
        return progress;
    }

    /// <summary>A text parameter that may be null (typed, so PostgreSQL knows what $n IS NULL compares).</summary>
    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

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
        lock (_nextGenerations)
        {
            using var command = _database.CreateCommand("DELETE FROM search_messages; DELETE FROM search_progress; DELETE FROM search_changes; DELETE FROM search_dropped;");
            command.ExecuteNonQuery();
            _nextGenerations.Clear();
        }
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
        foreach (var value in values) command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }
}
