using ActorChat.Messages;
using System.Collections;
using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using ActorChat.CommandLine;
using Akka.Configuration;

namespace ActorChat.Server.Configuration;

/// <summary>
/// The outcome of reading the command line: settings to run with, a text to print and exit 0 with (--help,
/// --version), or an error.
/// </summary>
public sealed record LoadResult(ServerSettings? Settings, Config? Config, string? Error, string? Output, Microsoft.Extensions.Logging.LogLevel LogLevel);

/// <summary>
/// Reads the settings once at start: HOCON defaults from hocon/, then environment variables, then flags.
/// </summary>
public static class SettingsLoader
{
    /// <summary>One overridable setting: its flag, its environment variable and the HOCON path it sets.</summary>
    /// <param name="Minimum">For counts and sizes: the smallest value a flag or variable may give.</param>
    /// <param name="Form">For text: what the value is, in error messages.</param>
    /// <param name="Placeholder">For text: how help names the value.</param>
    /// <param name="Choices">For text: the only values it may take, if limited.</param>
    private sealed record Setting(string Flag, string Env, string Path, SettingKind Kind, string Help, long Minimum = 0, long Maximum = long.MaxValue, string? Form = null, string? Placeholder = null, string[]? Choices = null)
    {
        public string HelpName => Placeholder ?? Kind switch
        {
            SettingKind.Port or SettingKind.WebPort or SettingKind.OptionalPort or SettingKind.PlainPort => "PORT",
            SettingKind.Address => "ADDRESS",
            SettingKind.Count => "N",
            SettingKind.Size => "SIZE",
            SettingKind.Seconds => "SECONDS",
            SettingKind.List => "LIST",
            _ => "TEXT",
        };

        /// <summary>The accepted form, as error messages say it.</summary>
        public string Expected => Kind switch
        {
            SettingKind.Port => "a port number from 0 to 65535",
            SettingKind.WebPort => "a port number from 0 to 65535 (0 turns the web chat off) or 'auto'",
            SettingKind.OptionalPort => "a port number from 0 to 65535 (0 turns it off) or 'auto'",
            SettingKind.PlainPort => "a port number from 0 to 65535 (0 or 'off' turns it off) or 'auto'",
            SettingKind.Address => "an IP address such as 0.0.0.0 or 127.0.0.1",
            SettingKind.Count => $"a whole number from {Minimum} to {Maximum}",
            SettingKind.Size => Maximum == long.MaxValue
                ? $"a size in bytes of at least {Minimum}, such as 65536, 64KiB or 1MiB"
                : $"a size in bytes from {Minimum} to {Maximum}, such as 65536 or 64KiB",
            SettingKind.Seconds => "a number of seconds such as 30 or 0.5",
            SettingKind.List => "a comma-separated list",
            _ => Form ?? "a value",
        };
    }

    private enum SettingKind { Text, Address, Port, WebPort, OptionalPort, PlainPort, Count, Size, Seconds, List }

