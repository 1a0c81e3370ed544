using System.Collections;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ActorChat.Tests.Web;

public sealed class HttpEndpointTests
{
    [Fact(Timeout = 30_000)]
    public async Task Healthz_answers_200_once_the_actor_system_and_listeners_are_up()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.WebUri() };

        var response = await http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_server_is_no_longer_ready_once_it_stops()
    {
        var server = await TestServer.StartAsync();
        var readiness = server.Host.Services.GetRequiredService<ServerReadiness>();
        var readyWhileRunning = readiness.IsReady;

        await server.DisposeAsync();

        Assert.True(readyWhileRunning);
        Assert.False(readiness.IsReady);
    }

    [Fact(Timeout = 30_000)]
    public async Task Status_reports_uptime_connections_by_transport_rooms_and_messages_since_start()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.WebUri() };
        await using var web = await WebSocketTestClient.ConnectAsUserAsync(server, "webby", "status-room");
        await using var tcp = await ChatConnection.ConnectAsync("127.0.0.1", server.TcpEndpoint.Port);
        await tcp.SendAsync(new HelloRequest("tcpy"));
        await tcp.SendAsync(new JoinRequest("status-room"));
        await tcp.SendAsync(new SayRequest("status-room", "one"));
        await tcp.SendAsync(new SayRequest("status-room", "two"));
        await web.ExpectAsync<MessageFrame>(m => m.Text == "two");
        await web.SendAsync(new SayRequest("status-room", "three"));
        await web.ExpectAsync<MessageFrame>(m => m.Text == "three");

        using var status = JsonDocument.Parse(await http.GetStringAsync("/api/status"));
        var root = status.RootElement;

        Assert.True(root.GetProperty("uptimeSeconds").GetDouble() >= 0);
        Assert.Equal(1, root.GetProperty("connections").GetProperty("tcp").GetInt32());
        Assert.Equal(1, root.GetProperty("connections").GetProperty("websocket").GetInt32());
        var room = Assert.Single(root.GetProperty("rooms").EnumerateArray());
        Assert.Equal(("status-room", 2), (room.GetProperty("name").GetString(), room.GetProperty("members").GetInt32()));
        Assert.Equal(3, root.GetProperty("messagesSinceStart").GetInt64());
    }

    [Fact(Timeout = 30_000)]
    public async Task The_chat_page_and_its_files_are_served_with_a_content_security_policy()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.WebUri() };

        var page = await http.GetAsync("/");
        var script = await http.GetAsync("/app.js");
        var style = await http.GetAsync("/app.css");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("app.js", await page.Content.ReadAsStringAsync());
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal(HttpStatusCode.OK, style.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_page_is_served_by_a_server_process_started_from_another_working_directory()
    {
        await using var server = await ServerProcess.StartReadyAsync();
        var address = Regex.Match(server.StandardOutput, @"web chat (http://\S+/)").Groups[1].Value;
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        var page = await http.GetStringAsync("/");

        Assert.Contains("<title>ActorChat</title>", page);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_plain_http_request_to_the_websocket_endpoint_is_refused_with_400()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.WebUri() };

        var response = await http.GetAsync("/ws");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_bound_web_port_is_exposed_for_discovery()
    {
        await using var server = await TestServer.StartAsync();

        var endpoints = server.Host.Services.GetRequiredService<ListeningEndpoints>();

        Assert.NotNull(server.WebEndpoint);
        Assert.NotEqual(0, server.WebEndpoint.Port);
        Assert.Equal(server.WebEndpoint.Port, endpoints.WebPort);
        Assert.Equal(server.TcpEndpoint, endpoints.Tcp);
    }

    [Fact(Timeout = 30_000)]
    public async Task Web_port_0_turns_the_web_server_off()
    {
        await using var server = await TestServer.StartAsync("--web-port", "0");

        Assert.Null(server.WebEndpoint);
        Assert.Equal(0, server.Host.Services.GetRequiredService<ListeningEndpoints>().WebPort);
    }

    [Fact]
    public void The_web_port_defaults_to_8080_and_follows_the_environment_and_then_the_flag()
    {
        var defaults = SettingsLoader.Load([], new Hashtable());
        var fromEnv = SettingsLoader.Load([], new Hashtable { ["ACTORCHAT_WEB_PORT"] = "9090" });
        var fromFlag = SettingsLoader.Load(["--web-port", "auto"], new Hashtable { ["ACTORCHAT_WEB_PORT"] = "9090" });

        Assert.Equal(8080, defaults.Settings!.Web.Port);
        Assert.Equal(9090, fromEnv.Settings!.Web.Port);
        Assert.Equal(WebTransportSettings.AutoPort, fromFlag.Settings!.Web.Port);
    }

    [Fact]
    public void The_web_bind_address_follows_bind_unless_it_has_its_own()
    {
        var follows = SettingsLoader.Load(["--bind", "127.0.0.2"], new Hashtable());
        var own = SettingsLoader.Load(["--bind", "127.0.0.2", "--web-bind", "127.0.0.3"], new Hashtable());

        Assert.Equal("127.0.0.2", follows.Settings!.Web.Bind);
        Assert.Equal("127.0.0.3", own.Settings!.Web.Bind);
    }

    [Fact]
    public void A_web_port_that_is_not_a_number_or_auto_is_a_clear_error()
    {
        var load = SettingsLoader.Load(["--web-port", "eighty"], new Hashtable());

        Assert.Contains("--web-port", load.Error);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_web_port_in_use_is_a_clear_start_up_error()
    {
        await using var first = await TestServer.StartAsync();

        var error = await Assert.ThrowsAsync<ServerStartException>(
            () => TestServer.StartAsync("--web-port", first.WebEndpoint!.Port.ToString()));

        Assert.Contains("HTTP", error.Message);
    }
}
