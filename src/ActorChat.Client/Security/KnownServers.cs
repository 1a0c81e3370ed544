namespace ActorChat.Client.Security;

/// <summary>What the pinned fingerprints say about the certificate a server showed.</summary>
public enum PinVerdict
{
    /// <summary>The same fingerprint as pinned before: the same server.</summary>
    Known,
    /// <summary>Never seen this server: the fingerprint is pinned now (trust on first use).</summary>
    FirstUse,
    /// <summary>Another fingerprint than the pinned one: refused, unless the user said to accept the new one.</summary>
    Changed,
    /// <summary>Another fingerprint than the pinned one, accepted as asked (--accept-new-fingerprint) and pinned instead.</summary>
    Replaced,
}

/// <summary>
/// Trust on first use for TLS servers whose certificate no authority signed: the SHA-256 fingerprint each server
/// (host:port) showed first is kept in a file, one "host:port fingerprint" a line, and later connections must
/// show the same. A plain class over a file, so it is tested without a network.
/// </summary>
public sealed class KnownServers(string file)
{
    public const string FileName = "known-servers";

    /// <summary>The variable that points the client at another configuration directory (tests use a temporary one).</summary>
    public const string ConfigDirVariable = "ACTORCHAT_CLIENT_CONFIG_DIR";

    public string File { get; } = file;

    /// <summary>
    /// The client's configuration directory: ACTORCHAT_CLIENT_CONFIG_DIR, else $XDG_CONFIG_HOME/actorchat, else the
    /// user's application data folder (~/.config on Linux, %APPDATA% on Windows) /actorchat.
    /// </summary>
    public static string DefaultDirectory()
    {
        if (Environment.GetEnvironmentVariable(ConfigDirVariable) is { Length: > 0 } explicitDir) return explicitDir;
        if (Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg) return Path.Combine(xdg, "actorchat");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "actorchat");
    }

    public static KnownServers In(string directory) => new(Path.Combine(directory, FileName));

    /// <summary>The fingerprint pinned for a server, or null.</summary>
    public string? PinnedFor(string server) => Read().TryGetValue(server, out var pinned) ? pinned : null;

    /// <summary>Checks a server's fingerprint against its pin, pinning it on first use (or when told to accept a new one).</summary>
    public PinVerdict Check(string server, string fingerprint, bool acceptNew)
    {
        var pins = Read();
        if (pins.TryGetValue(server, out var pinned))
        {
            if (string.Equals(pinned, fingerprint, StringComparison.OrdinalIgnoreCase)) return PinVerdict.Known;
            if (!acceptNew) return PinVerdict.Changed;
        }
        var known = pins.ContainsKey(server);
        pins[server] = fingerprint.ToLowerInvariant();
        Write(pins);
        return known ? PinVerdict.Replaced : PinVerdict.FirstUse;
    }

    /// <summary>"host:port" as the file keys it; an IPv6 address in brackets.</summary>
    public static string Key(string host, int port) => (host.Contains(':') ? $"[{host}]" : host).ToLowerInvariant() + ":" + port;

    private Dictionary<string, string> Read()
    {
        var pins = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!System.IO.File.Exists(File)) return pins;
        foreach (var line in System.IO.File.ReadAllLines(File))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && !parts[0].StartsWith('#')) pins[parts[0]] = parts[1];
        }
        return pins;
    }

    private void Write(Dictionary<string, string> pins)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(File))!);
        var temporary = File + ".tmp";
        System.IO.File.WriteAllLines(temporary, pins.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
        System.IO.File.Move(temporary, File, overwrite: true); // whole or not at all: a crash leaves the old pins
    }

    /// <summary>A fingerprint as people compare it: upper-case pairs separated by colons, as the server's log shows it.</summary>
    public static string Display(string fingerprint) => string.Join(':', Enumerable.Range(0, fingerprint.Length / 2)
        .Select(i => fingerprint.Substring(i * 2, 2).ToUpperInvariant()));
}
