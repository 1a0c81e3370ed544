using System.Globalization;
using System.Net;
using ActorChat.Messages;

namespace ActorChat.Client.Cli;

/// <summary>The console client's command line. Without --host and --port the server is found by LAN discovery.</summary>
public sealed record ClientOptions
{
    public const string DefaultRoom = "general";

    public string? Name { get; init; }
    public string? Host { get; init; }
    public int? Port { get; init; }
    public string Room { get; init; } = DefaultRoom;
    public int DiscoveryPort { get; init; } = DiscoveryCodec.DefaultUdpPort;
    public TimeSpan DiscoveryWindow { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Where discovery requests go; null means the defaults (broadcast on every interface and loopback).</summary>
    public IReadOnlyList<IPAddress>? DiscoveryTargets { get; init; }

    /// <summary>Only list the servers that discovery finds, then exit.</summary>
    public bool ListServers { get; init; }

    /// <summary>True when the user named a server; false means: find one by discovery.</summary>
    public bool ConnectsDirectly => Host is not null || Port is not null;

    public string EffectiveHost => Host ?? "127.0.0.1";

    public int EffectivePort => Port ?? Protocol.DefaultTcpPort;

    public static string Usage() => string.Join(Environment.NewLine,
        "Usage: ActorChat.Client [options]",
        "",
        "  --name NAME            your name (asked for when not given)",
        "  --host HOST            server to connect to; without --host and --port the server is found on the LAN",
        "  --port PORT            the server's TCP port (default 12345)",
        "  --room ROOM            room to join first (default general)",
        "  --discovery-port PORT  UDP port that servers answer discovery on (default 12345)",
        "  --discovery-target IP  send discovery only to this address (repeatable), e.g. 192.168.1.255",
        "  --discovery-time SECS  how long to wait for discovery answers (default 1.5)",
        "  --list-servers         list the servers discovery finds, then exit",
        "  --help                 show this help",
        "",
        "Type /help in the chat for the commands.");

    /// <summary>Reads the command line; Error is set when it cannot be used, Help when help was asked for.</summary>
    public static (ClientOptions? Options, string? Error, bool Help) Parse(IReadOnlyList<string> args)
    {
        var options = new ClientOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?") return (null, null, true);
            if (arg == "--list-servers")
            {
                options = options with { ListServers = true };
                continue;
            }
            string flag = arg, value;
            var equals = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                flag = arg[..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                if (!arg.StartsWith("--", StringComparison.Ordinal)) return (null, $"unexpected argument '{arg}'.", false);
                if (i + 1 >= args.Count) return (null, $"{arg} needs a value.", false);
                value = args[++i];
            }

            switch (flag)
            {
                case "--name":
                    if (!Protocol.IsValidName(value)) return (null, $"'{value}' is not a valid name: 1 to {Protocol.MaxNameLength} letters, digits, '_', '-' or '.'.", false);
                    options = options with { Name = value };
                    break;
                case "--host":
                    if (value.Length == 0) return (null, "--host needs a value.", false);
                    options = options with { Host = value };
                    break;
                case "--port":
                    if (!TryPort(value, out var port) || port == 0) return (null, $"--port: '{value}' is not a port number (1 to 65535).", false);
                    options = options with { Port = port };
                    break;
                case "--room":
                    if (!Protocol.IsValidRoom(value)) return (null, $"'{value}' is not a valid room name.", false);
                    options = options with { Room = value };
                    break;
                case "--discovery-port":
                    if (!TryPort(value, out var udpPort) || udpPort == 0) return (null, $"--discovery-port: '{value}' is not a port number (1 to 65535).", false);
                    options = options with { DiscoveryPort = udpPort };
                    break;
                case "--discovery-target":
                    if (!IPAddress.TryParse(value, out var target) || target.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                        return (null, $"--discovery-target: '{value}' is not an IPv4 address.", false);
                    options = options with { DiscoveryTargets = [.. options.DiscoveryTargets ?? [], target] };
                    break;
                case "--discovery-time":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds is <= 0 or > 60)
                        return (null, $"--discovery-time: '{value}' is not a number of seconds (up to 60).", false);
                    options = options with { DiscoveryWindow = TimeSpan.FromSeconds(seconds) };
                    break;
                default:
                    return (null, $"unknown option '{arg}'.", false);
            }
        }
        return (options, null, false);
    }

    private static bool TryPort(string value, out int port) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;
}
