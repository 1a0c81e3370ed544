using ActorChat.Server.Transport;

namespace ActorChat.Server.Configuration;

/// <summary>Everything the server needs to know at start, read once from HOCON, environment and flags.</summary>
public sealed record ServerSettings(
    string ServerName,
    TcpTransportSettings Tcp,
    WebTransportSettings Web,
    RoomSettings Rooms,
    SessionSettings Sessions,
    DiscoverySettings Discovery,
    PersistenceSettings Persistence)
{
    /// <summary>How many connections one source address may hold and open, over TCP and WebSocket together.</summary>
    public ConnectionLimitSettings Limits { get; init; } = ConnectionLimitSettings.Default;

    /// <summary>Accounts, their mode and the operators.</summary>
    public AccountSettings Accounts { get; init; } = AccountSettings.Open;

    /// <summary>The TLS listener for terminal clients and the certificate it and the web chat's HTTPS use; off unless set.</summary>
    public TlsSettings Tls { get; init; } = TlsSettings.Off;

    /// <summary>Cluster mode (off: one node on its own, without Akka.Remote or Akka.Cluster).</summary>
    public ClusterSettings Cluster { get; init; } = ClusterSettings.Off;

    /// <summary>Metrics, health checks and the warnings' budget, for whoever runs the server.</summary>
    public OperationsSettings Operations { get; init; } = OperationsSettings.Default;

    /// <summary>The message search index: whether to rebuild it at start, and how its feed is batched.</summary>
    public SearchSettings Search { get; init; } = SearchSettings.Default;
    /// <summary>File sharing's limits.</summary>
    public FileSettings Files { get; init; } = FileSettings.Default;

    /// <summary>Whether anything serves TLS (the TLS listener or the web chat's HTTPS), so a certificate is needed.</summary>
    public bool NeedsCertificate => Tls.Enabled || (Web.Enabled && Web.TlsEnabled);
}

/// <summary>
/// The TLS listener for terminal clients, on the TCP bind address. <see cref="Port"/> is a port number,
/// <see cref="Disabled"/> (no TLS listener) or <see cref="AutoPort"/> (a free port the OS picks).
/// <see cref="CertificateFile"/> is a PEM file holding certificate and key, or a PKCS#12 (PFX) file; when it is
/// null a self-signed certificate is generated on first start and kept in the data directory.
/// </summary>
/// <param name="HandshakeTimeout">A client must finish the TLS handshake within this long or it is dropped.</param>
public sealed record TlsSettings(int Port, string? CertificateFile, string? CertificatePassword, TimeSpan HandshakeTimeout)
{
    public const int Disabled = 0;
    public const int AutoPort = -1;

    public static readonly TlsSettings Off = new(Disabled, null, null, TimeSpan.FromSeconds(10));

    public bool Enabled => Port != Disabled;
}

/// <summary>
/// Limits per source address (IPv6: per /64), over both transports. 0 turns a limit off. Addresses in
/// <see cref="ExemptAddresses"/> (single addresses or CIDR ranges) are never limited.
/// </summary>
public sealed record ConnectionLimitSettings(
    int MaxConnectionsPerAddress,
    double ConnectionsPerSecondPerAddress,
    IReadOnlyList<string> ExemptAddresses)
{
    public static readonly ConnectionLimitSettings Default = new(32, 20, ["127.0.0.0/8", "::1"]);
}

/// <summary>Where and how the TCP transport listens. <see cref="Port"/> <see cref="AutoPort"/> (0) lets the OS pick; <see cref="Off"/> turns plain TCP off (TLS and the web chat may still listen).</summary>
/// <param name="SendBufferBytes">The kernel send buffer of each connection; with the outbound limit it bounds what a slow client costs. 0 keeps the OS default.</param>
public sealed record TcpTransportSettings(string Bind, int Port, int Backlog, int SendBufferBytes)
{
    public const int Off = -1;
    public const int AutoPort = 0;

    public bool Enabled => Port != Off;
}

