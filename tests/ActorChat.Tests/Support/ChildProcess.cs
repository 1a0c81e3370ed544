using System.Diagnostics;
using System.Text;

namespace ActorChat.Tests.Support;

/// <summary>
/// A process the test runs with stdin, stdout and stderr redirected; what it prints is collected so the test can
/// wait for a line. Killed (with its children) on dispose if it is still running.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly object _lock = new();
    private readonly SemaphoreSlim _changed = new(0);

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null)
        {
            foreach (var (key, value) in environment) info.Environment[key] = value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.Start();
        // Read raw characters, not lines: a prompt or a half-typed line has no line end yet.
        child._readers = [child.PumpAsync(process.StandardOutput), child.PumpAsync(process.StandardError)];
        return child;
    }

    /// <summary>Runs <c>dotnet DLL args</c>.</summary>
    public static ChildProcess StartDotnet(string dll, params string[] arguments) => Start("dotnet", [dll, .. arguments]);

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_lock) return _output.ToString();
        }
    }

    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteAsync(line + "\n");
        await _process.StandardInput.FlushAsync();
    }

    public async Task WriteAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits until the output has the text; fails with what was printed when it does not come in time.</summary>
    public async Task WaitForAsync(string text, TimeSpan within) => await WaitForAsync(o => o.Contains(text, StringComparison.Ordinal), text, within);

    public async Task WaitForAsync(Func<string, bool> condition, string what, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition(Output))
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"Waited {within.TotalSeconds:0.#} s for \"{what}\"; the process printed:\n{Output}");
            await _changed.WaitAsync(TimeSpan.FromMilliseconds(Math.Min(200, left.TotalMilliseconds)));
        }
    }

    /// <summary>Waits for the process to end; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(_readers).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The process did not end within {within.TotalSeconds:0.#} s; it printed:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>Asks the process to stop as Ctrl+C or a service manager would (SIGTERM).</summary>
    public void Terminate()
    {
        if (_process.HasExited) return;
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
        kill?.WaitForExit(5000);
    }

    private Task[] _readers = [];

    private async Task PumpAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_lock) _output.Append(buffer, 0, read);
            _changed.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
        }
        try
        {
            await Task.WhenAll(_readers).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or IOException or ObjectDisposedException)
        {
        }
        _process.Dispose();
    }
}
