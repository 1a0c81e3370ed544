using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ActorChat.Tests.Support;

/// <summary>The built server run as its own process, as a user would run it, from a foreign working directory.</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<int> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process) => _process = process;

    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "ActorChat.Server.dll");

    public int Port { get; private set; }

    /// <summary>The web chat's port, as the ready line names it (0 when the web chat is off).</summary>
    public int WebPort { get; private set; }

    public int Pid => _process.Id;

    public string StandardOutput { get { lock (_stdout) return _stdout.ToString(); } }

    public string StandardError { get { lock (_stderr) return _stderr.ToString(); } }

    public static ServerProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(ServerDll);
        // The web chat on a free port, so that test servers never meet on the default 8080; args may override it.
        info.ArgumentList.Add("--web-port");
        info.ArgumentList.Add("auto");
        // No TLS or HTTPS unless asked for, so that test servers never meet on the default ports 12346 and 8443.
        foreach (var arg in new[] { "--tls-port", "0", "--web-tls-port", "0" }) info.ArgumentList.Add(arg);
        foreach (var arg in TestServer.WithDefaultStore(args)) info.ArgumentList.Add(arg);
        foreach (var name in new[] { "ACTORCHAT_PORT", "ACTORCHAT_WEB_PORT", "ACTORCHAT_TLS_PORT", "ACTORCHAT_WEB_TLS_PORT", "ACTORCHAT_TLS_CERT", "ACTORCHAT_DATA_DIR", "ACTORCHAT_POSTGRES", "ACTORCHAT_IN_MEMORY" })
            info.Environment.Remove(name);
        info.Environment["ACTORCHAT_UDP_PORT"] = "0"; // tests never answer LAN discovery unless they ask to
        var process = Process.Start(info)!;
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (server._stderr) server._stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Starts the server on a free loopback port and waits until it is ready.</summary>
    public static async Task<ServerProcess> StartReadyAsync(params string[] extraArgs)
    {
        var server = Start(["--bind", "127.0.0.1", "--port", "auto", .. extraArgs]);
        await server.WaitReadyAsync();
        return server;
    }

    public async Task WaitReadyAsync()
    {
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != _ready.Task)
            throw new InvalidOperationException($"Server did not become ready.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    /// <summary>Starts the server again with the same arguments (after a stop or a kill) and waits until it is ready.</summary>
    public static async Task<ServerProcess> StartReadyOnPortAsync(int port, params string[] extraArgs)
    {
        var server = Start(["--bind", "127.0.0.1", "--port", port.ToString(), .. extraArgs]);
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>What Ctrl+C does in a terminal.</summary>
    public void Interrupt() => Assert.Equal(0, kill(_process.Id, 2));

    /// <summary>What a service manager (systemd, docker stop) does to stop it.</summary>
    public void Terminate() => Assert.Equal(0, kill(_process.Id, 15));

    public void Kill() => _process.Kill(entireProcessTree: true);

    private void OnOutput(string? line)
    {
        if (line is null) return;
        lock (_stdout) _stdout.AppendLine(line);
        var match = ReadyLine().Match(line);
        if (match.Success)
        {
            Port = int.Parse(match.Groups[1].Value);
            if (match.Groups[2].Success) WebPort = int.Parse(match.Groups[2].Value);
            _ready.TrySetResult(Port);
        }
    }

    [GeneratedRegex(@"ready: TCP [^\s]*:(\d+)(?:, web chat http://[^\s/]+:(\d+)/)?")]
    private static partial Regex ReadyLine();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