    private static readonly Setting[] Settings =
    [
        new("--port", "ACTORCHAT_PORT", "actorchat.tcp.port", SettingKind.PlainPort, "TCP port for chat clients (default 12345; 0 or off turns plain TCP off; auto picks a free one)"),
        new("--udp-port", "ACTORCHAT_UDP_PORT", "actorchat.discovery.udp-port", SettingKind.Port, "UDP port for LAN discovery (default 12345; 0 turns discovery off)"),
        new("--bind", "ACTORCHAT_BIND", "actorchat.tcp.bind", SettingKind.Address, "address to listen on (default 0.0.0.0)"),
        new("--web-port", "ACTORCHAT_WEB_PORT", "actorchat.web.port", SettingKind.WebPort, "HTTP port of the web chat (default 8080; 0 turns it off; auto picks a free one)"),
        new("--web-bind", "ACTORCHAT_WEB_BIND", "actorchat.web.bind", SettingKind.Address, "address the web chat listens on (default: the --bind address)"),
        new("--web-allowed-origins", "ACTORCHAT_WEB_ALLOWED_ORIGINS", "actorchat.web.allowed-origins", SettingKind.List, "origins of other pages that may open /ws, comma-separated, e.g. https://chat.example.org"),
        new("--tls-port", "ACTORCHAT_TLS_PORT", "actorchat.tls.port", SettingKind.OptionalPort, "TLS port for chat clients (default 12346; 0 turns it off; auto picks a free one)"),
        new("--tls-cert", "ACTORCHAT_TLS_CERT", "actorchat.tls.certificate", SettingKind.Text, "certificate for TLS and HTTPS: a PEM file with its key, or a .pfx (default: self-signed, kept in the data directory)", Form: "a certificate file", Placeholder: "FILE"),
        new("--tls-cert-password", "ACTORCHAT_TLS_CERT_PASSWORD", "actorchat.tls.certificate-password", SettingKind.Text, "password of the --tls-cert file (prefer the environment variable)", Form: "a password", Placeholder: "PASSWORD"),
        new("--web-tls-port", "ACTORCHAT_WEB_TLS_PORT", "actorchat.web.tls-port", SettingKind.OptionalPort, "HTTPS port of the web chat (default 8443; 0 turns it off; auto picks a free one)"),
        new("--name", "ACTORCHAT_NAME", "actorchat.server-name", SettingKind.Text, "server name shown to clients (default ActorChat)", Form: "a server name", Placeholder: "NAME"),
        new("--history", "ACTORCHAT_HISTORY", "actorchat.rooms.history-size", SettingKind.Count, "messages a room keeps for newcomers (default 100)", Maximum: int.MaxValue),
        new("--max-rooms", "ACTORCHAT_MAX_ROOMS", "actorchat.rooms.max-rooms", SettingKind.Count, "rooms the server may have (default 10000)", Minimum: 1, Maximum: int.MaxValue),
        new("--default-room", "ACTORCHAT_DEFAULT_ROOM", "actorchat.sessions.default-room", SettingKind.Text, "the room every client starts in (default general)", Form: "a room name", Placeholder: "ROOM"),
        new("--max-frame", "ACTORCHAT_MAX_FRAME", "actorchat.sessions.max-frame", SettingKind.Size, "longest line a client may send, e.g. 65536 or 64KiB", Minimum: 256, Maximum: int.MaxValue),
        new("--outbound-limit", "ACTORCHAT_OUTBOUND_LIMIT", "actorchat.sessions.outbound-limit", SettingKind.Size, "bytes queued for a client before it is cut off, e.g. 1MiB", Minimum: 1024),
        new("--flood-rate", "ACTORCHAT_FLOOD_RATE", "actorchat.limits.flood-rate", SettingKind.Count, "frames per second one connection may send (default 10; 0 turns flood control off)", Maximum: int.MaxValue),
        new("--flood-burst", "ACTORCHAT_FLOOD_BURST", "actorchat.limits.flood-burst", SettingKind.Count, "frames one connection may send in a burst (default 20)", Minimum: 1, Maximum: int.MaxValue),
        new("--hello-timeout", "ACTORCHAT_HELLO_TIMEOUT", "actorchat.limits.hello-timeout", SettingKind.Seconds, "seconds a connection has to say hello (default 30; 0: no limit)"),
        new("--ping-interval", "ACTORCHAT_PING_INTERVAL", "actorchat.limits.ping-interval", SettingKind.Seconds, "seconds of silence before a ping; as long again closes (default 60; 0: never)"),
        new("--max-connections-per-address", "ACTORCHAT_MAX_CONNECTIONS_PER_ADDRESS", "actorchat.limits.max-connections-per-address", SettingKind.Count, "connections one address may have open, TCP and WebSocket together (default 32; 0: no limit)", Maximum: int.MaxValue),
        new("--connections-per-second-per-address", "ACTORCHAT_CONNECTIONS_PER_SECOND_PER_ADDRESS", "actorchat.limits.connections-per-second-per-address", SettingKind.Count, "new connections one address may open a second (default 20; 0: no limit)", Maximum: int.MaxValue),
        new("--exempt-addresses", "ACTORCHAT_EXEMPT_ADDRESSES", "actorchat.limits.exempt-addresses", SettingKind.List, "addresses or CIDR ranges never limited, comma-separated (default 127.0.0.0/8,::1; \"\" exempts none)"),
        new("--metrics", "ACTORCHAT_METRICS", "actorchat.metrics.exporter", SettingKind.Text, "off, prometheus (scrape /metrics on the web port; the default) or otlp (push to --otlp-endpoint)", Form: "off, prometheus or otlp", Placeholder: "EXPORTER", Choices: ["off", "prometheus", "otlp"]),
        new("--otlp-endpoint", "ACTORCHAT_OTLP_ENDPOINT", "actorchat.metrics.otlp-endpoint", SettingKind.Text, "where --metrics otlp sends metrics (OTLP over HTTP), e.g. http://127.0.0.1:4318", Form: "an http:// or https:// URL", Placeholder: "URL"),
        new("--metrics-allowed", "ACTORCHAT_METRICS_ALLOWED", "actorchat.metrics.allowed", SettingKind.List, "addresses or CIDR ranges that may scrape /metrics, comma-separated (default 127.0.0.0/8,::1)"),
        new("--accounts", "ACTORCHAT_ACCOUNTS", "actorchat.accounts.mode", SettingKind.Text, "open (no accounts), optional (registered names need their password; the default) or required (accounts only)", Form: "open, optional or required", Placeholder: "MODE", Choices: ["open", "optional", "required"]),
        new("--max-accounts", "ACTORCHAT_MAX_ACCOUNTS", "actorchat.accounts.max-accounts", SettingKind.Count, "accounts the server may have (default 100000); past that, register gets too_many_accounts", Maximum: int.MaxValue),
        new("--max-upload", "ACTORCHAT_MAX_UPLOAD", "actorchat.files.max-upload", SettingKind.Size, "largest file one upload may be, e.g. 25MiB (the default)", Minimum: 1),
        new("--upload-quota", "ACTORCHAT_UPLOAD_QUOTA", "actorchat.files.upload-quota", SettingKind.Size, "what one user's uploaded files may add up to, e.g. 500MiB (the default)", Minimum: 1),
        new("--data-dir", "ACTORCHAT_DATA_DIR", "actorchat.persistence.data-dir", SettingKind.Text, "keep rooms in a SQLite database in this directory (default ./data)", Form: "a directory", Placeholder: "DIR"),
        new("--cluster-port", "ACTORCHAT_CLUSTER_PORT", "actorchat.cluster.port", SettingKind.Port, "Akka.Remote port of this node in cluster mode (default 4053; 0 picks a free one)"),
        new("--cluster-host", "ACTORCHAT_CLUSTER_HOST", "actorchat.cluster.host", SettingKind.Text, "the address other nodes reach this one at in cluster mode (default 127.0.0.1)", Form: "a host name or IP address", Placeholder: "HOST"),
        new("--seed-nodes", "ACTORCHAT_SEED_NODES", "actorchat.cluster.seed-nodes", SettingKind.List, "nodes to join through in cluster mode, comma-separated host:port; the node listed first forms the cluster (default: none, this node forms its own)"),
        new("--management-port", "ACTORCHAT_MANAGEMENT_PORT", "actorchat.cluster.bootstrap.management-port", SettingKind.Port, "with --bootstrap: the HTTP port of this node's management endpoint, on --cluster-host (default 8558; 0 picks a free one)"),
        new("--contact-points", "ACTORCHAT_CONTACT_POINTS", "actorchat.cluster.bootstrap.contact-points", SettingKind.List, "with --bootstrap: the management endpoints of the cluster's nodes, comma-separated host:port, this node's among them"),
        new("--required-contact-points", "ACTORCHAT_REQUIRED_CONTACT_POINTS", "actorchat.cluster.bootstrap.required-contact-points", SettingKind.Count, "with --bootstrap: contact points that must answer before a new cluster forms (default 0: all of them)", Maximum: 1000),
        new("--postgres", "ACTORCHAT_POSTGRES", "actorchat.persistence.postgres", SettingKind.Text, "keep rooms in PostgreSQL: a connection string \"Host=...;Database=...\"", Form: "a connection string such as \"Host=...;Database=...\"", Placeholder: "CONNECTION"),
    ];

