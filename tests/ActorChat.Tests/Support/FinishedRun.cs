using System.Diagnostics;
using System.Text;

namespace ActorChat.Tests.Support;

/// <summary>
/// A program run to its end with its output kept apart, as a user sees it: what went to stdout and what to stderr.
/// For short runs (help, version, a refused command line); killed if it outlives the wait.
/// </summary>
public sealed record FinishedRun(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>The lines the program wrote to stderr, without empty ones.</summary>
    public string[] ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Runs <c>dotnet DLL args</c> from the temporary directory and waits at most <paramref name="within"/>.</summary>
    public static async Task<FinishedRun> DotnetAsync(string dll, TimeSpan within, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["ACTORCHAT_UDP_PORT"] = "0";
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {Path.GetFileName(dll)} {string.Join(' ', args)} did not end within {within.TotalSeconds:0} s.");
        }
        return new FinishedRun(process.ExitCode, await stdout, await stderr);
    }
}