/// <summary>
/// Where the web front end (chat page, WebSocket, health and status) listens. <see cref="Port"/> is a port
/// number, <see cref="Disabled"/> (no web server) or <see cref="AutoPort"/> (a free port the OS picks).
/// </summary>
public sealed record WebTransportSettings(string Bind, int Port)
{
    public const int Disabled = 0;
    public const int AutoPort = -1;

    public bool Enabled => Port != Disabled;

    /// <summary>Origins (e.g. "https://chat.example.org") of pages besides the server's own that may open /ws.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>The HTTPS (and WSS) port of the web chat: a port number, <see cref="Disabled"/> or <see cref="AutoPort"/>.</summary>
    public int TlsPort { get; init; } = Disabled;

    /// <summary>Plain HTTP only redirects to HTTPS (needs <see cref="TlsPort"/>).</summary>
    public bool TlsOnly { get; init; }

    public bool TlsEnabled => TlsPort != Disabled;
}

/// <param name="HistorySize">Messages a joiner gets, and the window of recent messages a room keeps in memory.</param>
/// <param name="SnapshotEvery">A room saves a snapshot after this many stored messages, so recovery stays short.</param>
/// <param name="MaxPendingWrites">Messages of one room that may wait for the database; past that senders get busy.</param>
/// <param name="MaxRooms">Rooms the server may have; past that a join of a new room gets too_many_rooms.</param>
/// <param name="CreationsPerMinute">New rooms one connection may create within a minute (a sliding window).</param>
public sealed record RoomSettings(
    int HistorySize,
    int SnapshotEvery = 1000,
    int MaxPendingWrites = 20_000,
    int MaxRooms = 10_000,
    int CreationsPerMinute = 10)
{
    /// <summary>A room with no members and nothing in flight for this long is stopped; it recovers on the next command.</summary>
    public TimeSpan PassivateAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// During a burst of joins and leaves, presence batches of a room are at least this far apart per member
    /// (a room of 100 waits 100 times as long), up to <see cref="PresenceSpacingMax"/>; zero sends each at once.
    /// </summary>
    public TimeSpan PresenceSpacingPerMember { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest presence waits to go out with others.</summary>
    public TimeSpan PresenceSpacingMax { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>Where rooms keep their messages.</summary>
public enum StoreKind
{
    /// <summary>An embedded SQLite file under <see cref="PersistenceSettings.DataDirectory"/> (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server reached through <see cref="PersistenceSettings.PostgresConnectionString"/>.</summary>
    Postgres,

    /// <summary>Nothing survives a restart: for benchmarks and tests, and only when asked for.</summary>
    InMemory,
}

/// <param name="StartupCheckTimeout">How long the start-up check may wait for the database before giving up.</param>
public sealed record PersistenceSettings(
    StoreKind Store,
    string DataDirectory,
    string? PostgresConnectionString,
    TimeSpan StartupCheckTimeout)
{
    public const string SqliteFileName = "actorchat.db";

    /// <summary>
    /// Whether the journal may create its tables: only in a new database (the start-up check decides), so that an
    /// existing one that lost a table is an error rather than silently emptied.
    /// </summary>
    public bool CreateTables { get; init; } = true;

    /// <summary>The SQLite database file, resolved against the working directory.</summary>
    public string SqliteFile => Path.GetFullPath(Path.Combine(DataDirectory, SqliteFileName));
}

/// <summary>Limits that every session and its transport enforce, whatever the transport.</summary>
/// <param name="OutboundLimitBytes">A client may fall behind by this much for up to <see cref="SlowConsumerTimeout"/>.</param>
/// <param name="OutboundHardLimitBytes">A client that falls behind by more than this is cut off at once (null: 8 × the outbound limit).</param>
/// <param name="Flood">Flood control per connection (null: the defaults).</param>
/// <param name="HelloTimeout">A connection must identify within this long (zero: no limit).</param>
/// <param name="PingInterval">A connection silent this long is pinged, and closed when silent as long again (zero: never).</param>
public sealed record SessionSettings(
    int MaxFrameBytes,
    long OutboundLimitBytes,
    int MaxRoomsPerSession,
    TimeSpan CloseGracePeriod,
    FloodSettings? FloodControl = null,
    TimeSpan? Hello = null,
    TimeSpan? Ping = null,
    long? OutboundHardLimit = null,
    TimeSpan? SlowConsumer = null,
    string? Default = null,
    TimeSpan? AnswerWait = null)
{
    /// <summary>The room every client starts in (the welcome frame names it), so newcomers meet.</summary>
    public string DefaultRoom => Default ?? "general";

    /// <summary>How long a session waits for the answer to a request before it reports it unanswered and goes on.</summary>
    public TimeSpan AnswerTimeout => AnswerWait ?? TimeSpan.FromSeconds(30);

    public FloodSettings Flood => FloodControl ?? FloodSettings.Default;

    public TimeSpan HelloTimeout => Hello ?? TimeSpan.FromSeconds(30);

    public TimeSpan PingInterval => Ping ?? TimeSpan.FromSeconds(60);

    public long OutboundHardLimitBytes => OutboundHardLimit ?? OutboundLimitBytes * 8;

    public TimeSpan SlowConsumerTimeout => SlowConsumer ?? TimeSpan.FromSeconds(10);
}

/// <summary>
/// LAN discovery over UDP. <see cref="UdpPort"/> 0 turns it off. <see cref="WebPort"/> is announced to clients
/// (null while the server has no web front end). A source address gets at most <see cref="RepliesBurst"/>
/// answers at once and <see cref="RepliesPerSecond"/> after that; at most <see cref="TrackedAddresses"/>
/// addresses are remembered for this. All addresses together get at most <see cref="GlobalRepliesBurst"/> answers
/// at once and <see cref="GlobalRepliesPerSecond"/> after that. The UDP port is bound on <see cref="Bind"/>
/// (the TCP bind address); only 0.0.0.0 receives broadcasts.
/// </summary>
public sealed record DiscoverySettings(
    int UdpPort,
    int? WebPort,
    double RepliesPerSecond,
    int RepliesBurst,
    int TrackedAddresses,
    double GlobalRepliesPerSecond = 50,
    int GlobalRepliesBurst = 50,
    string Bind = "0.0.0.0")
{
    public bool Enabled => UdpPort != 0;
}

/// <summary>How the server's meter is exported: not at all, scraped by Prometheus at /metrics, or pushed over OTLP.</summary>
public enum MetricsExporter { Off, Prometheus, Otlp }

/// <summary>
/// For whoever runs the server (docs/operations.md). <see cref="MetricsAllowed"/> are the addresses and CIDR
/// ranges that may scrape /metrics. Readiness fails while the data directory's disk has less than
/// <see cref="MinFreeDiskBytes"/> free or the store does not answer within <see cref="StoreTimeout"/>. Warnings
/// about floods and slow consumers are at most <see cref="WarningsPerInterval"/> lines per <see cref="WarningInterval"/>.
/// </summary>
public sealed record OperationsSettings(
    MetricsExporter Metrics,
    Uri? OtlpEndpoint,
    IReadOnlyList<string> MetricsAllowed,
    long MinFreeDiskBytes,
    TimeSpan StoreTimeout,
    int WarningsPerInterval,
    TimeSpan WarningInterval)
{
    public static readonly OperationsSettings Default = new(MetricsExporter.Prometheus, null, ["127.0.0.0/8", "::1"],
        64L << 20, TimeSpan.FromSeconds(3), 20, TimeSpan.FromSeconds(10));
}

/// <summary>The message search index.</summary>
/// <param name="Reindex">Rebuild the index from the journal at start, before serving (--reindex).</param>
/// <param name="QueueLimit">Changes waiting for the index at most; beyond it they are dropped, counted and warned about.</param>
/// <param name="BatchSize">Changes written to the index in one transaction at most.</param>
public sealed record SearchSettings(bool Reindex, int QueueLimit, int BatchSize, TimeSpan GatherDelay)
{
    public static readonly SearchSettings Default = new(false, 10_000, 500, TimeSpan.FromMilliseconds(200));
}