    private const string OperatorFlag = "--operator";
    private const string OperatorsEnv = "ACTORCHAT_OPERATORS";
    private const string InMemoryFlag = "--in-memory";
    private const string WebTlsOnlyFlag = "--web-tls-only";
    private const string WebTlsOnlyEnv = "ACTORCHAT_WEB_TLS_ONLY";
    private const string InMemoryEnv = "ACTORCHAT_IN_MEMORY";
    private const string ReindexFlag = "--reindex";
    private const string ReindexEnv = "ACTORCHAT_REINDEX";
    private const string ClusterFlag = "--cluster";
    private const string ClusterEnv = "ACTORCHAT_CLUSTER";
    private const string BootstrapFlag = "--bootstrap";
    private const string BootstrapEnv = "ACTORCHAT_BOOTSTRAP";
    private const string ConfigEnv = "ACTORCHAT_CONFIG";
    private const string LogLevelEnv = "ACTORCHAT_LOG_LEVEL";
    private const string LogLevelForm = "Trace, Debug, Information, Warning or Error";

    public const string DefaultHoconFile = "actorchat.conf";

    private const int DiscoveryDefaultPort = ActorChat.Messages.DiscoveryCodec.DefaultUdpPort;

    /// <summary>The HOCON file beside the built server; the build copies hocon/ there.</summary>
    public static string DefaultHoconPath => Path.Combine(AppContext.BaseDirectory, "hocon", DefaultHoconFile);

    /// <summary>The server's command line: a flag for every setting, each also settable by the environment variable it names.</summary>
    private sealed class ServerCommandLine
    {
        public ServerCommandLine()
        {
            Definition = new CommandLineDefinition("ActorChat.Server",
                "The ActorChat server. Every option can also be set by the environment variable in brackets; flags win over "
                + "the environment, which wins over hocon/actorchat.conf. 'ActorChat.Server bench --help' describes the "
                + "persistence benchmark.",
                typeof(SettingsLoader).Assembly);
            foreach (var setting in Settings)
            {
                ValueReader<string> read = (string text, [MaybeNullWhen(false)] out string hocon) => TryToHocon(setting, text, out hocon);
                Flags[setting] = Definition.Value(setting.Flag, setting.HelpName, $"{setting.Help} [{setting.Env}]", setting.Expected, read);
            }
            Operators = Definition.Repeatable(OperatorFlag, "NAME", $"an account that may kill and ban; repeat for more [{OperatorsEnv}, comma-separated]", "an account name",
                (string text, [MaybeNullWhen(false)] out string name) =>
                {
                    name = text;
                    return Protocol.IsValidName(text);
                });
            InMemory = Definition.Switch(InMemoryFlag, $"keep nothing on disk; history is lost on restart (benchmarks, tests) [{InMemoryEnv}=1]");
            Cluster = Definition.Switch(ClusterFlag, $"run as one node of a cluster sharing one PostgreSQL (--postgres) [{ClusterEnv}=1]");
            Bootstrap = Definition.Switch(BootstrapFlag, $"in cluster mode, find the other nodes by Akka.Management's cluster bootstrap at --contact-points instead of --seed-nodes [{BootstrapEnv}=1]");
            Reindex = Definition.Switch(ReindexFlag, $"rebuild the message search index from the journal before serving [{ReindexEnv}=1]");
            WebTlsOnly = Definition.Switch(WebTlsOnlyFlag, $"plain HTTP of the web chat only redirects to HTTPS [{WebTlsOnlyEnv}=1]");
            ConfigFile = Definition.Text("--config", "FILE", $"extra HOCON file layered over the defaults [{ConfigEnv}]", "a HOCON file");
            LogLevel = Definition.Value<Microsoft.Extensions.Logging.LogLevel>("--log-level", "LEVEL", $"{LogLevelForm} (default Information) [{LogLevelEnv}]", $"one of {LogLevelForm}", TryLogLevel);
        }

        public CommandLineDefinition Definition { get; }

        /// <summary>The flag of each setting; its value is already in HOCON form.</summary>
        public Dictionary<Setting, Option<string>> Flags { get; } = [];

        public Option<bool> InMemory { get; }

        public Option<IReadOnlyList<string>> Operators { get; }
        public Option<bool> WebTlsOnly { get; }

        public Option<bool> Reindex { get; }

        public Option<bool> Cluster { get; }

        public Option<bool> Bootstrap { get; }

        public Option<string> ConfigFile { get; }

        public Option<Microsoft.Extensions.Logging.LogLevel> LogLevel { get; }
    }

