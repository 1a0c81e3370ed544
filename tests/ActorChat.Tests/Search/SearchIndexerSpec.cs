using System.Collections.Concurrent;
using ActorChat.Server.Search;
using Akka.Actor;

namespace ActorChat.Tests.Search;

/// <summary>How the indexer turns the rooms' feed into index transactions.</summary>
public class SearchIndexerSpec : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>An index that only records the batches it was given, each as one transaction.</summary>
    private sealed class RecordingIndex : ISearchIndex
    {
        public ConcurrentQueue<int> Batches { get; } = new();
        public void Apply(IReadOnlyList<object> changes) => Batches.Enqueue(changes.Count);
        public IReadOnlyList<SearchHit> Find(SearchQuery query, SearchScope scope, long? before, int limit) => [];
        public void Clear() { }
        public long Count() => Batches.Sum();
        public IReadOnlyDictionary<string, long> Progress() => new Dictionary<string, long>();
        public bool LacksProgress => false;
        public void Dispose() { }
    }

    private static MessageIndexed Message(long seq) =>
        new("general", seq, $"id-{seq}", "alice", $"text {seq}", DateTimeOffset.UnixEpoch, Readers: null);

    private SearchIndexer.Idle WaitUntilIdle(IActorRef indexer)
    {
        indexer.Tell(SearchIndexer.WaitUntilIdle.Instance, TestActor);
        return ExpectMsg<SearchIndexer.Idle>(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Messages_that_arrive_within_the_gather_delay_share_one_index_transaction()
    {
        var index = new RecordingIndex();
        var indexer = Sys.ActorOf(SearchIndexer.Props(index, queueLimit: 100, batchSize: 50, gatherDelay: TimeSpan.FromMilliseconds(300)));
        for (var seq = 1; seq <= 5; seq++) indexer.Tell(Message(seq));

        AwaitCondition(() => index.Batches.Sum() == 5, TimeSpan.FromSeconds(10));
        Assert.Equal([5], index.Batches);
    }

    [Fact]
    public void A_full_batch_is_written_without_waiting_for_the_gather_delay()
    {
        var index = new RecordingIndex();
        // A gather delay far longer than the test's patience: only a full batch can be written in time.
        var indexer = Sys.ActorOf(SearchIndexer.Props(index, queueLimit: 100, batchSize: 3, gatherDelay: TimeSpan.FromSeconds(10)));
        for (var seq = 1; seq <= 3; seq++) indexer.Tell(Message(seq));

        AwaitCondition(() => index.Batches.Sum() == 3, TimeSpan.FromSeconds(3));
        Assert.Equal([3], index.Batches);
    }

    [Fact]
    public void Waiting_until_idle_writes_what_is_gathered_at_once()
    {
        var index = new RecordingIndex();
        var indexer = Sys.ActorOf(SearchIndexer.Props(index, queueLimit: 100, batchSize: 50, gatherDelay: TimeSpan.FromSeconds(10)));
        indexer.Tell(Message(1));
        indexer.Tell(Message(2));

        var idle = WaitUntilIdle(indexer);
        Assert.Equal(2, idle.Written);
        Assert.Equal([2], index.Batches);
    }
}
