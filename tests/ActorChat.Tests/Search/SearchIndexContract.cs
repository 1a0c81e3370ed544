using ActorChat.Server.Search;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Search;

/// <summary>What every store's index does: the same specification runs on SQLite FTS5 and on PostgreSQL's tsvector.</summary>
public abstract class SearchIndexContract : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly Lazy<ISearchIndex> _index;
    private int _seq;

    protected SearchIndexContract() => _index = new Lazy<ISearchIndex>(CreateIndex);

    protected abstract ISearchIndex CreateIndex();

    private ISearchIndex Index => _index.Value;

    /// <summary>A reader who may read the rooms "general" and "ops".</summary>
    private static SearchScope Alice(string? conversation = null, string? from = null) => new("alice", ["general", "ops"], conversation, from);

    private long Say(string conversation, string text, string from = "bob", IReadOnlyList<string>? readers = null)
    {
        var seq = ++_seq;
        Index.Apply([new MessageIndexed(conversation, seq, $"m{seq}", from, text, Start.AddMinutes(seq), readers)]);
        return seq;
    }

    private string[] Found(string query, SearchScope? scope = null, long? before = null, int limit = 50) =>
        Index.Find(SearchQuery.Parse(query, out var problem) ?? throw new ArgumentException(problem), scope ?? Alice(), before, limit)
            .Select(hit => hit.Text).ToArray();

    [Fact]
    public void Whole_words_are_found_and_parts_of_words_are_not()
    {
        Say("general", "we deploy on friday");
        Say("general", "redeployment is planned");
        Assert.Equal(["we deploy on friday"], Found("deploy"));
    }

    [Fact]
    public void A_prefix_finds_every_word_that_starts_with_it()
    {
        Say("general", "we deploy on friday");
        Say("general", "deployment went fine");
        Say("general", "nothing to see");
        Assert.Equal(["deployment went fine", "we deploy on friday"], Found("deplo*"));
    }

    [Fact]
    public void A_phrase_finds_its_words_only_next_to_each_other_and_in_order()
    {
        Say("general", "ship it now");
        Say("general", "it is a ship");
        Assert.Equal(["ship it now"], Found("\"ship it\""));
    }

    [Fact]
    public void Case_and_accents_do_not_matter_on_either_side()
    {
        Say("general", "La Crème Brûlée est prête");
        Assert.Equal(["La Crème Brûlée est prête"], Found("creme brulee"));
        Assert.Equal(["La Crème Brûlée est prête"], Found("PRÊTE"));
    }

    [Fact]
    public void An_edited_message_is_found_by_its_new_text_only()
    {
        var seq = Say("general", "meeting at noon");
        Index.Apply([new MessageTextChanged("general", seq, "meeting at three")]);
        Assert.Empty(Found("noon"));
        Assert.Equal(["meeting at three"], Found("three"));
    }

    [Fact]
    public void A_deleted_message_is_never_found()
    {
        var seq = Say("general", "my password is hunter2");
        Index.Apply([new MessageRemoved("general", seq)]);
        Assert.Empty(Found("hunter2"));
        Index.Apply([new MessageTextChanged("general", seq, "hunter2 again")]);
        Assert.Empty(Found("hunter2"));
    }

    [Fact]
    public void Rooms_outside_the_readers_scope_are_not_searched()
    {
        Say("secret", "launch codes");
        Say("general", "launch party");
        Assert.Equal(["launch party"], Found("launch"));
    }

    [Fact]
    public void Direct_messages_are_found_by_their_two_readers_only()
    {
        Say(SearchConversations.Direct("alice", "bob"), "lunch with alice", readers: ["alice", "bob"]);
        Say(SearchConversations.Direct("bob", "carol"), "lunch with carol", readers: ["bob", "carol"]);
        Assert.Equal(["lunch with alice"], Found("lunch"));
        Assert.Equal(["lunch with carol"], Found("lunch", new SearchScope("carol", [])));
        Assert.Empty(Found("lunch", new SearchScope("dave", ["general"])));
    }

    [Fact]
    public void A_room_and_a_sender_narrow_the_search()
    {
        Say("general", "release notes", from: "bob");
        Say("ops", "release done", from: "bob");
        Say("ops", "release checked", from: "carol");
        Assert.Equal(["release checked", "release done"], Found("release", Alice(conversation: "ops")));
        Assert.Equal(["release done", "release notes"], Found("release", Alice(from: "bob")));
    }

    [Fact]
    public void Pages_go_from_newest_to_oldest_without_repeating_a_message()
    {
        for (var i = 1; i <= 5; i++) Say("general", $"status {i}");
        var first = Index.Find(SearchQuery.Parse("status", out _)!, Alice(), null, 2);
        var second = Index.Find(SearchQuery.Parse("status", out _)!, Alice(), first[^1].Position, 2);
        var third = Index.Find(SearchQuery.Parse("status", out _)!, Alice(), second[^1].Position, 2);
        Assert.Equal(["status 5", "status 4", "status 3", "status 2", "status 1"],
            first.Concat(second).Concat(third).Select(h => h.Text));
    }

    [Fact]
    public void A_message_indexed_twice_is_found_once()
    {
        var message = new MessageIndexed("general", 1, "m1", "bob", "only once", Start, null);
        Index.Apply([message]);
        Index.Apply([message]);
        Assert.Single(Found("once"));
        Assert.Equal(1, Index.Count());
    }

    [Fact]
    public void A_hit_carries_what_a_message_frame_needs()
    {
        Say("general", "hello there", from: "Bob");
        var hit = Assert.Single(Index.Find(SearchQuery.Parse("hello", out _)!, Alice(), null, 10));
        Assert.Equal(("general", 1L, "m1", "Bob", "2026-03-01T12:01:00.000Z"), (hit.Conversation, hit.Seq, hit.MessageId, hit.Sender, hit.Timestamp));
        Assert.Null(hit.Readers);
    }

    [Fact]
    public void A_message_indexed_after_its_deletion_stays_out_and_one_indexed_after_its_edit_reads_as_edited()
    {
        // As a replay after a crash may bring them: the deletion and the edit were applied, the messages were not.
        Index.Apply([new MessageRemoved("general", 1, "m1"), new MessageTextChanged("general", 2, "meeting at three", "m2")]);
        Index.Apply([new MessageIndexed("general", 1, "m1", "bob", "my password is hunter2", Start, null),
            new MessageIndexed("general", 2, "m2", "bob", "meeting at noon", Start, null)]);
        Assert.Empty(Found("hunter2"));
        Assert.Empty(Found("noon"));
        Assert.Equal(["meeting at three"], Found("three"));
    }

    [Fact]
    public void An_edit_of_another_message_with_the_same_seq_changes_nothing()
    {
        Index.Apply([new MessageIndexed("general", 1, "new-id", "bob", "fresh text", Start, null)]);
        Index.Apply([new MessageTextChanged("general", 1, "stale edit", "old-id"), new MessageRemoved("general", 1, "old-id")]);
        Assert.Equal(["fresh text"], Found("fresh"));
        Assert.Empty(Found("stale"));
    }

    [Fact]
    public void Progress_is_kept_per_stream_and_only_goes_forward()
    {
        Index.Apply([
            new MessageIndexed("general", 1, "m1", "bob", "one", Start, null) { Stream = "room-general", Nr = 1 },
            new MessageIndexed("general", 2, "m2", "bob", "two", Start, null) { Stream = "room-general", Nr = 2 },
            new MessageRemoved("general", 1, "m1") { Stream = "rules-general", Nr = 7 },
        ]);
        Index.Apply([new StreamProgress { Stream = "room-general", Nr = 1 }, new MessageIndexed("general", 3, "m3", "bob", "three", Start, null)]);
        Assert.Equal(new Dictionary<string, long> { ["room-general"] = 2, ["rules-general"] = 7 }, Index.Progress());
    }

    [Fact]
    public void A_dropped_room_leaves_the_index_and_its_old_generation_stays_out()
    {
        Index.Apply([new MessageIndexed("general", 1, "m1", "bob", "old plan", Start, null) { Stream = "room-general", Nr = 1 }]);
        Say(SearchConversations.Direct("alice", "bob"), "a plan between us", readers: ["alice", "bob"]);
        Index.Apply([new ConversationDropped("general", 1) { Forget = ["room-general", "rules-general"] }]);
        // Stored by the old room just before it stopped, but told to the index after the drop: left out.
        Index.Apply([new MessageIndexed("general", 2, "m2", "bob", "late plan", Start, null) { Stream = "room-general", Nr = 2 }]);
        Index.Apply([new MessageIndexed("general", 1, "n1", "bob", "new plan", Start, null) { Stream = "room-general~1", Nr = 1, Generation = 1 }]);
        Assert.Equal(["a plan between us", "new plan"], Found("plan").Order());
        Assert.False(Index.Progress().ContainsKey("room-general"));
        Assert.Equal(1, Index.Progress()["room-general~1"]);
    }

    [Fact]
    public void Clear_forgets_progress_and_drops_too()
    {
        Index.Apply([new ConversationDropped("general", 1), new StreamProgress { Stream = "room-general~1", Nr = 4 }]);
        Index.Clear();
        Assert.Empty(Index.Progress());
        Index.Apply([new MessageIndexed("general", 1, "m1", "bob", "generation zero again", Start, null)]);
        Assert.Single(Found("zero"));
    }

    public void Dispose()
    {
        if (_index.IsValueCreated) _index.Value.Dispose();
    }
}

