using System.Diagnostics;

namespace ActorChat.Tests.Support;

/// <summary>
/// Two network namespaces joined by a veth pair: a small LAN of two hosts that exists only inside this machine.
/// Addresses are 10.201.N.1 (first) and 10.201.N.2 (second) on a /24 that lives only in the namespaces; the
/// second has a default route over the veth, as a LAN host would, so 255.255.255.255 goes out there too.
/// Dispose deletes both namespaces, which also removes the veth pair.
/// </summary>
public sealed class NetworkNamespaces : IDisposable
{
    private NetworkNamespaces(string first, string second, int subnet)
    {
        First = first;
        Second = second;
        Subnet = subnet;
    }

    public string First { get; }
    public string Second { get; }
    public int Subnet { get; }
    public string FirstAddress => $"10.201.{Subnet}.1";
    public string SecondAddress => $"10.201.{Subnet}.2";
    public string BroadcastAddress => $"10.201.{Subnet}.255";

    public static NetworkNamespaces Create()
    {
        EnsureIpTool();
        var tag = $"{Environment.ProcessId % 10000}{Random.Shared.Next(100, 999)}";
        var subnet = Random.Shared.Next(1, 255);
        var lan = new NetworkNamespaces($"acd-a-{tag}", $"acd-b-{tag}", subnet);
        var vethA = $"acda{tag}";
        var vethB = $"acdb{tag}";
        try
        {
            Ip("netns", "add", lan.First);
            Ip("netns", "add", lan.Second);
            Ip("link", "add", vethA, "type", "veth", "peer", "name", vethB);
            Ip("link", "set", vethA, "netns", lan.First);
            Ip("link", "set", vethB, "netns", lan.Second);
            Ip("-n", lan.First, "addr", "add", $"{lan.FirstAddress}/24", "dev", vethA);
            Ip("-n", lan.Second, "addr", "add", $"{lan.SecondAddress}/24", "dev", vethB);
            foreach (var (ns, veth) in new[] { (lan.First, vethA), (lan.Second, vethB) })
            {
                Ip("-n", ns, "link", "set", "lo", "up");
                Ip("-n", ns, "link", "set", veth, "up");
            }
            Ip("-n", lan.Second, "route", "add", "default", "dev", vethB);
            return lan;
        }
        catch
        {
            lan.Dispose();
            Run("ip", ["link", "del", vethA], check: false); // in case it never left this namespace
            throw;
        }
    }

    /// <summary>Arguments for a process that runs <c>dotnet DLL args</c> inside a namespace.</summary>
    public static string[] DotnetIn(string ns, string dll, params string[] arguments) => ["netns", "exec", ns, "dotnet", dll, .. arguments];

    public void Dispose()
    {
        Run("ip", ["netns", "del", First], check: false);
        Run("ip", ["netns", "del", Second], check: false);
    }

    private static void EnsureIpTool()
    {
        if (Run("ip", ["-V"], check: false) == 0) return;
        Run("apt-get", ["update"], check: true, timeoutSeconds: 300);
        Run("apt-get", ["install", "-y", "iproute2"], check: true, timeoutSeconds: 300);
    }

    private static void Ip(params string[] arguments) => Run("ip", arguments, check: true);

    private static int Run(string file, string[] arguments, bool check, int timeoutSeconds = 30)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception) when (!check)
        {
            return -1; // not installed
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(timeoutSeconds * 1000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} {string.Join(' ', arguments)} took over {timeoutSeconds} s");
            }
            if (check && process.ExitCode != 0)
                throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.Result}");
            return process.ExitCode;
        }
    }
}
