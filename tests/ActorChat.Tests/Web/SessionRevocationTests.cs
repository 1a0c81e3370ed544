using System.Net;
using System.Net.Http.Json;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Server.Transport.Web;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Web;

/// <summary>A session cookie that worked stops working after a password change, a kill or a ban of its account.</summary>
public sealed class SessionRevocationTests
{
    private const string Password = "correct horse battery"; // the one WebSessionEndpointTests.RegisterOverWebSocketAsync uses

    private static async Task<string?> SessionNameAsync(RunningChatServer server, string token)
    {
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.WebUri(), "/api/session"));
        request.Headers.Add("Cookie", $"{WebSessionTokens.CookieName}={token}");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SessionName>())!.Name;
    }

    private static Task<WebSocketTestClient> ConnectWithCookieAsync(RunningChatServer server, string token) =>
        WebSocketTestClient.ConnectAsync(server, configure: options =>
        {
            options.Cookies = new CookieContainer();
            options.Cookies.Add(new Uri($"http://{server.WebEndpoint}/"), new Cookie(WebSessionTokens.CookieName, token));
        });

    /// <summary>A page with the cookie says hello without a password: a welcome while the cookie works.</summary>
    private static async Task<(WebSocketTestClient Page, ServerFrame Answer)> HelloByCookieAsync(RunningChatServer server, string name, string token)
    {
        var page = await ConnectWithCookieAsync(server, token);
        await page.SendAsync(new HelloRequest(name));
        return (page, await page.ExpectAsync<ServerFrame>(f => f is WelcomeFrame or ErrorFrame));
    }

    private static async Task<TestClient> OperatorAsync(RunningChatServer server)
    {
        var root = await TestClient.ConnectAsync(server);
        await root.SendAsync(new RegisterRequest("root", "roots-password"));
        await root.ExpectAsync<RegisteredFrame>();
        return root;
    }

    private static async Task AssertCookieWorksAsync(RunningChatServer server, string name, string token)
    {
        Assert.Equal(name, await SessionNameAsync(server, token));
    }

    private static async Task AssertCookieRevokedAsync(RunningChatServer server, string name, string token)
    {
        Assert.Null(await SessionNameAsync(server, token));
        var (page, answer) = await HelloByCookieAsync(server, name, token);
        await using (page)
        {
            Assert.Equal(ErrorCodes.AuthFailed, Assert.IsType<ErrorFrame>(answer).Code);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Changing_the_password_signs_every_page_of_the_account_out()
    {
        await using var server = await TestServer.StartAsync();
        var token = await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "alice");
        await AssertCookieWorksAsync(server, "alice", token);

        var (page, welcome) = await HelloByCookieAsync(server, "alice", token);
        await using (page)
        {
            Assert.IsType<WelcomeFrame>(welcome);
            await page.SendAsync(new PasswordRequest(Password, "a brand new password"));
            Assert.Equal("password", (await page.ExpectAsync<DoneFrame>()).Request);
            await page.SendAsync(QuitRequest.Instance);
            await page.ExpectAsync<ByeFrame>();
        }

        await AssertCookieRevokedAsync(server, "alice", token);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_operator_kill_signs_the_pages_of_the_account_out()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        var token = await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "bob");
        await using var root = await OperatorAsync(server);
        var (page, welcome) = await HelloByCookieAsync(server, "bob", token);
        await using (page)
        {
            Assert.IsType<WelcomeFrame>(welcome);
            await root.SendAsync(new KillRequest("bob", "go away"));
            await root.ExpectAsync<DoneFrame>();
            Assert.Equal(ByeFrame.Killed, (await page.ExpectAsync<ByeFrame>()).Reason);
        }

        await AssertCookieRevokedAsync(server, "bob", token);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_ban_of_the_account_sends_its_connections_away_and_revokes_its_cookie_for_good()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        var token = await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "carol");
        await using var root = await OperatorAsync(server);
        var (page, welcome) = await HelloByCookieAsync(server, "carol", token);
        await using (page)
        {
            Assert.IsType<WelcomeFrame>(welcome);
            await root.SendAsync(new BanRequest(User: "carol", Reason: "trouble"));
            await root.ExpectAsync<DoneFrame>();
            Assert.Equal(ByeFrame.Banned, (await page.ExpectAsync<ByeFrame>()).Reason);
        }
        Assert.Null(await SessionNameAsync(server, token));

        // Lifting the ban does not bring the old cookie back: carol signs in with her password again.
        await root.SendAsync(new UnbanRequest(User: "carol"));
        await root.ExpectAsync<DoneFrame>();
        await AssertCookieRevokedAsync(server, "carol", token);
    }
}