public sealed class SqliteSearchIndexSpec : SearchIndexContract
{
    protected override ISearchIndex CreateIndex() => SqliteSearchIndex.OpenInMemory();
}

public sealed class SqliteFileSearchIndexSpec : SearchIndexContract
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"actorchat-search-{Guid.NewGuid():N}.db");

    protected override ISearchIndex CreateIndex() => SqliteSearchIndex.OpenFile(_file);

    [Fact]
    public void The_index_file_keeps_its_messages_when_opened_again()
    {
        using (var index = SqliteSearchIndex.OpenFile(_file))
            index.Apply([new MessageIndexed("general", 1, "m1", "bob", "kept on disk", DateTimeOffset.UtcNow, null)]);
        using var reopened = SqliteSearchIndex.OpenFile(_file);
        Assert.Single(reopened.Find(SearchQuery.Parse("disk", out _)!, new SearchScope("alice", ["general"]), null, 5));
        Assert.False(reopened.LacksProgress);
    }

    [Fact]
    public void An_index_with_messages_from_before_progress_was_kept_says_it_lacks_progress()
    {
        using (var index = SqliteSearchIndex.OpenFile(_file))
            index.Apply([new MessageIndexed("general", 1, "m1", "bob", "from an older version", DateTimeOffset.UtcNow, null)]);
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_file};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE progress";
            command.ExecuteNonQuery();
        }
        using var reopened = SqliteSearchIndex.OpenFile(_file);
        Assert.True(reopened.LacksProgress);
    }
}

public sealed class PostgresSearchIndexSpec(PostgresServer postgres) : SearchIndexContract, IClassFixture<PostgresServer>
{
    protected override ISearchIndex CreateIndex()
    {
        var index = new PostgresSearchIndex(postgres.ConnectionString);
        index.Clear(); // the fixture's database is shared by the class's tests
        return index;
    }
}
