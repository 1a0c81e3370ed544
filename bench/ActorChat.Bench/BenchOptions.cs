namespace ActorChat.Bench;

/// <summary>The workloads the bench knows. Each has defaults; any parameter can be overridden.</summary>
public enum Scenario
{
    Smoke,
    Fanout,
    ManyRooms,
    Light,
    Idle,
    Hostile,
    FirstJoin,
    Search,
}

/// <summary>
/// What one bench run does. Start from <see cref="ForScenario"/> and override with <c>with { ... }</c>.
/// When <see cref="Port"/> is set the bench targets a running server at <see cref="Host"/>:<see cref="Port"/>;
/// otherwise it starts the server itself from <see cref="ServerDll"/> (or the one found in the repository).
/// </summary>
public sealed record BenchOptions
{
    public Scenario Scenario { get; init; } = Scenario.Smoke;

    /// <summary>Clients to connect, identify and join.</summary>
    public int Clients { get; init; }

    /// <summary>Rooms; client i joins room i % Rooms.</summary>
    public int Rooms { get; init; }

    /// <summary>How many clients send: clients 0 .. Senders-1 (spread round-robin over the rooms).</summary>
    public int Senders { get; init; }

    /// <summary>Messages each sender says.</summary>
    public int Messages { get; init; }

    /// <summary>Messages per second per sender, paced; 0 = as fast as the window allows.</summary>
    public double Rate { get; init; }

    /// <summary>With <see cref="Rate"/> 0: the most own messages a sender has said but not yet seen echoed.</summary>
    public int Window { get; init; } = 10;

    /// <summary>Characters per message text (at least <see cref="Payload.MinTextLength"/>).</summary>
    public int TextLength { get; init; } = 100;

    /// <summary>Connections being set up (connect + hello + join) at the same time.</summary>
    public int ConnectConcurrency { get; init; } = 64;

    /// <summary>Hard limit for each phase (connect, deliver); past it the run is reported as incomplete.</summary>
    public double DeadlineSeconds { get; init; } = 60;

    /// <summary>Idle scenario: how long the connections stay idle before the server's memory is read.</summary>
    public double IdleSeconds { get; init; }

    /// <summary>Client sockets bind to 127.0.0.2 .. 127.0.0.(1+N) in turn (loopback targets only); 0 = let the OS choose.</summary>
    public int SourceAddresses { get; init; } = 50;

    /// <summary>Decode every frame with FrameCodec instead of the lean reader for message frames (to see what decoding costs).</summary>
    public bool FullDecode { get; init; }

    /// <summary>
    /// Wait for data with a zero-byte receive and rent a buffer only while reading (cheap in memory, one more
    /// wake-up per read); null = on for 4,000 clients or more and for runs without senders.
    /// </summary>
    public bool? ZeroByteReceives { get; init; }

    /// <summary>Target host (IP or name). Used with <see cref="Port"/>; also the address a started server is reached at.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Port of a running server to target; null = start a server as a child process.</summary>
    public int? Port { get; init; }

    /// <summary>Pid of the targeted server, for its CPU time and memory from /proc; null = not measured.</summary>
    public int? ServerPid { get; init; }

    /// <summary>Path of ActorChat.Server.dll to start; null = look for a build in the repository.</summary>
    public string? ServerDll { get; init; }

    /// <summary>Extra arguments for a started server, e.g. "--outbound-limit=1000"; they come after the scenario's, so they win.</summary>
    public IReadOnlyList<string> ServerArgs { get; init; } = [];

    /// <summary>
    /// The started server's flood control (frames per second per connection; 0 = off); null = the server's own
    /// default (10/s). Scenarios that send faster than that per client turn it off, as the IRC servers they are
    /// compared with are measured without fake lag.
    /// </summary>
    public double? ServerFloodRate { get; init; }

