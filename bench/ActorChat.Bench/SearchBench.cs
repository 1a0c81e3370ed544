using System.Diagnostics;
using System.Globalization;
using ActorChat.Server.Search;

namespace ActorChat.Bench;

/// <summary>One kind of search and what it cost, in milliseconds per query (parse and index query).</summary>
public sealed class SearchKindReport
{
    public string Kind { get; set; } = "";
    /// <summary>The queries as typed, e.g. <c>depl*</c> (cycled over the runs), and the room filter if any.</summary>
    public string Example { get; set; } = "";
    public int Queries { get; set; }
    /// <summary>The fewest hits one query of this kind returned (the page is at most the server's default limit).</summary>
    public int MinHits { get; set; }
    public LatencySummary? Latency { get; set; }
}

/// <summary>What the search scenario built and measured.</summary>
public sealed class SearchReport
{
    public string IndexPath { get; set; } = "";
    public long Messages { get; set; }
    public long BigRoomMessages { get; set; }
    public int OtherRooms { get; set; }
    public bool Reused { get; set; }
    /// <summary>Seconds to write the index (0 when reused).</summary>
    public double BuildSeconds { get; set; }
    /// <summary>The database file and its write-ahead log, after the build.</summary>
    public long IndexBytes { get; set; }
    public List<SearchKindReport> Kinds { get; set; } = [];
}

/// <summary>
/// The search scenario: an SQLite search index with <see cref="BenchOptions.Messages"/> messages in one room (and a
/// tenth as many spread over ten other rooms), written through the server's own <see cref="SqliteSearchIndex"/> in
/// big batches, then searched the way <see cref="SearchService"/> does it: <see cref="SearchQuery.Parse"/>, a scope of
/// the rooms the reader may read, <see cref="ISearchIndex.Find"/> for one more hit than the page. Texts come from a
/// fixed vocabulary with Zipf-like word frequencies and a seeded Random, so every run builds the same index and some
/// words are common, some rare. An index left by an earlier run with the same parameters is reused.
/// </summary>
internal static class SearchBench
{
    public const string BigRoom = "lobby";
    public const int OtherRooms = 10;
    private const int Seed = 20261201;
    private const int BatchSize = 20_000;
    private const int QueriesPerKind = 20;
    private const string Reader = "reader";
    // Bump when the generated texts change, so an index of older texts is rebuilt rather than reused.
    private const int Generation = 1;
    private const int RareEvery = 5000;

    /// <summary>Words outside the vocabulary, each put into one message in every <see cref="RareEvery"/>.</summary>
    private static readonly string[] Rare =
    [
        "zephyr", "quokka", "xylophone", "marzipan", "obelisk", "gazebo", "kumquat", "nebula", "sphinx", "walrus",
        "yodel", "fjord", "origami", "paprika", "quasar", "tundra", "vortex", "wombat", "zucchini", "ukulele",
    ];

    private static readonly DateTimeOffset FirstMessageAt = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string DefaultIndexPath => Path.Combine("bench-results", "search-index", SqliteSearchIndex.FileName);