    public static LoadResult Load(string[] args, IDictionary? environment = null, string? hoconPath = null)
    {
        environment ??= Environment.GetEnvironmentVariables();
        var commandLine = new ServerCommandLine();
        var parsed = commandLine.Definition.Parse(args);
        if (parsed.Output is not null) return new LoadResult(null, null, null, parsed.Output, default);
        if (parsed.Error is not null) return Fail(parsed.Error);
        var flags = parsed.Result;

        // Flags win over the environment, also in the choice of store: --data-dir beats ACTORCHAT_POSTGRES.
        var fromFlags = Settings.Where(s => CommandLineDefinition.Given(flags, commandLine.Flags[s])).ToHashSet();
        var flagStore = StoreChosen(fromFlags, CommandLineDefinition.Given(flags, commandLine.InMemory), s => s.Flag, InMemoryFlag, out var flagConflict);
        if (flagConflict is not null) return Fail($"{flagConflict} cannot be used together; choose one store.");

        // An empty list is a value ("none"); an empty text is not.
        var fromEnvironment = Settings
            .Where(s => environment[s.Env] is string text && (text.Length > 0 || s.Kind == SettingKind.List))
            .ToHashSet();
        var envInMemory = environment[InMemoryEnv] is string inMemoryText && inMemoryText is "1" or "true" or "yes" or "on";
        var envStore = StoreChosen(fromEnvironment, envInMemory, s => s.Env, InMemoryEnv, out var envConflict);
        if (envConflict is not null) return Fail($"the environment chooses two stores: {envConflict}.");
        var store = flagStore ?? envStore;

        var overrides = new List<string>();
        foreach (var setting in Settings)
        {
            string? hocon = null;
            if (fromFlags.Contains(setting)) hocon = flags.GetValue(commandLine.Flags[setting]);
            else if (fromEnvironment.Contains(setting))
            {
                var text = (string)environment[setting.Env]!;
                if (!TryToHocon(setting, text, out hocon)) return Fail($"{setting.Env}: expected {setting.Expected}, got '{text}'.");
            }
            if (hocon is not null) overrides.Add($"{setting.Path} = {hocon}");
        }
        if (store is not null) overrides.Add($"actorchat.persistence.store = {store}");
        if (CommandLineDefinition.Given(flags, commandLine.Operators))
            overrides.Add($"actorchat.operators = {QuoteList(string.Join(",", flags.GetValue(commandLine.Operators)!))}");
        else if (environment[OperatorsEnv] is string operatorsText)
            overrides.Add($"actorchat.operators = {QuoteList(operatorsText)}");
        if (CommandLineDefinition.Given(flags, commandLine.WebTlsOnly) ? flags.GetValue(commandLine.WebTlsOnly)
            : environment[WebTlsOnlyEnv] is string tlsOnlyText && tlsOnlyText is "1" or "true" or "yes" or "on")
            overrides.Add("actorchat.web.tls-only = on");
        if (CommandLineDefinition.Given(flags, commandLine.Cluster) ? flags.GetValue(commandLine.Cluster)
            : environment[ClusterEnv] is string clusterText && clusterText is "1" or "true" or "yes" or "on")
            overrides.Add("actorchat.cluster.enabled = on");
        if (CommandLineDefinition.Given(flags, commandLine.Bootstrap) ? flags.GetValue(commandLine.Bootstrap)
            : environment[BootstrapEnv] is string bootstrapText && bootstrapText is "1" or "true" or "yes" or "on")
            overrides.Add("actorchat.cluster.bootstrap.enabled = on");
        if (CommandLineDefinition.Given(flags, commandLine.Reindex) ? flags.GetValue(commandLine.Reindex)
            : environment[ReindexEnv] is string reindexText && reindexText is "1" or "true" or "yes" or "on")
            overrides.Add("actorchat.search.reindex = on");

        var logLevel = Microsoft.Extensions.Logging.LogLevel.Information;
        if (CommandLineDefinition.Given(flags, commandLine.LogLevel)) logLevel = flags.GetValue(commandLine.LogLevel);
        else if (environment[LogLevelEnv] is string logLevelText && !TryLogLevel(logLevelText, out logLevel))
            return Fail($"{LogLevelEnv}: expected one of {LogLevelForm}, got '{logLevelText}'.");
        var configFile = CommandLineDefinition.Given(flags, commandLine.ConfigFile)
            ? flags.GetValue(commandLine.ConfigFile)
            : environment[ConfigEnv] as string;

        Config config;
        try
        {
            var path = hoconPath ?? DefaultHoconPath;
            if (!File.Exists(path)) return Fail($"the default configuration {path} is missing; rebuild the server.");
            config = ConfigurationFactory.ParseString(File.ReadAllText(path));
            if (configFile is not null)
            {
                if (!File.Exists(configFile)) return Fail($"configuration file '{configFile}' not found.");
                config = ConfigurationFactory.ParseString(File.ReadAllText(configFile)).WithFallback(config);
            }
            if (overrides.Count > 0)
                config = ConfigurationFactory.ParseString(string.Join("\n", overrides)).WithFallback(config);
            return new LoadResult(Read(config), config, null, null, logLevel);
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or ArgumentException or OverflowException)
        {
            return Fail($"bad configuration: {e.Message.TrimEnd('.')}.");
        }
    }

