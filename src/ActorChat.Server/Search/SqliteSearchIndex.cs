using System.Text.Json;
using ActorChat.Messages;
using Microsoft.Data.Sqlite;

namespace ActorChat.Server.Search;

/// <summary>
/// The index in SQLite: a plain table of the messages and an FTS5 table of their words (tokenizer
/// <c>unicode61 remove_diacritics 2</c>: case- and accent-insensitive), in its own database file so it never takes
/// the journal's write lock. One connection, used by one caller at a time: batches are short, and an in-memory
/// index (for --in-memory) lives exactly as long as that connection.
/// </summary>
public sealed class SqliteSearchIndex : ISearchIndex
{
    public const string FileName = "search.db";

    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private readonly PositionCounter _positions;
    private readonly Dictionary<string, int> _nextGenerations = new(StringComparer.Ordinal); // the dropped table, in memory

    private SqliteSearchIndex(SqliteConnection connection)
    {
        _connection = connection;
        bool hadProgress;
        using (var tables = Command("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'progress'"))
            hadProgress = (long)tables.ExecuteScalar()! > 0;
        // progress: per journal stream, the last event applied. changes: the latest edit (text) or the deletion (text
        // NULL) of a message, so a message indexed after them (replayed after a crash) reads as edited or stays out.
        // dropped: per room, the generation of the next room of its name since its last drop.
        Execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS messages (
              position INTEGER PRIMARY KEY, conversation TEXT NOT NULL, seq INTEGER NOT NULL, message_id TEXT NOT NULL,
              sender TEXT NOT NULL, sender_key TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL, reader1 TEXT, reader2 TEXT);
            CREATE UNIQUE INDEX IF NOT EXISTS messages_by_seq ON messages (conversation, seq);
            CREATE VIRTUAL TABLE IF NOT EXISTS message_words USING fts5 (text, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');
            CREATE TABLE IF NOT EXISTS progress (stream TEXT PRIMARY KEY, nr INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS changes (conversation TEXT NOT NULL, seq INTEGER NOT NULL, message_id TEXT, text TEXT, PRIMARY KEY (conversation, seq));
            CREATE TABLE IF NOT EXISTS dropped (conversation TEXT PRIMARY KEY, generation INTEGER NOT NULL);
            """);
        using (var last = Command("SELECT coalesce(max(position), 0) FROM messages"))
            _positions = new PositionCounter((long)last.ExecuteScalar()!);
        LacksProgress = !hadProgress && Count() > 0;
        using var dropped = Command("SELECT conversation, generation FROM dropped");
        using var reader = dropped.ExecuteReader();
        while (reader.Read()) _nextGenerations[reader.GetString(0)] = reader.GetInt32(1);
    }

    public bool LacksProgress { get; }

    /// <summary>The index in <c>search.db</c> under the data directory.</summary>
    public static SqliteSearchIndex OpenFile(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        connection.Open();
        return new SqliteSearchIndex(connection);
    }

    /// <summary>An index that lives in memory only (the server's --in-memory mode).</summary>
    public static SqliteSearchIndex OpenInMemory()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        return new SqliteSearchIndex(connection);
    }

    public void Apply(IReadOnlyList<object> changes)
    {
        lock (_lock)
        {
            var generations = new Dictionary<string, int>(_nextGenerations, StringComparer.Ordinal);
            var (batch, progress) = SearchBatch.Plan(changes, generations);
            using var transaction = _connection.BeginTransaction();
            using var findChange = Command("SELECT message_id, text FROM changes WHERE conversation = $conversation AND seq = $seq", "$conversation", "$seq");
            using var insert = Command("""
                INSERT OR IGNORE INTO messages (position, conversation, seq, message_id, sender, sender_key, text, at, reader1, reader2)
                VALUES ($position, $conversation, $seq, $id, $sender, $senderKey, $text, $at, $reader1, $reader2)
                """, "$position", "$conversation", "$seq", "$id", "$sender", "$senderKey", "$text", "$at", "$reader1", "$reader2");
            using var insertWords = Command("INSERT INTO message_words (rowid, text) VALUES ($position, $text)", "$position", "$text");
            // An edit is kept unless the message is deleted; a deletion always is.
            using var keepEdit = Command("""
                INSERT INTO changes (conversation, seq, message_id, text) VALUES ($conversation, $seq, $id, $text)
                ON CONFLICT (conversation, seq) DO UPDATE SET message_id = excluded.message_id, text = excluded.text
                WHERE NOT (changes.text IS NULL AND changes.message_id IS excluded.message_id)
                """, "$conversation", "$seq", "$id", "$text");
            using var keepRemoval = Command("""
                INSERT INTO changes (conversation, seq, message_id, text) VALUES ($conversation, $seq, $id, NULL)
                ON CONFLICT (conversation, seq) DO UPDATE SET message_id = excluded.message_id, text = NULL
                """, "$conversation", "$seq", "$id");
            using var change = Command("""
                UPDATE messages SET text = $text WHERE conversation = $conversation AND seq = $seq AND ($id IS NULL OR message_id = $id) RETURNING position
                """, "$text", "$conversation", "$seq", "$id");
            using var changeWords = Command("UPDATE message_words SET text = $text WHERE rowid = $position", "$text", "$position");
            using var remove = Command("""
                DELETE FROM messages WHERE conversation = $conversation AND seq = $seq AND ($id IS NULL OR message_id = $id) RETURNING position
                """, "$conversation", "$seq", "$id");
            using var removeWords = Command("DELETE FROM message_words WHERE rowid = $position", "$position");
            using var dropWords = Command("DELETE FROM message_words WHERE rowid IN (SELECT position FROM messages WHERE conversation = $conversation AND reader1 IS NULL)", "$conversation");
            using var dropMessages = Command("DELETE FROM messages WHERE conversation = $conversation AND reader1 IS NULL", "$conversation");
            using var dropChanges = Command("DELETE FROM changes WHERE conversation = $conversation", "$conversation");
            using var keepDrop = Command("""
                INSERT INTO dropped (conversation, generation) VALUES ($conversation, $generation)
                ON CONFLICT (conversation) DO UPDATE SET generation = max(generation, excluded.generation)
                """, "$conversation", "$generation");
            using var forget = Command("DELETE FROM progress WHERE stream = $stream", "$stream");
            using var advance = Command("""
                INSERT INTO progress (stream, nr) VALUES ($stream, $nr) ON CONFLICT (stream) DO UPDATE SET nr = max(nr, excluded.nr)
                """, "$stream", "$nr");
            foreach (var command in new[] { findChange, insert, insertWords, keepEdit, keepRemoval, change, changeWords, remove, removeWords,
                         dropWords, dropMessages, dropChanges, keepDrop, forget, advance })
                command.Transaction = transaction;
            foreach (var item in batch)
            {
                switch (item)
                {
                    case MessageIndexed indexed:
                        var text = indexed.Text;
                        Set(findChange, indexed.Conversation, indexed.Seq);
                        using (var found = findChange.ExecuteReader())
                        {
                            if (found.Read() && (found.IsDBNull(0) || found.GetString(0) == indexed.Id))
                            {
                                if (found.IsDBNull(1)) break; // deleted before it was indexed
                                text = found.GetString(1);
                            }
                        }
                        var position = _positions.Next(indexed.At);
                        Set(insert, position, indexed.Conversation, indexed.Seq, indexed.Id, indexed.From, Protocol.Key(indexed.From), text,
                            Protocol.FormatTimestamp(indexed.At.UtcDateTime), ReaderAt(indexed.Readers, 0), ReaderAt(indexed.Readers, 1));
                        if (insert.ExecuteNonQuery() == 1)
                        {
                            Set(insertWords, position, text);
                            insertWords.ExecuteNonQuery();
                        }
                        break;
                    case MessageTextChanged changed:
                        Set(keepEdit, changed.Conversation, changed.Seq, changed.Id, changed.Text);
                        keepEdit.ExecuteNonQuery();
                        Set(change, changed.Text, changed.Conversation, changed.Seq, changed.Id);
                        if (change.ExecuteScalar() is long changedAt)
                        {
                            Set(changeWords, changed.Text, changedAt);
                            changeWords.ExecuteNonQuery();
                        }
                        break;
                    case MessageRemoved removed:
                        Set(keepRemoval, removed.Conversation, removed.Seq, removed.Id);
                        keepRemoval.ExecuteNonQuery();
                        Set(remove, removed.Conversation, removed.Seq, removed.Id);
                        if (remove.ExecuteScalar() is long removedAt)
                        {
                            Set(removeWords, removedAt);
                            removeWords.ExecuteNonQuery();
                        }
                        break;
                    case ConversationDropped dropped:
                        foreach (var command in new[] { dropWords, dropMessages, dropChanges })
                        {
                            Set(command, dropped.Conversation);
                            command.ExecuteNonQuery();
                        }
                        Set(keepDrop, dropped.Conversation, generations[dropped.Conversation]);
                        keepDrop.ExecuteNonQuery();
                        foreach (var stream in dropped.Forget)
                        {
                            Set(forget, stream);
                            forget.ExecuteNonQuery();
                        }
                        break;
                }
            }
            foreach (var (stream, nr) in progress)
            {
                Set(advance, stream, nr);
                advance.ExecuteNonQuery();
            }
            transaction.Commit();
            foreach (var (conversation, generation) in generations) _nextGenerations[conversation] = generation;
        }
    }

    public IReadOnlyDictionary<string, long> Progress()
    {
        lock (_lock)
        {
            using var command = Command("SELECT stream, nr FROM progress");
            using var reader = command.ExecuteReader();
            var progress = new Dictionary<string, long>(StringComparer.Ordinal);
            while (reader.Read()) progress[reader.GetString(0)] = reader.GetInt64(1);
            return progress;
        }
    }

    public IReadOnlyList<SearchHit> Find(SearchQuery query, SearchScope scope, long? before, int limit)
    {
        var filters = "";
        if (scope.Conversation is not null) filters += " AND m.conversation = $conversation";
        if (scope.FromKey is not null) filters += " AND m.sender_key = $from";
        lock (_lock)
        {
            using var command = Command($"""
                SELECT m.position, m.conversation, m.seq, m.message_id, m.sender, m.text, m.at, m.reader1, m.reader2
                FROM message_words w JOIN messages m ON m.position = w.rowid
                WHERE message_words MATCH $match AND w.rowid < $before
                  AND ((m.reader1 IS NULL AND m.conversation IN (SELECT value FROM json_each($rooms))) OR m.reader1 = $me OR m.reader2 = $me)
                  {filters}
                ORDER BY w.rowid DESC LIMIT $limit
                """);
            command.Parameters.AddWithValue("$match", query.ToFts5());
            command.Parameters.AddWithValue("$before", before ?? long.MaxValue);
            command.Parameters.AddWithValue("$rooms", JsonSerializer.Serialize(scope.Rooms.ToArray(), SearchJson.Default.StringArray));
            command.Parameters.AddWithValue("$me", scope.Reader);
            command.Parameters.AddWithValue("$limit", limit);
            if (scope.Conversation is not null) command.Parameters.AddWithValue("$conversation", scope.Conversation);
            if (scope.FromKey is not null) command.Parameters.AddWithValue("$from", scope.FromKey);
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
    }

    public void Clear()
    {
        lock (_lock)
        {
            Execute("DELETE FROM messages; DELETE FROM message_words; DELETE FROM progress; DELETE FROM changes; DELETE FROM dropped;");
            _nextGenerations.Clear();
        }
    }

    public long Count()
    {
        lock (_lock)
        {
            using var count = Command("SELECT count(*) FROM messages");
            return (long)count.ExecuteScalar()!;
        }
    }

    public void Dispose()
    {
        lock (_lock) _connection.Dispose();
    }

    internal static string? ReaderAt(IReadOnlyList<string>? readers, int index) =>
        readers is null || readers.Count == 0 ? null : readers[Math.Min(index, readers.Count - 1)];

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        return command;
    }

    private static void Set(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class SearchJson : System.Text.Json.Serialization.JsonSerializerContext;
