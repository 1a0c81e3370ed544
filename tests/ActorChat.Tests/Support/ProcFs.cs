using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;

namespace ActorChat.Tests.Support;

/// <summary>What Linux tells about a process and a TCP connection (from /proc), for tests that measure the server from outside.</summary>
public static class ProcFs
{
    private const int ClockTicksName = 2; // _SC_CLK_TCK

    private static readonly double TicksPerSecond = sysconf(ClockTicksName) is var ticks and > 0 ? ticks : 100;

    /// <summary>The resident set size of a process (VmRSS), in bytes.</summary>
    public static long RssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kib = line["VmRSS:".Length..].Trim().Split(' ')[0];
            return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS line");
    }

    /// <summary>CPU time the process has used so far, user and system together.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var userTicks = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture);
        var systemTicks = long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds((userTicks + systemTicks) / TicksPerSecond);
    }

    /// <summary>
    /// Whether the IPv4 loopback connection from <paramref name="local"/> to <paramref name="remote"/> is still
    /// established on this side. A peer's close (FIN) moves it to CLOSE_WAIT, a reset removes it: either is false.
    /// Works without reading from the socket, so a client that never reads can see that it was cut off.
    /// </summary>
    public static bool IsEstablished(IPEndPoint local, IPEndPoint remote)
    {
        var localText = Hex(local);
        var remoteText = Hex(remote);
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || fields[1] != localText || fields[2] != remoteText) continue;
            return fields[3] == "01"; // TCP_ESTABLISHED
        }
        return false;
    }

    private static string Hex(IPEndPoint endpoint)
    {
        // /proc/net/tcp prints the address as the in-memory 32-bit word, so loopback 127.0.0.1 is 0100007F.
        var bytes = endpoint.Address.MapToIPv4().GetAddressBytes();
        return $"{bytes[3]:X2}{bytes[2]:X2}{bytes[1]:X2}{bytes[0]:X2}:{endpoint.Port:X4}";
    }

    [DllImport("libc")]
    private static extern long sysconf(int name);
}