    /// <summary>Turns HOCON into typed settings; actors get these, never the Config itself.</summary>
    public static ServerSettings Read(Config config)
    {
        var root = config.GetConfig("actorchat");
        var tcp = root.GetConfig("tcp");
        var web = root.GetConfig("web");
        var webBind = web.GetString("bind", "");
        var sessions = root.GetConfig("sessions");
        var limits = root.GetConfig("limits");
        var discovery = root.GetConfig("discovery");
        var webPort = discovery.GetInt("web-port", 0);
        var settings = new ServerSettings(
            ServerName: root.GetString("server-name"),
            Tcp: new TcpTransportSettings(tcp.GetString("bind"), ParsePlainPort(tcp.GetString("port")), tcp.GetInt("backlog"),
                checked((int)(tcp.GetByteSize("send-buffer") ?? 0))),
            Web: new WebTransportSettings(
                Bind: string.IsNullOrEmpty(webBind) ? tcp.GetString("bind") : webBind,
                Port: ParseWebPort(web.GetString("port")))
            {
                AllowedOrigins = ReadOrigins(web),
                TlsPort = web.HasPath("tls-port") ? ParseOptionalPort(web.GetString("tls-port"), "web.tls-port") : WebTransportSettings.Disabled,
                TlsOnly = web.GetBoolean("tls-only", false),
            },
            Rooms: new RoomSettings(root.GetInt("rooms.history-size"), root.GetInt("rooms.snapshot-every"), root.GetInt("rooms.max-pending-writes"),
                MaxRooms: root.GetInt("rooms.max-rooms", 10_000), CreationsPerMinute: root.GetInt("rooms.creations-per-minute", 10))
            {
                PassivateAfter = root.GetTimeSpan("rooms.passivate-after", TimeSpan.FromMinutes(2)),
                PresenceSpacingPerMember = root.GetTimeSpan("rooms.presence-spacing-per-member", TimeSpan.FromMilliseconds(10)),
                PresenceSpacingMax = root.GetTimeSpan("rooms.presence-spacing-max", TimeSpan.FromSeconds(1)),
            },
            Sessions: new SessionSettings(
                MaxFrameBytes: checked((int)(sessions.GetByteSize("max-frame") ?? 65536)),
                OutboundLimitBytes: sessions.GetByteSize("outbound-limit") ?? 1 << 20,
                MaxRoomsPerSession: sessions.GetInt("max-rooms-per-session"),
                CloseGracePeriod: sessions.GetTimeSpan("close-grace-period"),
                FloodControl: new Transport.FloodSettings(
                    FramesPerSecond: limits.GetDouble("flood-rate"),
                    FrameBurst: limits.GetInt("flood-burst"),
                    BytesPerSecond: limits.GetByteSize("flood-bytes-rate") ?? 64 * 1024,
                    ByteBurst: limits.GetByteSize("flood-bytes-burst") ?? 256 * 1024),
                Hello: limits.GetTimeSpan("hello-timeout"),
                Ping: limits.GetTimeSpan("ping-interval"),
                OutboundHardLimit: sessions.GetByteSize("outbound-hard-limit") ?? 8 << 20,
                SlowConsumer: sessions.GetTimeSpan("slow-consumer-timeout"),
                Default: sessions.GetString("default-room"),
                AnswerWait: sessions.GetTimeSpan("answer-timeout")),
            Discovery: new DiscoverySettings(
                UdpPort: discovery.GetInt("udp-port", DiscoveryDefaultPort),
                WebPort: webPort == 0 ? null : webPort,
                RepliesPerSecond: discovery.GetDouble("replies-per-second", 2),
                RepliesBurst: discovery.GetInt("replies-burst", 5),
                TrackedAddresses: discovery.GetInt("tracked-addresses", 1024),
                GlobalRepliesPerSecond: discovery.GetDouble("replies-global-per-second", 50),
                GlobalRepliesBurst: discovery.GetInt("replies-global-burst", 50),
                Bind: tcp.GetString("bind")),
            Persistence: ReadPersistence(root.GetConfig("persistence")))
        {
            Limits = ReadLimits(root),
            Accounts = ReadAccounts(root),
            Tls = ReadTls(root),
            Cluster = ReadCluster(root),
            Operations = ReadOperations(root),
            Search = ReadSearch(root),
            Files = ReadFiles(root),
        };
        if (settings.Tcp.Port is < TcpTransportSettings.Off or > 65535) throw new ArgumentException($"TCP port {settings.Tcp.Port} is out of range.");
        if (!IPAddress.TryParse(settings.Tcp.Bind, out _)) throw new ArgumentException($"'{settings.Tcp.Bind}' is not an IP address to bind.");
        if (settings.Discovery.UdpPort is < 0 or > 65535) throw new ArgumentException($"UDP port {settings.Discovery.UdpPort} is out of range.");
        if (settings.Discovery.WebPort is < 0 or > 65535) throw new ArgumentException($"web port {settings.Discovery.WebPort} is out of range.");
        if (settings.Discovery.RepliesPerSecond <= 0 || settings.Discovery.RepliesBurst < 1 || settings.Discovery.TrackedAddresses < 1
            || settings.Discovery.GlobalRepliesPerSecond <= 0 || settings.Discovery.GlobalRepliesBurst < 1)
            throw new ArgumentException("discovery rate limits must be positive.");
        if (!IPAddress.TryParse(settings.Web.Bind, out _)) throw new ArgumentException($"'{settings.Web.Bind}' is not an IP address to bind.");
        if (settings.Web.TlsOnly && settings.Web.Enabled && !settings.Web.TlsEnabled)
            throw new ArgumentException("web.tls-only needs an HTTPS port (--web-tls-port) to redirect to.");
        if (settings.Tls.HandshakeTimeout <= TimeSpan.Zero) throw new ArgumentException("tls.handshake-timeout must be positive.");
        if (settings.Rooms.HistorySize < 0) throw new ArgumentException("history size cannot be negative.");
        if (settings.Sessions.MaxFrameBytes < 256) throw new ArgumentException("max frame must be at least 256 bytes.");
        if (!Protocol.IsValidRoom(settings.Sessions.DefaultRoom))
            throw new ArgumentException($"sessions.default-room '{settings.Sessions.DefaultRoom}' is not a room name (1 to {Protocol.MaxRoomLength} letters, digits, '_', '-' or '.').");
        if (settings.Sessions.AnswerTimeout <= TimeSpan.Zero) throw new ArgumentException("sessions.answer-timeout must be positive.");
        if (settings.Sessions.OutboundLimitBytes < 1024) throw new ArgumentException("outbound limit must be at least 1 KiB.");
        if (settings.Sessions.OutboundHardLimitBytes < settings.Sessions.OutboundLimitBytes)
            throw new ArgumentException("sessions.outbound-hard-limit cannot be below the outbound limit.");
        var flood = settings.Sessions.Flood;
        if (flood.FramesPerSecond < 0 || flood.FrameBurst < 1 || flood.BytesPerSecond < 0 || flood.ByteBurst < 1)
            throw new ArgumentException("flood control needs a rate of 0 or more, a burst of at least 1 frame, and a byte burst of at least 1 byte.");
        if (settings.Sessions.HelloTimeout < TimeSpan.Zero || settings.Sessions.PingInterval < TimeSpan.Zero)
            throw new ArgumentException("hello-timeout and ping-interval cannot be negative.");
        if (settings.Rooms.SnapshotEvery < 1) throw new ArgumentException("rooms.snapshot-every must be at least 1.");
        if (settings.Rooms.MaxPendingWrites < 1) throw new ArgumentException("rooms.max-pending-writes must be at least 1.");
        if (settings.Rooms.MaxRooms < 1) throw new ArgumentException("rooms.max-rooms must be at least 1.");
        if (settings.Rooms.CreationsPerMinute < 1) throw new ArgumentException("rooms.creations-per-minute must be at least 1.");
        if (settings.Rooms.PassivateAfter <= TimeSpan.Zero) throw new ArgumentException("rooms.passivate-after must be positive.");
        if (settings.Rooms.PresenceSpacingPerMember < TimeSpan.Zero || settings.Rooms.PresenceSpacingMax < TimeSpan.Zero)
            throw new ArgumentException("rooms.presence-spacing-per-member and rooms.presence-spacing-max cannot be negative.");
        return settings;
    }

