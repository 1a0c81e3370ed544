using System.Text.RegularExpressions;
using ActorChat.Tests.Support;
using Xunit;

namespace ActorChat.Tests.Discovery;

/// <summary>
/// A true broadcast across an interface: the server runs in one network namespace, the client in another, joined
/// by a veth pair. Nothing is sent anywhere but inside these two namespaces.
/// </summary>
[Collection(nameof(NetworkNamespaceTests))]
public sealed class DiscoveryBroadcastSpec
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(30);

    [RootFact]
    public async Task A_broadcast_from_another_namespace_finds_the_server_across_the_veth()
    {
        using var lan = NetworkNamespaces.Create();
        await using var server = ChildProcess.Start("ip", NetworkNamespaces.DotnetIn(lan.First, BuiltApps.ServerDll,
            "--port", "auto", "--udp-port", "12345", "--name", "netns-lab", "--in-memory", "--tls-port", "0"));
        await server.WaitForAsync("LAN discovery on UDP 12345", Startup);
        var tcpPort = Regex.Match(server.Output, @"ready: TCP [0-9.]+:(\d+)").Groups[1].Value;
        var expected = $"netns-lab\t{lan.FirstAddress}:{tcpPort}";

        foreach (var target in new[] { lan.BroadcastAddress, "255.255.255.255" })
        {
            await using var probe = ChildProcess.Start("ip", NetworkNamespaces.DotnetIn(lan.Second, BuiltApps.ClientDll,
                "--list-servers", "--discovery-port", "12345", "--discovery-target", target, "--discovery-time", "2"));
            Assert.Equal(0, await probe.WaitForExitAsync(Startup));
            Assert.Contains(expected, probe.Output);
        }
    }

    [RootFact]
    public async Task The_client_with_no_host_discovers_the_server_in_another_namespace_and_chats()
    {
        using var lan = NetworkNamespaces.Create();
        await using var server = ChildProcess.Start("ip", NetworkNamespaces.DotnetIn(lan.First, BuiltApps.ServerDll,
            "--port", "auto", "--udp-port", "12345", "--name", "netns-lab", "--in-memory", "--tls-port", "0"));
        await server.WaitForAsync("LAN discovery on UDP 12345", Startup);

        await using var client = ChildProcess.Start("ip", NetworkNamespaces.DotnetIn(lan.Second, BuiltApps.ClientDll, "--name", "carol"));
        await client.WriteLineAsync("hello across the veth");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Startup));
        Assert.Contains($"Found netns-lab at {lan.FirstAddress}:", client.Output);
        Assert.Contains("carol: hello across the veth", client.Output);
    }
}

/// <summary>Namespace tests run one at a time: each starts a server and a client on a two-core machine.</summary>
[CollectionDefinition(nameof(NetworkNamespaceTests), DisableParallelization = true)]
public sealed class NetworkNamespaceTests;
