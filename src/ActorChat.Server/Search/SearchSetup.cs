using ActorChat.Server.Configuration;
using Akka.Actor;
using Akka.Event;

namespace ActorChat.Server.Search;

/// <summary>Opens the index of the chosen store, rebuilds it when asked (--reindex), and starts its feed and its service.</summary>
public static class SearchSetup
{
    private static readonly TimeSpan RebuildTimeout = TimeSpan.FromMinutes(30);

    public static ISearchIndex OpenIndex(PersistenceSettings persistence) => persistence.Store switch
    {
        StoreKind.Sqlite => SqliteSearchIndex.OpenFile(IndexFile(persistence)),
        StoreKind.Postgres => new PostgresSearchIndex(Persistence.PersistenceSetup.PostgresConnectionString(persistence)),
        _ => SqliteSearchIndex.OpenInMemory(),
    };

    /// <summary>search.db beside the journal's database file.</summary>
    public static string IndexFile(PersistenceSettings persistence) =>
        Path.GetFullPath(Path.Combine(persistence.DataDirectory, SqliteSearchIndex.FileName));

    /// <summary>The search service (what sessions tell), with the index fed from the event stream; rebuilt first when asked.</summary>
    public static IActorRef Start(ActorSystem system, ServerSettings settings, IActorRef roomDirectory)
    {
        var log = Logging.GetLogger(system, typeof(SearchSetup));
        var index = OpenIndex(settings.Persistence);
        system.RegisterOnTermination(index.Dispose);
        if (settings.Search.Reindex)
        {
            // Before the indexer subscribes and before any listener is bound: nothing is posted while it runs.
            var rebuilt = system.ActorOf(SearchReindexer.Props(index), "search-reindex")
                .Ask<object>(SearchReindexer.Run.Instance, RebuildTimeout).GetAwaiter().GetResult();
            if (rebuilt is SearchReindexer.Failed failed) log.Error("The search index could not be rebuilt: {0}", failed.Reason);
        }
        system.ActorOf(SearchIndexer.Props(index, settings.Search.QueueLimit, settings.Search.BatchSize, settings.Search.GatherDelay), "search-indexer");
        return system.ActorOf(SearchService.Props(index, roomDirectory), "search");
    }
}
