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

    private SqliteSearchIndex(SqliteConnection connection)
    {
        _connection = connection;
        Execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS messages (
              position INTEGER PRIMARY KEY, conversation TEXT NOT NULL, seq INTEGER NOT NULL, message_id TEXT NOT NULL,
              sender TEXT NOT NULL, sender_key TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL, reader1 TEXT, reader2 TEXT);
            CREATE UNIQUE INDEX IF NOT EXISTS messages_by_seq ON messages (conversation, seq);
            CREATE VIRTUAL TABLE IF NOT EXISTS message_words USING fts5 (text, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');
            """);
        using var last = Command("SELECT coalesce(max(position), 0) FROM messages");
        _positions = new PositionCounter((long)last.ExecuteScalar()!);
    }

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
            using var transaction = _connection.BeginTransaction();
            using var insert = Command("""
                INSERT OR IGNORE INTO messages (position, conversation, seq, message_id, sender, sender_key, text, at, reader1, reader2)
                VALUES ($position, $conversation, $seq, $id, $sender, $senderKey, $text, $at, $reader1, $reader2)
                """, "$position", "$conversation", "$seq", "$id", "$sender", "$senderKey", "$text", "$at", "$reader1", "$reader2");
            using var insertWords = Command("INSERT INTO message_words (rowid, text) VALUES ($position, $text)", "$position", "$text");
            using var change = Command("UPDATE messages SET text = $text WHERE conversation = $conversation AND seq = $seq RETURNING position",
                "$text", "$conversation", "$seq");
            using var changeWords = Command("UPDATE message_words SET text = $text WHERE rowid = $position", "$text", "$position");
            using var remove = Command("DELETE FROM messages WHERE conversation = $conversation AND seq = $seq RETURNING position", "$conversation", "$seq");
            using var removeWords = Command("DELETE FROM message_words WHERE rowid = $position", "$position");
            foreach (var command in new[] { insert, insertWords, change, changeWords, remove, removeWords }) command.Transaction = transaction;
            foreach (var item in changes)
            {
                switch (item)
                {
                    case MessageIndexed indexed:
                        var position = _positions.Next(indexed.At);
                        Set(insert, position, indexed.Conversation, indexed.Seq, indexed.Id, indexed.From, Protocol.Key(indexed.From), indexed.Text,
                            Protocol.FormatTimestamp(indexed.At.UtcDateTime), ReaderAt(indexed.Readers, 0), ReaderAt(indexed.Readers, 1));
                        if (insert.ExecuteNonQuery() == 1)
                        {
                            Set(insertWords, position, indexed.Text);
                            insertWords.ExecuteNonQuery();
                        }
                        break;
                    case MessageTextChanged changed:
                        Set(change, changed.Text, changed.Conversation, changed.Seq);
                        if (change.ExecuteScalar() is long changedAt)
                        {
                            Set(changeWords, changed.Text, changedAt);
                            changeWords.ExecuteNonQuery();
                        }
                        break;
                    case MessageRemoved removed:
                        Set(remove, removed.Conversation, removed.Seq);
                        if (remove.ExecuteScalar() is long removedAt)
                        {
                            Set(removeWords, removedAt);
                            removeWords.ExecuteNonQuery();
                        }
                        break;
                }
            }
            transaction.Commit();
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
        lock (_lock) Execute("DELETE FROM messages; DELETE FROM message_words;");
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
