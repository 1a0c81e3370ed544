using System.Globalization;
using System.Runtime.InteropServices;

namespace ActorChat.Bench;

/// <summary>CPU time and memory of a process, read from /proc (Linux only; elsewhere everything is null).</summary>
public readonly record struct ProcSample(double CpuSeconds, double SystemSeconds, long RssBytes, long PeakRssBytes, int Threads);

public static partial class ProcStats
{
    private static readonly double TicksPerSecond = ClockTicks();

    public static ProcSample? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name may hold spaces and parentheses: fields are counted after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); utime is field 14, stime field 15, num_threads field 20.
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            var threads = int.Parse(fields[17], CultureInfo.InvariantCulture);
            long rss = 0, hwm = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kib(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kib(line);
            }
            return new ProcSample((utime + stime) / TicksPerSecond, stime / TicksPerSecond, rss * 1024, hwm * 1024, threads);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Busy and total CPU seconds of the whole machine (all cores) from /proc/stat; null off Linux.</summary>
    public static (double Busy, double Total)? ReadMachine()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var line = reader.ReadLine();
            if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal)) return null;
            var values = line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal ...; idle + iowait are not busy.
            var total = values.Take(8).Sum();
            var idle = values[3] + values[4];
            return ((total - idle) / TicksPerSecond, total / TicksPerSecond);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Resets the process's peak RSS (VmHWM) to its current RSS, so a phase's own peak can be read. Best effort.</summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long Kib(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(parts[1], CultureInfo.InvariantCulture);
    }

    private static double ClockTicks()
    {
        if (!OperatingSystem.IsLinux()) return 100;
        try
        {
            var ticks = sysconf(2 /* _SC_CLK_TCK */);
            return ticks > 0 ? ticks : 100;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    private const int RlimitNoFile = 7;

    [LibraryImport("libc", SetLastError = true)]
    private static partial long sysconf(int name);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit limit);

    /// <summary>
    /// Raises this process's open-file limit to at least <paramref name="wanted"/> where it can (soft up to hard;
    /// hard too when running as root). Returns the soft limit now in force, or null when it cannot be read.
    /// A started server inherits it.
    /// </summary>
    public static ulong? RaiseFileLimit(ulong wanted)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            if (getrlimit(RlimitNoFile, out var limit) != 0) return null;
            if (limit.Current >= wanted) return limit.Current;
            var raised = new RLimit { Current = Math.Max(limit.Current, wanted), Max = Math.Max(limit.Max, wanted) };
            if (setrlimit(RlimitNoFile, raised) != 0)
            {
                // Not allowed to raise the hard limit: go as far as it lets.
                raised = new RLimit { Current = Math.Min(wanted, limit.Max), Max = limit.Max };
                setrlimit(RlimitNoFile, raised);
            }
            return getrlimit(RlimitNoFile, out limit) == 0 ? limit.Current : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
