using System.Net;
using System.Net.Http.Json;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Server.Transport.Web;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Web;

/// <summary>The session cookie endpoints, spoken to as a program would: the cookie's flags, Origin, revocation.</summary>
public sealed class WebSessionEndpointTests
{
    private const string Password = "correct horse battery";

    [Fact(Timeout = 60_000)]
    public async Task A_token_from_registering_over_a_websocket_buys_an_http_only_same_site_strict_cookie()
    {
        await using var server = await TestServer.StartAsync();
        var token = await RegisterOverWebSocketAsync(server, "alice");
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });

        using var response = await http.PostAsJsonAsync(new Uri(server.WebUri(), "/api/session"), new { token });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"{WebSessionTokens.CookieName}={token};", cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=604800", cookie, StringComparison.OrdinalIgnoreCase); // 7 days
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase); // plain HTTP: a Secure cookie would never come back
        Assert.DoesNotContain(Password, cookie);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_page_from_a_foreign_origin_cannot_set_or_clear_the_session_cookie()
    {
        await using var server = await TestServer.StartAsync();
        var token = await RegisterOverWebSocketAsync(server, "alice");
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });

        using var set = new HttpRequestMessage(HttpMethod.Post, new Uri(server.WebUri(), "/api/session"))
        {
            Content = JsonContent.Create(new { token }),
        };
        set.Headers.Add("Origin", "http://evil.example");
        using var setResponse = await http.SendAsync(set);
        using var delete = new HttpRequestMessage(HttpMethod.Post, new Uri(server.WebUri(), "/api/session/delete"));
        delete.Headers.Add("Origin", "http://evil.example");
        delete.Headers.Add("Cookie", $"{WebSessionTokens.CookieName}={token}");
        using var deleteResponse = await http.SendAsync(delete);

        Assert.Equal(HttpStatusCode.Forbidden, setResponse.StatusCode);
        Assert.False(setResponse.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.Forbidden, deleteResponse.StatusCode);
        Assert.Equal("alice", await SessionNameAsync(http, server, token)); // not revoked
    }

    [Fact(Timeout = 60_000)]
    public async Task A_made_up_token_buys_no_cookie()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });

        using var response = await http.PostAsJsonAsync(new Uri(server.WebUri(), "/api/session"), new { token = "bm90LWEtdG9rZW4" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_websocket_with_the_cookie_says_hello_without_a_password_and_is_signed_in_to_the_account()
    {
        await using var server = await TestServer.StartAsync("--accounts", "required");
        var token = await RegisterOverWebSocketAsync(server, "alice");

        await using var again = await ConnectWithCookieAsync(server, token);
        await again.SendAsync(new HelloRequest("alice"));

        var welcome = await again.ExpectAsync<WelcomeFrame>();
        Assert.Equal("alice", welcome.Name);
        Assert.Null(welcome.SessionToken); // no new token: the page already holds one
    }

    [Fact(Timeout = 60_000)]
    public async Task After_sign_out_the_old_cookie_signs_nobody_in()
    {
        await using var server = await TestServer.StartAsync("--accounts", "required");
        var token = await RegisterOverWebSocketAsync(server, "alice");
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });
        using var delete = new HttpRequestMessage(HttpMethod.Post, new Uri(server.WebUri(), "/api/session/delete"));
        delete.Headers.Add("Cookie", $"{WebSessionTokens.CookieName}={token}");

        using var response = await http.SendAsync(delete);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var cleared = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.OrdinalIgnoreCase);
        Assert.Null(await SessionNameAsync(http, server, token));
        await using var again = await ConnectWithCookieAsync(server, token);
        await again.SendAsync(new HelloRequest("alice"));
        Assert.Equal(ErrorCodes.AuthRequired, (await again.ExpectAsync<ErrorFrame>()).Code);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_cookie_for_one_account_does_not_sign_in_another_name()
    {
        await using var server = await TestServer.StartAsync("--accounts", "required");
        var token = await RegisterOverWebSocketAsync(server, "alice");

        await using var again = await ConnectWithCookieAsync(server, token);
        await again.SendAsync(new HelloRequest("bob"));

        Assert.Equal(ErrorCodes.AuthRequired, (await again.ExpectAsync<ErrorFrame>()).Code);
    }

    [Fact(Timeout = 60_000)]
    public async Task Signing_in_with_a_password_over_tcp_gives_no_session_token()
    {
        await using var server = await TestServer.StartAsync();
        await RegisterOverWebSocketAsync(server, "alice");
        await using var tcp = await TestClient.ConnectAsync(server);

        await tcp.SendAsync(new HelloRequest("alice", Password));

        Assert.Null((await tcp.ExpectAsync<WelcomeFrame>()).SessionToken);
    }

    /// <summary>Registers over a WebSocket, returns the token of the registered frame and leaves (freeing the name).</summary>
    internal static async Task<string> RegisterOverWebSocketAsync(RunningChatServer server, string name)
    {
        await using var client = await WebSocketTestClient.ConnectAsync(server);
        await client.SendAsync(new RegisterRequest(name, Password));
        var registered = await client.ExpectAsync<RegisteredFrame>();
        Assert.False(string.IsNullOrEmpty(registered.SessionToken));
        Assert.Equal(43, registered.SessionToken!.Length); // 32 bytes, base64url without padding
        await client.SendAsync(QuitRequest.Instance);
        await client.ExpectAsync<ByeFrame>();
        return registered.SessionToken;
    }

    private static Task<WebSocketTestClient> ConnectWithCookieAsync(RunningChatServer server, string token) =>
        WebSocketTestClient.ConnectAsync(server, configure: options =>
        {
            options.Cookies = new CookieContainer();
            options.Cookies.Add(new Uri($"http://{server.WebEndpoint}/"), new Cookie(WebSessionTokens.CookieName, token));
        });

    private static async Task<string?> SessionNameAsync(HttpClient http, RunningChatServer server, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.WebUri(), "/api/session"));
        request.Headers.Add("Cookie", $"{WebSessionTokens.CookieName}={token}");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SessionName>())!.Name;
    }
}