    private static ConnectionLimitSettings ReadLimits(Config root)
    {
        if (!root.HasPath("limits")) return ConnectionLimitSettings.Default;
        var limits = root.GetConfig("limits");
        var defaults = ConnectionLimitSettings.Default;
        var result = new ConnectionLimitSettings(
            limits.GetInt("max-connections-per-address", defaults.MaxConnectionsPerAddress),
            limits.GetDouble("connections-per-second-per-address", defaults.ConnectionsPerSecondPerAddress),
            limits.HasPath("exempt-addresses") ? limits.GetStringList("exempt-addresses").ToArray() : defaults.ExemptAddresses);
        if (result.MaxConnectionsPerAddress < 0 || result.ConnectionsPerSecondPerAddress < 0)
            throw new ArgumentException("connection limits cannot be negative (0 turns a limit off).");
        foreach (var exempt in result.ExemptAddresses) Transport.ConnectionAdmission.ParseNetwork(exempt);
        return result;
    }

    private static SearchSettings ReadSearch(Config root)
    {
        var search = root.HasPath("search") ? root.GetConfig("search") : ConfigurationFactory.Empty;
        var settings = new SearchSettings(
            Reindex: search.GetBoolean("reindex", false),
            QueueLimit: search.GetInt("queue-limit", SearchSettings.Default.QueueLimit),
            BatchSize: search.GetInt("batch-size", SearchSettings.Default.BatchSize),
            GatherDelay: search.GetTimeSpan("gather-delay", SearchSettings.Default.GatherDelay));
        if (settings.QueueLimit < 1 || settings.BatchSize < 1) throw new ArgumentException("search.queue-limit and search.batch-size must be positive.");
        if (settings.GatherDelay < TimeSpan.Zero || settings.GatherDelay > TimeSpan.FromSeconds(10))
            throw new ArgumentException("search.gather-delay must be between 0 and 10s.");
        return settings;
    }

    private static FileSettings ReadFiles(Config root)
    {
        var defaults = FileSettings.Default;
        var files = root.HasPath("files") ? root.GetConfig("files") : ConfigurationFactory.Empty;
        var result = new FileSettings(
            MaxUploadBytes: files.GetByteSize("max-upload") ?? defaults.MaxUploadBytes,
            QuotaBytes: files.GetByteSize("upload-quota") ?? defaults.QuotaBytes,
            UnattachedLifetime: files.GetTimeSpan("unattached-lifetime", defaults.UnattachedLifetime),
            MaxAttachments: files.GetInt("max-attachments", defaults.MaxAttachments));
        if (result.MaxUploadBytes < 1 || result.QuotaBytes < 1 || result.UnattachedLifetime <= TimeSpan.Zero || result.MaxAttachments < 1)
            throw new ArgumentException("files: max-upload, upload-quota, unattached-lifetime and max-attachments must be positive.");
        return result;
    }

