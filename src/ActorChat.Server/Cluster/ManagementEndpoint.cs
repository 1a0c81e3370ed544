using System.Collections.Immutable;
using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Akka.Management.Dsl;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;

namespace ActorChat.Server.Cluster;

/// <summary>
/// The management endpoint cluster bootstrap probes: <c>GET /bootstrap/seed-nodes</c>, on Kestrel at the cluster
/// host and management port, and nothing else. Akka.Management would serve it on its own HTTP server, but that one
/// (Akka.Http.Shim 1.5.73, built on Ceen.Httpd 0.9.9) cannot start with the Ceen.Httpd served here (0.9.10): its
/// bind throws MissingMethodException. The answer is the one Akka.Management's route gives (its
/// <see cref="HttpBootstrapJsonProtocol.SeedNodes"/> through Newtonsoft.Json, as its probes read it), so a node
/// running Akka.Management's own server could probe this one and the other way round.
/// </summary>
public sealed class ManagementEndpoint : IAsyncDisposable
{
    public const string SeedNodesPath = "/bootstrap/seed-nodes";

    /// <summary>Members an answer names at most: a joining node takes at most 5 of them (LowestAddressJoinDecider).</summary>
    private const int MaxSeedNodes = 5;

    private readonly WebApplication _app;

    private ManagementEndpoint(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The endpoint as the other nodes name it: <c>http://host:port/</c>, with the port really bound.</summary>
    public Uri Address { get; }

    /// <summary>Listens on every address <paramref name="host"/> stands for (an IP address: that one only).</summary>
    /// <exception cref="IOException">The port cannot be bound.</exception>
    public static async Task<ManagementEndpoint> StartAsync(ActorSystem system, string host, int port)
    {
        var addresses = IPAddress.TryParse(host, out var address) ? [address] : await Dns.GetHostAddressesAsync(host);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            foreach (var each in addresses) kestrel.Listen(each, port);
            // Only the nodes and operators come here: a few connections, no bodies.
            kestrel.Limits.MaxConcurrentConnections = 64;
            kestrel.Limits.MaxRequestBodySize = 0;
        });
        var app = builder.Build();
        var cluster = Akka.Cluster.Cluster.Get(system);
        app.MapGet(SeedNodesPath, (HttpContext context) => SeedNodesAsync(cluster, context));
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Select(a => new Uri(a).Port).First();
        var self = new Uri($"http://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{bound}/");
        return new ManagementEndpoint(app, self);
    }

    /// <summary>
    /// Tells bootstrap where this node's endpoint is (it compares it with the contact points to find itself among
    /// them), then starts it.
    /// </summary>
    public async Task StartBootstrapAsync(ActorSystem system)
    {
        var bootstrap = ClusterBootstrap.Get(system);
        bootstrap.Routes(ManagementRouteProviderSettings.Create(Address, readOnly: true)); // sets the self contact point
        await bootstrap.Start();
    }

    /// <summary>This node and the reachable members that are up or joining; 503 while this node is leaving the cluster.</summary>
    private static async Task SeedNodesAsync(Akka.Cluster.Cluster cluster, HttpContext context)
    {
        if (cluster.SelfMember.Status is MemberStatus.Leaving or MemberStatus.Exiting or MemberStatus.Down)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        var state = cluster.State;
        var members = state.Members
            .Where(m => !state.Unreachable.Contains(m) && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
            .Take(MaxSeedNodes)
            .Select(m => new HttpBootstrapJsonProtocol.ClusterMember(m.UniqueAddress.Address, m.UniqueAddress.Uid, m.Status, m.Roles))
            .ToImmutableList();
        var body = JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(cluster.SelfAddress, members));
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
