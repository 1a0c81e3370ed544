using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

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