    private static OperationsSettings ReadOperations(Config root)
    {
        var defaults = OperationsSettings.Default;
        var metrics = root.HasPath("metrics") ? root.GetConfig("metrics") : ConfigurationFactory.Empty;
        var exporterText = metrics.GetString("exporter", "prometheus");
        var exporter = exporterText switch
        {
            "off" => MetricsExporter.Off,
            "prometheus" => MetricsExporter.Prometheus,
            "otlp" => MetricsExporter.Otlp,
            _ => throw new ArgumentException($"metrics exporter '{exporterText}' is not off, prometheus or otlp."),
        };
        var endpointText = metrics.GetString("otlp-endpoint", "");
        Uri? endpoint = null;
        if (!string.IsNullOrWhiteSpace(endpointText)
            && (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
            throw new ArgumentException($"OTLP endpoint '{endpointText}' is not an http:// or https:// URL.");
        if (exporter == MetricsExporter.Otlp && endpoint is null)
            throw new ArgumentException("metrics exporter otlp needs an endpoint (--otlp-endpoint URL, e.g. http://127.0.0.1:4318).");
        var allowed = metrics.HasPath("allowed") ? metrics.GetStringList("allowed").ToArray() : defaults.MetricsAllowed;
        foreach (var address in allowed) Transport.ConnectionAdmission.ParseNetwork(address);
        var health = root.HasPath("health") ? root.GetConfig("health") : ConfigurationFactory.Empty;
        var logs = root.HasPath("logs") ? root.GetConfig("logs") : ConfigurationFactory.Empty;
        var result = new OperationsSettings(exporter, endpoint, allowed,
            MinFreeDiskBytes: health.GetByteSize("min-free-disk") ?? defaults.MinFreeDiskBytes,
            StoreTimeout: health.GetTimeSpan("store-timeout", defaults.StoreTimeout),
            WarningsPerInterval: logs.GetInt("warnings-per-interval", defaults.WarningsPerInterval),
            WarningInterval: logs.GetTimeSpan("warning-interval", defaults.WarningInterval));
        if (result.MinFreeDiskBytes < 0 || result.StoreTimeout <= TimeSpan.Zero)
            throw new ArgumentException("health: min-free-disk cannot be negative and store-timeout must be positive.");
        if (result.WarningsPerInterval < 1 || result.WarningInterval <= TimeSpan.Zero)
            throw new ArgumentException("logs: warnings-per-interval must be at least 1 and warning-interval positive.");
        return result;
    }

    private static AccountSettings ReadAccounts(Config root)
    {
        var accounts = root.HasPath("accounts") ? root.GetConfig("accounts") : ConfigurationFactory.Empty;
        var modeText = accounts.GetString("mode", "optional");
        var mode = modeText switch
        {
            "open" => AccountMode.Open,
            "optional" => AccountMode.Optional,
            "required" => AccountMode.Required,
            _ => throw new ArgumentException($"accounts mode '{modeText}' is not open, optional or required."),
        };
        var operators = root.HasPath("operators") ? root.GetStringList("operators").ToArray() : [];
        foreach (var name in operators)
            if (!Protocol.IsValidName(name)) throw new ArgumentException($"operator '{name}' is not an account name.");
        var result = new AccountSettings(mode, operators,
            HashIterations: accounts.GetInt("hash-iterations", Accounts.PasswordHasher.DefaultIterations),
            FailedSignInDelay: accounts.GetTimeSpan("failed-sign-in-delay", TimeSpan.FromMilliseconds(250)),
            MaxSignInDelay: accounts.GetTimeSpan("max-sign-in-delay", TimeSpan.FromSeconds(30)),
            ConcurrentHashes: accounts.GetInt("concurrent-hashes", 2),
            QueuedHashes: accounts.GetInt("queued-hashes", 64),
            SnapshotEvery: accounts.GetInt("snapshot-every", 100),
            MaxAccounts: accounts.GetInt("max-accounts", AccountSettings.DefaultMaxAccounts),
            RegistrationsPerAddress: accounts.GetInt("registrations-per-address", 3),
            RegistrationWindow: accounts.GetTimeSpan("registration-window", TimeSpan.FromMinutes(10)),
            MaxUnreadDirect: accounts.GetInt("max-unread-dms", AccountSettings.DefaultMaxUnreadDirect));
        if (result.MaxUnreadDirect < 1) throw new ArgumentException("accounts: max-unread-dms must be at least 1.");
        if (result.MaxAccounts < 0 || result.RegistrationsPerAddress < 0 || result.RegistrationPeriod <= TimeSpan.Zero)
            throw new ArgumentException("accounts: max-accounts and registrations-per-address cannot be negative, registration-window must be above 0.");
        if (result.HashIterations < 1 || result.ConcurrentHashes < 1 || result.QueuedHashes < 0 || result.SnapshotEvery < 1)
            throw new ArgumentException("accounts: hash-iterations, concurrent-hashes and snapshot-every must be at least 1, queued-hashes at least 0.");
        if (result.FirstDelay < TimeSpan.Zero || result.MaxDelay < result.FirstDelay)
            throw new ArgumentException("accounts: failed-sign-in-delay cannot be negative nor above max-sign-in-delay.");
        return result;
    }

    private static string[] ReadOrigins(Config web)
    {
        var origins = web.HasPath("allowed-origins") ? web.GetStringList("allowed-origins").ToArray() : [];
        foreach (var origin in origins)
            if (Transport.Web.OriginPolicy.Normalize(origin) is null)
                throw new ArgumentException($"allowed origin '{origin}' is not an origin such as https://chat.example.org (scheme, host and port only).");
        return origins;
    }

    private static ClusterSettings ReadCluster(Config root)
    {
        if (!root.HasPath("cluster")) return ClusterSettings.Off;
        var cluster = root.GetConfig("cluster");
        var port = cluster.GetInt("port", ClusterSettings.DefaultPort);
        if (port is < 0 or > 65535) throw new ArgumentException($"cluster port {port} is out of range.");
        var host = cluster.GetString("host", ClusterSettings.Off.Host);
        if (string.IsNullOrWhiteSpace(host) || host.Contains(':', StringComparison.Ordinal) && !IPAddress.TryParse(host, out _))
            throw new ArgumentException($"cluster host '{host}' is not a host name or IP address.");
        var seeds = cluster.HasPath("seed-nodes") ? cluster.GetStringList("seed-nodes").ToArray() : [];
        foreach (var seed in seeds)
            if (!IsHostPort(seed, colonInHost: true)) throw new ArgumentException($"seed node '{seed}' is not host:port.");
        var downAfter = cluster.GetTimeSpan("down-unreachable-after", TimeSpan.FromSeconds(10));
        if (downAfter <= TimeSpan.Zero) throw new ArgumentException("cluster.down-unreachable-after must be positive.");
        return new ClusterSettings(cluster.GetBoolean("enabled", false), host, port, seeds)
        {
            DownUnreachableAfter = downAfter,
            Bootstrap = ReadBootstrap(cluster),
        };
    }

    private static BootstrapSettings ReadBootstrap(Config cluster)
    {
        if (!cluster.HasPath("bootstrap")) return BootstrapSettings.Off;
        var bootstrap = cluster.GetConfig("bootstrap");
        var port = bootstrap.GetInt("management-port", BootstrapSettings.DefaultManagementPort);
        if (port is < 0 or > 65535) throw new ArgumentException($"management port {port} is out of range.");
        var points = bootstrap.HasPath("contact-points") ? bootstrap.GetStringList("contact-points").ToArray() : [];
        foreach (var point in points)
        {
            // Akka.Discovery's config method cuts an endpoint at its first ':', so an IPv6 literal cannot be one.
            if (!IsHostPort(point, colonInHost: false))
                throw new ArgumentException($"contact point '{point}' is not host:port (a host name or IPv4 address, and the port of its management endpoint).");
        }
        // Bootstrap counts answers from distinct endpoints: a point listed twice would be waited for twice, for ever.
        if (points.GroupBy(p => p, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"contact point '{twice.Key}' is listed twice.");
        var required = bootstrap.GetInt("required-contact-points", 0);
        if (required < 0) throw new ArgumentException("cluster.bootstrap.required-contact-points cannot be negative (0: all of them).");
        return new BootstrapSettings(bootstrap.GetBoolean("enabled", false), port, points, required);
    }

    /// <summary><c>host:port</c> with a port from 1 to 65535; <paramref name="colonInHost"/> lets the host be an IPv6 literal.</summary>
    private static bool IsHostPort(string text, bool colonInHost)
    {
        var colon = colonInHost ? text.LastIndexOf(':') : text.IndexOf(':');
        return colon > 0
            && !text.Any(char.IsWhiteSpace)
            && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535;
    }

    private static TlsSettings ReadTls(Config root)
    {
        if (!root.HasPath("tls")) return TlsSettings.Off;
        var tls = root.GetConfig("tls");
        var certificate = tls.GetString("certificate", "");
        var password = tls.GetString("certificate-password", "");
        return new TlsSettings(
            Port: ParseOptionalPort(tls.GetString("port", "0"), "tls.port"),
            CertificateFile: string.IsNullOrWhiteSpace(certificate) ? null : certificate,
            CertificatePassword: string.IsNullOrEmpty(password) ? null : password,
            HandshakeTimeout: tls.GetTimeSpan("handshake-timeout", TimeSpan.FromSeconds(10)));
    }

    /// <summary>
    /// The plain TCP port: a number, 0 or "off" (<see cref="TcpTransportSettings.Off"/>, as 0 turns every other
    /// listener off), or "auto" (0 inside: the OS picks a free port).
    /// </summary>
    private static int ParsePlainPort(string value)
    {
        if (string.Equals(value, "off", StringComparison.OrdinalIgnoreCase)) return TcpTransportSettings.Off;
        if (string.Equals(value, "auto", StringComparison.OrdinalIgnoreCase)) return TcpTransportSettings.AutoPort;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535)
            return port == 0 ? TcpTransportSettings.Off : port;
        throw new ArgumentException($"TCP port '{value}' is not a port number (0 to 65535), 'off' or 'auto'.");
    }

    /// <summary>A port number, 0 (off) or "auto" (a free port the OS picks, as <see cref="TlsSettings.AutoPort"/>).</summary>
    private static int ParseOptionalPort(string value, string path)
    {
        if (string.Equals(value, "auto", StringComparison.OrdinalIgnoreCase)) return TlsSettings.AutoPort;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535) return port;
        throw new ArgumentException($"{path} '{value}' is not a port number (0 to 65535) or 'auto'.");
    }

    /// <summary>A port number, 0 (no web server) or "auto" (a free port the OS picks).</summary>
    private static int ParseWebPort(string value)
    {
        if (string.Equals(value, "auto", StringComparison.OrdinalIgnoreCase)) return WebTransportSettings.AutoPort;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535) return port;
        throw new ArgumentException($"web port '{value}' is not a port number (0 to 65535) or 'auto'.");
    }

