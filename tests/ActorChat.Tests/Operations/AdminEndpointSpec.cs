using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Server.Transport.Web;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;

namespace ActorChat.Tests.Operations;

/// <summary>The operator dashboard's page and data, spoken to as a program would: operators only.</summary>
public sealed class AdminEndpointSpec
{
    [Fact(Timeout = 60_000)]
    public async Task A_guest_without_a_session_cookie_gets_403_from_the_dashboard_and_its_data()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });

        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(http, server, "/api/admin", token: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(http, server, "/admin", token: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(http, server, "/admin.html", token: null)).StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_signed_in_user_who_is_not_an_operator_gets_403_from_the_dashboard_its_data_and_its_kick()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        var token = await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "alice");
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });

        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(http, server, "/api/admin", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(http, server, "/admin", token)).StatusCode);
        using var kick = await PostAsync(http, server, "/api/admin/kick", token, new { user = "alice" });
        Assert.Equal(HttpStatusCode.Forbidden, kick.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_operator_gets_the_page_and_a_snapshot_naming_who_is_online_with_address_and_transport()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        var token = await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "root");
        await using var bob = await WebSocketTestClient.ConnectAsync(server);
        await bob.SendAsync(new HelloRequest("bob"));
        await bob.ExpectAsync<WelcomeFrame>();
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });

        using var page = await GetAsync(http, server, "/admin", token);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("admin.js", await page.Content.ReadAsStringAsync());
        using var data = await GetAsync(http, server, "/api/admin", token);
        Assert.Equal(HttpStatusCode.OK, data.StatusCode);
        using var json = JsonDocument.Parse(await data.Content.ReadAsStringAsync());
        var user = Assert.Single(json.RootElement.GetProperty("users").EnumerateArray(), u => u.GetProperty("name").GetString() == "bob");
        Assert.Equal("websocket", user.GetProperty("transport").GetString());
        Assert.Equal("127.0.0.1", user.GetProperty("address").GetString());
        Assert.True(json.RootElement.GetProperty("counters").GetProperty("connections").GetProperty("websocket").GetInt64() >= 1);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_operators_kick_from_another_sites_origin_is_refused_with_403_and_the_user_stays()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        var token = await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "root");
        await using var bob = await WebSocketTestClient.ConnectAsync(server);
        await bob.SendAsync(new HelloRequest("bob"));
        await bob.ExpectAsync<WelcomeFrame>();
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });

        using var refused = await PostAsync(http, server, "/api/admin/kick", token, new { user = "bob" }, origin: "http://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await bob.SendAsync(new PingRequest());
        await bob.ExpectAsync<PongFrame>();

        using var kicked = await PostAsync(http, server, "/api/admin/kick", token, new { user = "bob" }, origin: $"http://{server.WebEndpoint}");
        Assert.Equal(HttpStatusCode.OK, kicked.StatusCode);
        Assert.Equal(ByeFrame.Killed, (await bob.ExpectAsync<ByeFrame>()).Reason);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_operators_ban_from_the_page_sends_the_user_away_banned_and_a_kick_of_nobody_online_is_404()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        var token = await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "root");
        await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "bob");
        await using var bob = await WebSocketTestClient.ConnectAsync(server);
        await bob.SendAsync(new HelloRequest("bob", "correct horse battery"));
        await bob.ExpectAsync<WelcomeFrame>();
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });
        var origin = $"http://{server.WebEndpoint}";

        using var banned = await PostAsync(http, server, "/api/admin/ban", token, new { user = "bob", minutes = 30 }, origin);
        Assert.Equal(HttpStatusCode.OK, banned.StatusCode);
        Assert.Equal(ByeFrame.Banned, (await bob.ExpectAsync<ByeFrame>()).Reason);

        using var nobody = await PostAsync(http, server, "/api/admin/kick", token, new { user = "carol" }, origin);
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failed_sign_in_is_among_the_recent_warnings_of_the_snapshot()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        var token = await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "root");
        await using (var mallory = await WebSocketTestClient.ConnectAsync(server))
        {
            await mallory.SendAsync(new HelloRequest("root", "not the password"));
            Assert.Equal(ErrorCodes.AuthFailed, (await mallory.ExpectAsync<ErrorFrame>()).Code);
        }
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });

        using var data = await GetAsync(http, server, "/api/admin", token);
        using var json = JsonDocument.Parse(await data.Content.ReadAsStringAsync());

        Assert.Contains(json.RootElement.GetProperty("warnings").EnumerateArray(),
            w => w.GetProperty("text").GetString()!.StartsWith("Failed sign-in as root from 127.0.0.1", StringComparison.Ordinal));
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, RunningChatServer server, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.WebUri(), path));
        if (token is not null) request.Headers.Add("Cookie", $"{WebSessionTokens.CookieName}={token}");
        return await http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, RunningChatServer server, string path, string token, object body,
        string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.WebUri(), path)) { Content = JsonContent.Create(body) };
        request.Headers.Add("Cookie", $"{WebSessionTokens.CookieName}={token}");
        if (origin is not null) request.Headers.Add("Origin", origin);
        return await http.SendAsync(request);
    }
}