    /// <summary>The arguments a started server gets besides its port: the scenario's, then <see cref="ServerArgs"/>.</summary>
    public IReadOnlyList<string> StartedServerArgs =>
        ServerFloodRate is { } rate
            ? ["--flood-rate", rate.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture), .. ServerArgs]
            : ServerArgs;

    /// <summary>
    /// Hostile scenario: the most own says the flooder has in flight (sent, echo not yet back); 0 = flat out, as
    /// fast as its socket takes them. A window keeps the flooder's input queued in the server small.
    /// </summary>
    public int FlooderWindow { get; init; }

    /// <summary>
    /// Start this many servers as one cluster on loopback, on one throw-away PostgreSQL (scripts/test-postgres.sh),
    /// and spread each room's members over them; null: one server of its own, as without cluster mode.
    /// </summary>
    public int? Nodes { get; init; }

    /// <summary>Search scenario: the SQLite search index file to build or reuse; null = <see cref="SearchBench.DefaultIndexPath"/>.</summary>
    public string? IndexPath { get; init; }

    /// <summary>Do not build the server before starting it (use the Release build as it is).</summary>
    public bool NoBuild { get; init; }

    /// <summary>Before starting, wait up to this long for the machine to be quiet (other processes under 0.3 cores).</summary>
    public double WaitQuietSeconds { get; init; }

    /// <summary>Print the started server's output lines as they come.</summary>
    public bool ServerLog { get; init; }

    /// <summary>Where progress lines go; null = nowhere.</summary>
    public Action<string>? Log { get; init; }

    public static BenchOptions ForScenario(Scenario scenario) => scenario switch
    {
        Scenario.Smoke => new BenchOptions
        {
            Scenario = scenario, Clients = 20, Rooms = 2, Senders = 20, Messages = 5, Rate = 0, Window = 5,
            TextLength = 60, DeadlineSeconds = 15, ServerFloodRate = 0,
        },
        Scenario.Fanout => new BenchOptions
        {
            Scenario = scenario, Clients = 1000, Rooms = 1, Senders = 10, Messages = 500, Rate = 0, Window = 10,
            TextLength = 100, DeadlineSeconds = 60, ServerFloodRate = 0,
        },
        Scenario.ManyRooms => new BenchOptions
        {
            Scenario = scenario, Clients = 2000, Rooms = 200, Senders = 2000, Messages = 50, Rate = 20,
            TextLength = 100, DeadlineSeconds = 60, ServerFloodRate = 0,
        },
        Scenario.Light => new BenchOptions
        {
            Scenario = scenario, Clients = 100, Rooms = 10, Senders = 100, Messages = 20, Rate = 5,
            TextLength = 100, DeadlineSeconds = 30,
        },
        Scenario.Idle => new BenchOptions
        {
            Scenario = scenario, Clients = 10_000, Rooms = 100, Senders = 0, Messages = 0, Rate = 0,
            IdleSeconds = 5, DeadlineSeconds = 60,
        },
        // 200 readers in one room with 10 honest senders under the flood rate (8/s, 2,000 characters: enough that a
        // client that does not read is over the outbound limit within seconds), for 25 s; flood control at the
        // server's defaults. The flooder, the never-reader and the canary come on top (HostileCrowd).
        Scenario.Hostile => new BenchOptions
        {
            Scenario = scenario, Clients = 200, Rooms = 1, Senders = 10, Messages = 200, Rate = 8,
            TextLength = 2000, DeadlineSeconds = 60,
        },
        // One client, a fresh server: hello, then a join of a new room as the first thing the server does.
        Scenario.FirstJoin => new BenchOptions
        {
            Scenario = scenario, Clients = 1, Rooms = 1, Senders = 0, Messages = 0, DeadlineSeconds = 60,
        },
        // No server: the server's search index class, written and queried in this process. Messages = the big room's.
        Scenario.Search => new BenchOptions
        {
            Scenario = scenario, Clients = 1, Rooms = 1, Senders = 0, Messages = 1_000_000, DeadlineSeconds = 600,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };

    public static string NameOf(Scenario scenario) => scenario switch
    {
        Scenario.ManyRooms => "many-rooms",
        Scenario.FirstJoin => "first-join",
        _ => scenario.ToString().ToLowerInvariant(),
    };

    public static bool TryParseScenario(string text, out Scenario scenario)
    {
        foreach (var s in Enum.GetValues<Scenario>())
        {
            if (string.Equals(NameOf(s), text, StringComparison.OrdinalIgnoreCase))
            {
                scenario = s;
                return true;
            }
        }
        scenario = default;
        return false;
    }

    /// <summary>Null when the options make sense, else what is wrong.</summary>
    public string? Validate()
    {
        if (Clients < 1) return "--clients must be at least 1.";
        if (Nodes is < 1 or > 5) return "--nodes must be between 1 and 5.";
        if (Nodes is not null && Port is not null) return "--nodes starts its own servers: not with --target.";
        if (Nodes is not null && Scenario is Scenario.Hostile or Scenario.FirstJoin) return "--nodes is for the scenarios that say and deliver, not hostile or first-join.";
        if (Rooms < 1 || Rooms > Clients) return "--rooms must be between 1 and --clients.";
        if (Senders < 0 || Senders > Clients) return "--senders must be between 0 and --clients.";
        if (Messages < 0) return "--messages must not be negative.";
        if (Scenario == Scenario.Search && Messages < 1) return "--messages (the big room's messages) must be at least 1 for the search scenario.";
        if (Scenario == Scenario.Search && (Nodes is not null || Port is not null)) return "the search scenario runs no server: not with --nodes or --target.";
        if (Senders > 0 && Messages == 0) return "--messages must be at least 1 when there are senders.";
        if (Rate < 0) return "--rate must not be negative.";
        if (Window < 1) return "--window must be at least 1.";
        if (TextLength < Payload.MinTextLength || TextLength > ActorChat.Messages.Protocol.MaxTextLength)
            return $"--text-length must be between {Payload.MinTextLength} and {ActorChat.Messages.Protocol.MaxTextLength}.";
        if (ConnectConcurrency < 1) return "--connect-concurrency must be at least 1.";
        if (DeadlineSeconds <= 0) return "--deadline-seconds must be positive.";
        if (WaitQuietSeconds < 0) return "--wait-quiet must not be negative.";
        if (FlooderWindow < 0) return "--flooder-window must not be negative.";
        if (IdleSeconds < 0) return "--idle-seconds must not be negative.";
        if (SourceAddresses is < 0 or > 250) return "--source-addresses must be between 0 and 250.";
        if (ServerFloodRate is < 0 || (ServerFloodRate is { } f && f != Math.Floor(f)))
            return "--flood-rate must be a whole number of frames per second (0 = off) or 'default'.";
        if (Port is < 1 or > 65535) return "--target port must be between 1 and 65535.";
        return null;
    }
}