    private static PersistenceSettings ReadPersistence(Config persistence)
    {
        var storeText = persistence.GetString("store");
        var store = storeText switch
        {
            "sqlite" => StoreKind.Sqlite,
            "postgres" or "postgresql" => StoreKind.Postgres,
            "in-memory" => StoreKind.InMemory,
            _ => throw new ArgumentException($"persistence store '{storeText}' is not sqlite, postgres or in-memory."),
        };
        var dataDir = persistence.GetString("data-dir");
        var postgres = persistence.GetString("postgres");
        if (store == StoreKind.Sqlite && string.IsNullOrWhiteSpace(dataDir)) throw new ArgumentException("the data directory is empty.");
        if (store == StoreKind.Postgres && string.IsNullOrWhiteSpace(postgres))
            throw new ArgumentException("the PostgreSQL store needs a connection string (--postgres or ACTORCHAT_POSTGRES).");
        return new PersistenceSettings(store, dataDir, string.IsNullOrWhiteSpace(postgres) ? null : postgres,
            persistence.GetTimeSpan("startup-check-timeout"));
    }

    /// <summary>The store that one layer (environment or flags) asks for, if any; two at once is a conflict.</summary>
    private static string? StoreChosen(IReadOnlySet<Setting> given, bool inMemory, Func<Setting, string> nameOf, string inMemoryName, out string? conflict)
    {
        var chosen = new List<(string Store, string Name)>();
        if (inMemory) chosen.Add(("in-memory", inMemoryName));
        foreach (var setting in Settings.Where(given.Contains))
        {
            if (setting.Flag == "--postgres") chosen.Add(("postgres", nameOf(setting)));
            if (setting.Flag == "--data-dir") chosen.Add(("sqlite", nameOf(setting)));
        }
        conflict = chosen.Count > 1 ? string.Join(" and ", chosen.Select(c => c.Name)) : null;
        return chosen.Count == 1 ? chosen[0].Store : null;
    }

    /// <summary>A flag's or variable's text as the HOCON value of its setting; false when the text is not of the setting's form.</summary>
    private static bool TryToHocon(Setting setting, string text, [MaybeNullWhen(false)] out string hocon)
    {
        hocon = null;
        var valid = setting.Kind switch
        {
            SettingKind.WebPort or SettingKind.OptionalPort when string.Equals(text, "auto", StringComparison.OrdinalIgnoreCase) => true,
            SettingKind.PlainPort when string.Equals(text, "off", StringComparison.OrdinalIgnoreCase)
                || string.Equals(text, "auto", StringComparison.OrdinalIgnoreCase) => true,
            SettingKind.Port or SettingKind.WebPort or SettingKind.OptionalPort or SettingKind.PlainPort => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535,
            SettingKind.Address => IPAddress.TryParse(text, out _),
            SettingKind.Count => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                                 && count >= setting.Minimum && count <= setting.Maximum,
            SettingKind.Size => ByteSize(text) is { } size && size >= setting.Minimum && size <= setting.Maximum,
            SettingKind.Seconds => double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _),
            SettingKind.List => true,
            _ => text.Length > 0 && (setting.Choices is null || setting.Choices.Contains(text)),
        };
        if (!valid) return false;
        hocon = setting.Kind switch
        {
            SettingKind.List => QuoteList(text),
            SettingKind.Seconds => Quote(text.Trim() + "s"),
            _ => Quote(text),
        };
        return true;
    }

    /// <summary>A size as HOCON reads it (65536, 64KiB, 1MiB), or null when it is none.</summary>
    private static long? ByteSize(string text)
    {
        if (text.Trim().Length == 0) return null;
        try
        {
            return ConfigurationFactory.ParseString($"size = {Quote(text)}").GetByteSize("size");
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>A log level by its name; numbers and unknown names are not levels.</summary>
    private static bool TryLogLevel(string text, out Microsoft.Extensions.Logging.LogLevel level) =>
        Enum.TryParse(text, ignoreCase: true, out level) && Enum.IsDefined(level) && !char.IsAsciiDigit(text.TrimStart('-', '+').FirstOrDefault('0'));

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>"a, b" as the HOCON list ["a", "b"]; an empty text is the empty list.</summary>
    private static string QuoteList(string value) =>
        "[" + string.Join(", ", value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Quote)) + "]";

    private static LoadResult Fail(string error) => new(null, null, error, null, default);
}
