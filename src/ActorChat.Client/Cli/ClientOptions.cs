using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using ActorChat.CommandLine;
using ActorChat.Messages;

namespace ActorChat.Client.Cli;

/// <summary>The console client's command line. Without --host and --port the server is found by LAN discovery.</summary>
public sealed record ClientOptions
{
    public const string DefaultRoom = "general";

    /// <summary>The server's TLS port unless it was started with another one.</summary>
    public const int DefaultTlsPort = 12346;

    public string? Name { get; init; }
    /// <summary>The first server given with --host, or null (see <see cref="Hosts"/> for all of them).</summary>
    public string? Host => Hosts.Count > 0 ? Hosts[0].Host : null;

    /// <summary>The servers given with --host, in order; each may name its own port. Empty: none given.</summary>
    public IReadOnlyList<HostAndPort> Hosts { get; init; } = [];
    public int? Port { get; init; }
    /// <summary>The room to join first; null means the server's default room (its welcome names it).</summary>
    public string? Room { get; init; }
    public int DiscoveryPort { get; init; } = DiscoveryCodec.DefaultUdpPort;
    public TimeSpan DiscoveryWindow { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Where discovery requests go; null means the defaults (broadcast on every interface and loopback).</summary>
    public IReadOnlyList<IPAddress>? DiscoveryTargets { get; init; }

    /// <summary>Only list the servers that discovery finds, then exit.</summary>
    public bool ListServers { get; init; }

    /// <summary>True: TLS; false: plain TCP; null: TLS when discovery offers it, else plain TCP (the default).</summary>
    public bool? Tls { get; init; }

    public int? TlsPort { get; init; }

    /// <summary>Accept (and pin) a TLS certificate whose fingerprint is not the one pinned for the server.</summary>
    public bool AcceptNewFingerprint { get; init; }

    /// <summary>The account's password for the hello; null signs in as a guest (or asks, when the server wants one).</summary>
    public string? Password { get; init; }

    /// <summary>Where the pinned fingerprints are kept; null means the default (see KnownServers.DefaultDirectory).</summary>
    public string? ConfigDir { get; init; }

    /// <summary>True when the user named a server; false means: find one by discovery.</summary>
    public bool ConnectsDirectly => Host is not null || Port is not null || TlsPort is not null;

    public int EffectiveTlsPort => TlsPort ?? DefaultTlsPort;

    public string EffectiveHost => Host ?? "127.0.0.1";

    /// <summary>
    /// The servers to connect to, in order: each --host with its own port, else --port (or --tls-port with TLS);
    /// 127.0.0.1 when only a port was given.
    /// </summary>
    public IReadOnlyList<ServerEndpoint> Endpoints(bool tls)
    {
        var defaultPort = tls ? EffectiveTlsPort : EffectivePort;
        return Hosts.Count == 0
            ? [new ServerEndpoint("127.0.0.1", defaultPort)]
            : Hosts.Select(h => new ServerEndpoint(h.Host, h.Port ?? defaultPort)).ToList();
    }

    public int EffectivePort => Port ?? Protocol.DefaultTcpPort;

    /// <summary>
    /// Reads the command line: options to run with, or an error to report (exit code 2), or a text to print and exit 0
    /// with (--help, --version).
    /// </summary>
    public static (ClientOptions? Options, string? Error, string? Output) Parse(IReadOnlyList<string> args)
    {
        var commandLine = new CommandLineDefinition("ActorChat.Client",
            "The ActorChat console client. Without --host and --port it finds a server on the LAN. Type /help in the chat for the commands.",
            typeof(ClientOptions).Assembly);
        var name = commandLine.Value<string>("--name", "NAME", "your name (asked for when not given)",
            $"a name of 1 to {Protocol.MaxNameLength} letters, digits, '_', '-' or '.'", ValidToken(Protocol.IsValidName));
        var host = commandLine.Value<IReadOnlyList<HostAndPort>>("--host", "HOSTS",
            "server(s) to connect to, comma-separated, each HOST or HOST:PORT: tried in order, and when the connection is lost the next one is (round robin); without --host and --port the server is found on the LAN",
            "host names or IP addresses, each with an optional :PORT, separated by commas, such as a,b:4000", HostAndPort.TryParseList);
        var port = commandLine.Value<int>("--port", "PORT", $"the server's TCP port (default {Protocol.DefaultTcpPort})",
            "a port number from 1 to 65535", TryPort);
        var room = commandLine.Value<string>("--room", "ROOM", $"room to join first (default: the server's default room, usually {DefaultRoom})",
            $"a room name of 1 to {Protocol.MaxRoomLength} letters, digits, '_', '-' or '.'", ValidToken(Protocol.IsValidRoom));
        var discoveryPort = commandLine.Value<int>("--discovery-port", "PORT",
            $"UDP port that servers answer discovery on (default {DiscoveryCodec.DefaultUdpPort})", "a port number from 1 to 65535", TryPort);
        var targets = commandLine.Repeatable<IPAddress>("--discovery-target", "IP",
            "send discovery only to this address (repeatable), e.g. 192.168.1.255", "an IPv4 address such as 192.168.1.255", TryIPv4);
        var discoveryTime = commandLine.Value<double>("--discovery-time", "SECONDS",
            "how long to wait for discovery answers (default 1.5)", "a number of seconds above 0 and at most 60, such as 1.5", TrySeconds);
        var listServers = commandLine.Switch("--list-servers", "list the servers discovery finds, then exit");
        var tls = commandLine.Switch("--tls", $"connect with TLS (to --tls-port, default {DefaultTlsPort}); taken anyway when discovery finds a server that offers it");
        var noTls = commandLine.Switch("--no-tls", "connect over plain TCP even when the server found by discovery offers TLS");
        var tlsPort = commandLine.Value<int>("--tls-port", "PORT", $"the server's TLS port (default {DefaultTlsPort}); implies --tls",
            "a port number from 1 to 65535", TryPort);
        var acceptNew = commandLine.Switch("--accept-new-fingerprint",
            "accept a TLS certificate other than the one pinned for this server (after checking its fingerprint in the server's log), and pin it");
        var password = commandLine.Text("--password", "PASSWORD", "sign in to your account (asked for, without echo, when the server wants one and this is a terminal)",
            "a password");
        var configDir = commandLine.Text("--config-dir", "DIR",
            $"where the pinned server fingerprints are kept (default: ${KnownServersVariable}, else $XDG_CONFIG_HOME/actorchat or the user's application data folder)",
            "a directory");

        var parsed = commandLine.Parse(args);
        if (parsed.Output is not null || parsed.Error is not null) return (null, parsed.Error, parsed.Output);
        var result = parsed.Result;
        var options = new ClientOptions();
        if (CommandLineDefinition.Given(result, name)) options = options with { Name = result.GetValue(name) };
        if (CommandLineDefinition.Given(result, host)) options = options with { Hosts = result.GetValue(host)! };
        if (CommandLineDefinition.Given(result, port)) options = options with { Port = result.GetValue(port) };
        if (CommandLineDefinition.Given(result, room)) options = options with { Room = result.GetValue(room)! };
        if (CommandLineDefinition.Given(result, discoveryPort)) options = options with { DiscoveryPort = result.GetValue(discoveryPort) };
        if (CommandLineDefinition.Given(result, targets)) options = options with { DiscoveryTargets = result.GetValue(targets) };
        if (CommandLineDefinition.Given(result, discoveryTime)) options = options with { DiscoveryWindow = TimeSpan.FromSeconds(result.GetValue(discoveryTime)) };
        if (CommandLineDefinition.Given(result, listServers)) options = options with { ListServers = true };
        if (CommandLineDefinition.Given(result, tls) && CommandLineDefinition.Given(result, noTls)) return (null, "--tls and --no-tls: choose one.", null);
        if (CommandLineDefinition.Given(result, tls)) options = options with { Tls = true };
        if (CommandLineDefinition.Given(result, tlsPort))
        {
            if (CommandLineDefinition.Given(result, noTls)) return (null, "--tls-port and --no-tls: choose one.", null);
            options = options with { Tls = true, TlsPort = result.GetValue(tlsPort) };
        }
        if (CommandLineDefinition.Given(result, noTls)) options = options with { Tls = false };
        if (CommandLineDefinition.Given(result, acceptNew)) options = options with { AcceptNewFingerprint = true };
        if (CommandLineDefinition.Given(result, password)) options = options with { Password = result.GetValue(password) };
        if (CommandLineDefinition.Given(result, configDir)) options = options with { ConfigDir = result.GetValue(configDir) };
        return (options, null, null);
    }

    private const string KnownServersVariable = Security.KnownServers.ConfigDirVariable;

    private static ValueReader<string> ValidToken(Func<string, bool> isValid) =>
        (string text, [MaybeNullWhen(false)] out string value) =>
        {
            value = text;
            return isValid(text);
        };

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    private static bool TryIPv4(string text, [MaybeNullWhen(false)] out IPAddress address) =>
        IPAddress.TryParse(text, out address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;

    private static bool TrySeconds(string text, out double seconds) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out seconds) && seconds is > 0 and <= 60;
}

/// <summary>One server named with --host: a host name or address, and its port when given as HOST:PORT.</summary>
public sealed record HostAndPort(string Host, int? Port)
{
    /// <summary>Reads "a,b:4000,[::1]:5000"; false when any part is empty or its port is not 1 to 65535.</summary>
    public static bool TryParseList(string text, [MaybeNullWhen(false)] out IReadOnlyList<HostAndPort> hosts)
    {
        hosts = null;
        var list = new List<HostAndPort>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!TryParse(part, out var one)) return false;
            list.Add(one);
        }
        hosts = list;
        return true;
    }

    public static bool TryParse(string text, [MaybeNullWhen(false)] out HostAndPort host)
    {
        host = null;
        if (text.Length == 0 || text.Any(char.IsWhiteSpace)) return false;
        string name;
        string? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 2) return false;
            name = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':')) return false;
                port = rest[1..];
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':');
            (name, port) = (text[..colon], text[(colon + 1)..]);
        }
        else name = text; // a host name, an IPv4 address, or an IPv6 address without a port
        if (name.Length == 0) return false;
        if (port is null)
        {
            host = new HostAndPort(name, null);
            return true;
        }
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535) return false;
        host = new HostAndPort(name, number);
        return true;
    }
}
