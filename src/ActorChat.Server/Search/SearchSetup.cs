using ActorChat.Server.Configuration;
using Akka.Actor;
using Akka.Event;

namespace ActorChat.Server.Search;

/// <summary>Opens the index of the chosen store, rebuilds it when asked (--reindex), and starts its feed and its service.</summary>
public static class SearchSetup
{
    private static readonly TimeSpan ReplayTimeout = TimeSpan.FromMinutes(30);

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
        // Before the indexer subscribes and before any listener is bound: nothing is posted while it runs.
        var rebuild = settings.Search.Reindex || index.LacksProgress;
        if (index.LacksProgress && !settings.Search.Reindex)
            log.Warning("The search index was made by an earlier version, which kept no record of what it had indexed; it is rebuilt from the journal");
        if (rebuild || settings.Persistence.Store != StoreKind.InMemory) // an in-memory journal starts empty, as its index does
            Replay(system, index, settings.Persistence, rebuild ? SearchReplay.Mode.Rebuild : SearchReplay.Mode.CatchUp, log);
        system.ActorOf(SearchIndexer.Props(index, settings.Search.QueueLimit, settings.Search.BatchSize, settings.Search.GatherDelay), "search-indexer");
        return system.ActorOf(SearchService.Props(index, roomDirectory), "search");
    }

    /// <summary>
    /// Rebuilds the index, or catches it up with what the journal stored past its progress (after a kill, say). A
    /// failure is logged and the server starts all the same: search misses what was not read, and the next start
    /// goes on from where this one stopped.
    /// </summary>
    private static void Replay(ActorSystem system, ISearchIndex index, PersistenceSettings persistence, SearchReplay.Mode mode, ILoggingAdapter log)
    {
        IReadOnlyDictionary<string, long>? highest = null;
        try
        {
            highest = Persistence.JournalStreams.Highest(persistence);
        }
        catch (Exception e)
        {
            log.Warning("Search index: the journal's streams could not be listed ({0}); rooms are read past the index's progress, and only the direct-message conversations it knows of", e.Message);
        }
        try
        {
            var outcome = system.ActorOf(SearchReplay.Props(index), "search-replay")
                .Ask<object>(new SearchReplay.Run(mode, highest), ReplayTimeout).GetAwaiter().GetResult();
            if (outcome is SearchReplay.Failed failed) log.Error("The search index could not be brought up to the journal: {0}", failed.Reason);
        }
        catch (Exception e)
        {
            log.Error("The search index could not be brought up to the journal: {0}", e.Message);
        }
    }
}