    public static void Run(BenchOptions options, BenchReport report, CancellationToken ct)
    {
        var path = Path.GetFullPath(options.IndexPath ?? DefaultIndexPath);
        var big = (long)options.Messages;
        var perOtherRoom = Math.Max(1, big / 100);
        var total = big + perOtherRoom * OtherRooms;
        var search = new SearchReport { IndexPath = path, Messages = total, BigRoomMessages = big, OtherRooms = OtherRooms };
        report.Search = search;

        var marker = path + ".complete";
        var wanted = $"generation {Generation}, seed {Seed}, {big} in {BigRoom}, {perOtherRoom} in each of {OtherRooms} others";
        search.Reused = File.Exists(path) && File.Exists(marker) && File.ReadAllText(marker) == wanted;
        if (search.Reused)
        {
            using var existing = SqliteSearchIndex.OpenFile(path);
            search.Reused = existing.Count() == total;
        }
        if (search.Reused)
        {
            options.Log?.Invoke($"reusing the search index {path} ({total:N0} messages)");
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            foreach (var file in new[] { marker, path, path + "-wal", path + "-shm" }) File.Delete(file);
            options.Log?.Invoke($"building the search index {path}: {big:N0} messages in {BigRoom}, {perOtherRoom:N0} in each of {OtherRooms} other rooms ...");
            var started = Stopwatch.GetTimestamp();
            using (var index = SqliteSearchIndex.OpenFile(path))
            {
                Build(index, big, perOtherRoom, options, ct);
            }
            search.BuildSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            File.WriteAllText(marker, wanted);
            options.Log?.Invoke($"built in {search.BuildSeconds:0.0} s");
        }
        search.IndexBytes = new[] { path, path + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

        using (var index = SqliteSearchIndex.OpenFile(path))
        {
            foreach (var kind in Kinds()) search.Kinds.Add(Measure(index, kind, options, ct));
        }
        foreach (var kind in search.Kinds.Where(k => k.MinHits == 0))
            report.Problems.Add($"search: {kind.Kind} ({kind.Example}) found nothing in at least one query");
    }

    /// <summary>The texts, rooms and times of the messages, in the order they are posted, applied in batches.</summary>
    private static void Build(ISearchIndex index, long big, long perOtherRoom, BenchOptions options, CancellationToken ct)
    {
        var random = new Random(Seed);
        var vocabulary = Vocabulary.Create();
        var remaining = new long[OtherRooms + 1];
        remaining[0] = big;
        for (var r = 1; r <= OtherRooms; r++) remaining[r] = perOtherRoom;
        var seqs = new long[OtherRooms + 1];
        var left = remaining.Sum();
        var batch = new List<object>(BatchSize);
        var words = new List<string>(16);
        for (long i = 0; left > 0; i++)
        {
            // A room in proportion to the messages it has still to get: the rooms' messages interleave in time.
            var pick = random.NextInt64(left);
            var room = 0;
            while (pick >= remaining[room]) pick -= remaining[room++];
            remaining[room]--;
            left--;
            var key = RoomKey(room);
            words.Clear();
            var count = random.Next(4, 17);
            for (var w = 0; w < count; w++) words.Add(vocabulary.Next(random));
            // Each rare word once in every RareEvery messages: a few hundred times in a million, at least once in a small run.
            var slot = (int)(i % RareEvery);
            if (slot % (RareEvery / Rare.Length) == 0) words.Insert(random.Next(words.Count + 1), Rare[slot / (RareEvery / Rare.Length)]);
            var sender = $"user{random.Next(1, 51):00}";
            batch.Add(new MessageIndexed(key, ++seqs[room], $"{key}-{seqs[room]}", sender, string.Join(' ', words), FirstMessageAt.AddSeconds(i * 2), null));
            if (batch.Count == BatchSize || left == 0)
            {
                ct.ThrowIfCancellationRequested();
                index.Apply(batch);
                batch.Clear();
                if ((i + 1) % 200_000 < BatchSize) options.Log?.Invoke($"  {i + 1:N0} messages written");
            }
        }
    }

    private static string RoomKey(int room) => room == 0 ? BigRoom : $"room-{room:00}";

    private sealed record Kind(string Name, string[] Queries, string? Room, bool Paging);

    /// <summary>The query kinds, each with the words it cycles through over its runs.</summary>
    private static IEnumerable<Kind> Kinds()
    {
        yield return new Kind("rare word", Rare, null, false);
        yield return new Kind("common word", [.. Vocabulary.Common.Take(5)], null, false);
        yield return new Kind("prefix", ["depl*", "rel*", "conf*", "mig*"], null, false);
        yield return new Kind("two-word phrase", ["\"build failed\"", "\"team build\"", "\"the server\""], null, false);
        yield return new Kind("room-filtered", [.. Vocabulary.Common.Take(5)], RoomKey(3), false);
        yield return new Kind("before paging", [Vocabulary.Common[0]], null, true);
    }

    private static SearchKindReport Measure(ISearchIndex index, Kind kind, BenchOptions options, CancellationToken ct)
    {
        var allRooms = Enumerable.Range(0, OtherRooms + 1).Select(RoomKey).ToArray();
        var scope = kind.Room is null ? new SearchScope(Reader, allRooms) : new SearchScope(Reader, [kind.Room], kind.Room);
        const int limit = SearchService.DefaultLimit;
        long? before = null;
        if (kind.Paging)
        {
            // Page back from deep in the history: start below the oldest of a rare word's 50 newest hits.
            var rare = SearchQuery.Parse(Rare[^1], out _)!;
            before = index.Find(rare, scope, null, 50).LastOrDefault()?.Position;
        }
        var times = new List<double>(QueriesPerKind);
        var minHits = int.MaxValue;
        for (var run = 0; run < QueriesPerKind; run++)
        {
            ct.ThrowIfCancellationRequested();
            var text = kind.Queries[run % kind.Queries.Length];
            var started = Stopwatch.GetTimestamp();
            var query = SearchQuery.Parse(text, out var problem) ?? throw new BenchException($"search: '{text}' does not parse: {problem}");
            // One more than the page tells the server whether there is a next page.
            var hits = index.Find(query, scope, before, limit + 1);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            minHits = Math.Min(minHits, Math.Min(hits.Count, limit));
            if (kind.Paging) before = hits.Count > limit ? hits[limit - 1].Position : null;
        }
        times.Sort();
        var result = new SearchKindReport
        {
            Kind = kind.Name,
            Example = string.Join(", ", kind.Queries.Take(3)) + (kind.Queries.Length > 3 ? ", …" : "") + (kind.Room is null ? "" : $" in {kind.Room}")
                + (kind.Paging ? " (paging with before)" : ""),
            Queries = times.Count,
            MinHits = minHits,
            Latency = new LatencySummary(times.Count, Rank(times, 0.5), Rank(times, 0.9), Rank(times, 0.99), Rank(times, 0.999), times[^1]),
        };
        options.Log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"  {result.Kind,-16} median {result.Latency.P50:0.00} ms, p90 {result.Latency.P90:0.00}, p99 {result.Latency.P99:0.00}, max {result.Latency.Max:0.00} ({result.MinHits}+ hits each)"));
        return result;
    }

    /// <summary>Nearest-rank quantile of sorted values.</summary>
    private static double Rank(List<double> sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>
    /// Words with Zipf-like frequencies (the k-th word about 1/k as often as the first): a list of chat words first,
    /// then made-up words from syllables for the long tail.
    /// </summary>
    private sealed class Vocabulary
    {
        private const int Size = 5000;

        public static readonly string[] Common = ["the", "server", "build", "team", "failed"];

        private static readonly string[] Chat =
        [
            .. Common, "is", "to", "and", "we", "it", "request", "merge", "for", "on", "deploy", "release", "a", "this", "test", "in",
            "config", "deployed", "of", "fix", "can", "staging", "deployment", "migration", "that", "please", "review", "room", "branch",
            "today", "error", "done", "rollback", "should", "log", "migrate", "ticket", "release", "check", "deploying", "configure",
            "ok", "yes", "no", "thanks", "lunch", "meeting", "later", "now", "again", "issue", "cache", "queue", "latency", "disk",
            "memory", "network", "router", "database", "index", "search", "query", "page", "user", "client", "socket", "timeout",
            "retry", "alert", "pager", "oncall", "weekend", "coffee", "docs", "readme", "design", "plan", "sprint", "demo", "relaunch",
            "reload", "relay", "confirm", "conflict", "mighty", "migrating", "deployer", "deplete",
        ];

        private static readonly string[] Syllables = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "va", "ze", "qu", "bri", "dro", "fla", "gno", "ply"];

        private readonly string[] _words;
        private readonly double[] _cumulative;

        private Vocabulary(string[] words)
        {
            _words = words;
            _cumulative = new double[words.Length];
            var sum = 0.0;
            for (var k = 0; k < words.Length; k++) _cumulative[k] = sum += 1.0 / (k + 1);
        }

        public static Vocabulary Create()
        {
            var words = new List<string>(Chat.Distinct());
            var seen = new HashSet<string>(words);
            var made = new Random(Seed + 1);
            while (words.Count < Size)
            {
                var word = string.Concat(Enumerable.Range(0, made.Next(3, 5)).Select(_ => Syllables[made.Next(Syllables.Length)]));
                if (seen.Add(word)) words.Add(word);
            }
            return new Vocabulary([.. words]);
        }

        public string Next(Random random)
        {
            var at = Array.BinarySearch(_cumulative, random.NextDouble() * _cumulative[^1]);
            return _words[at < 0 ? Math.Min(~at, _words.Length - 1) : at];
        }
    }
}
