using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ActorChat.Bench;

/// <summary>An ActorChat server the bench started as a child process: <c>dotnet ActorChat.Server.dll --port N ...</c>.</summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly Action<string>? _echo;
    private readonly string _prefix;

    private ServerProcess(Process process, int port, string dll, Action<string>? echo, string label)
    {
        _prefix = $"[{label}] ";
        _process = process;
        Port = port;
        Dll = dll;
        _echo = echo;
    }

    public int Port { get; }
    public string? WorkDir { get; private init; }
    public int Pid => _process.Id;
    public string Dll { get; }
    public bool HasExited => _process.HasExited;

    /// <summary>Every line the server prints, as it comes (from a reader thread).</summary>
    public event Action<string>? LineReceived;

    /// <summary>The last lines the server printed (for error reports).</summary>
    public string Tail(int lines = 40)
    {
        lock (_tail) return string.Join(Environment.NewLine, _tail.Skip(Math.Max(0, _tail.Count - lines)));
    }

    /// <summary>Starts the server; with <c>--server-log</c> its lines are echoed after <paramref name="label"/> in brackets.</summary>
    public static async Task<ServerProcess> StartAsync(BenchOptions options, TimeSpan timeout, CancellationToken ct, string label = "server")
    {
        var dll = options.ServerDll ?? await FindOrBuildServerDllAsync(options, ct);
        if (!File.Exists(dll)) throw new BenchException($"Server dll not found: {dll}");

        var port = FreePort();
        var workDir = Directory.CreateTempSubdirectory("actorchat-bench-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            // A fresh working directory per run: whatever the server keeps relative to it (its default data
            // directory) starts empty and goes away afterwards, instead of piling up next to the build.
            WorkingDirectory = workDir,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var arg in options.StartedServerArgs) start.ArgumentList.Add(arg);

        var process = Process.Start(start) ?? throw new BenchException("Could not start dotnet.");
        var server = new ServerProcess(process, port, dll, options.ServerLog ? options.Log : null, label) { WorkDir = workDir };
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Ready = accepts a TCP connection.
        var until = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var endpoint = new IPEndPoint(IPAddress.Parse(options.Host), port);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                var message = $"The server exited with code {process.ExitCode} before accepting connections:\n{server.Tail()}";
                await server.DisposeAsync();
                throw new BenchException(message);
            }
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                try
                {
                    await probe.ConnectAsync(endpoint, ct);
                    return server;
                }
                catch (SocketException) { }
            }
            if (Stopwatch.GetTimestamp() > until)
            {
                await server.DisposeAsync();
                throw new BenchException($"The server did not accept connections on port {port} within {timeout.TotalSeconds:0} s:\n{server.Tail()}");
            }
            await Task.Delay(50, ct);
        }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > 40) _tail.Dequeue();
        }
        _echo?.Invoke(_prefix + line);
        LineReceived?.Invoke(line);
    }

    /// <summary>
    /// The Release build of the server in the repository that holds the current directory (or the bench). Built
    /// first with <c>dotnet build -c Release</c> when it is missing or older than a source file, unless NoBuild.
    /// </summary>
    private static async Task<string> FindOrBuildServerDllAsync(BenchOptions options, CancellationToken ct)
    {
        var root = FindRepositoryRoot()
            ?? throw new BenchException("Not inside the ActorChat repository: pass --server-dll PATH or --target HOST:PORT.");
        var project = Path.Combine(root, "src", "ActorChat.Server", "ActorChat.Server.csproj");
        var dll = Path.Combine(root, "src", "ActorChat.Server", "bin", "Release", "net10.0", "ActorChat.Server.dll");
        if (!File.Exists(project)) throw new BenchException($"No server project at {project}.");
        if (options.NoBuild)
        {
            if (!File.Exists(dll)) throw new BenchException($"No server build at {dll}: run dotnet build -c Release {project}.");
            return dll;
        }
        var built = File.Exists(dll) ? File.GetLastWriteTimeUtc(dll) : DateTime.MinValue;
        var newest = new[] { Path.Combine(root, "src", "ActorChat.Server"), Path.Combine(root, "src", "ActorChat.Messages"), Path.Combine(root, "hocon") }
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.GetLastWriteTimeUtc)
            .DefaultIfEmpty(DateTime.MinValue)
            .Max();
        if (built >= newest) return dll;

        options.Log?.Invoke($"building the server (Release): dotnet build -c Release {project}");
        var build = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "build", "-c", "Release", "--nologo", "-v", "q", project }) build.ArgumentList.Add(a);
        using var process = Process.Start(build) ?? throw new BenchException("Could not start dotnet build.");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0 || !File.Exists(dll))
            throw new BenchException($"Building the server failed:\n{await output}{await errors}");
        return dll;
    }

    internal static string? FindRepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ActorChat.sln"))) return dir.FullName;
            }
        }
        return null;
    }

    internal static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // Ask politely (SIGTERM: the host shuts down), then insist.
            try
            {
                if (OperatingSystem.IsLinux()) kill(_process.Id, 15);
                else _process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is DllNotFoundException or InvalidOperationException) { }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await _process.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException)
            {
                try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
        if (WorkDir is not null)
        {
            try { Directory.Delete(WorkDir, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
