using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ActorChat.Tests.Support;

/// <summary>
/// A throw-away PostgreSQL server on a free loopback port (scripts/test-postgres.sh), for one test class.
/// The test set-up installs PostgreSQL (scripts/install-test-dependencies.sh); this starts and stops it.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"actorchat-pg-{Guid.NewGuid():N}"[..28]);

    public int Port { get; } = FreePort();

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Database=actorchat;Username=postgres;Timeout=5";

    public Task InitializeAsync() => StartAsync();

    public Task StartAsync() => RunScriptAsync("start", _directory, Port.ToString());

    public Task StopAsync() => RunScriptAsync("stop", _directory);

    /// <summary>
    /// Freezes the server with SIGSTOP: the postmaster first (so that it forks no new backend), then every process it
    /// started (backends and its helpers). Connections are still accepted by the kernel, but nothing answers them.
    /// Returns the processes stopped; pass them to <see cref="Thaw"/>, in a finally.
    /// </summary>
    public IReadOnlyList<int> Freeze()
    {
        var postmaster = PostmasterPid();
        Signal(postmaster, SigStop);
        var stopped = new List<int> { postmaster };
        foreach (var child in ChildrenOf(postmaster))
        {
            Signal(child, SigStop);
            stopped.Add(child);
        }
        return stopped;
    }

    /// <summary>SIGCONT to what <see cref="Freeze"/> stopped, children first; a process that is gone is skipped.</summary>
    public static void Thaw(IReadOnlyList<int> stopped)
    {
        for (var i = stopped.Count - 1; i >= 0; i--) Signal(stopped[i], SigCont);
    }

    private int PostmasterPid() =>
        int.Parse(File.ReadLines(Path.Combine(_directory, "data", "postmaster.pid")).First().Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The processes whose parent is <paramref name="parent"/>, from /proc/PID/stat (field 4).</summary>
    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // the name (field 2) may hold spaces
            if (fields.Length > 1 && fields[1] == parent.ToString(System.Globalization.CultureInfo.InvariantCulture)) yield return pid;
        }
    }

    private const int SigCont = 18, SigStop = 19; // Linux, x86-64 and arm64

    private static void Signal(int pid, int signal)
    {
        const int NoSuchProcess = 3; // ESRCH: it exited meanwhile
        if (kill(pid, signal) != 0 && Marshal.GetLastPInvokeError() != NoSuchProcess)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public async Task DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string Script
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "scripts", "test-postgres.sh");
                if (File.Exists(candidate)) return candidate;
            }
            throw new InvalidOperationException("scripts/test-postgres.sh not found above the test directory.");
        }
    }

    private static async Task RunScriptAsync(params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(Script);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        await process.StandardOutput.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"test-postgres.sh {args[0]} failed: {await stderr}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
