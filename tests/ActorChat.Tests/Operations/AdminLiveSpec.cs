using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Server.Transport.Web;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;

namespace ActorChat.Tests.Operations;

/// <summary>
/// The dashboard's own WebSocket, <c>GET /api/admin/live</c>: refused before the upgrade to anyone but an operator
/// and to another site's page; an operator's socket gets the snapshot at once and every 2 s, and is closed once the
/// operator signs out.
/// </summary>
public sealed class AdminLiveSpec
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 60_000)]
    public async Task A_guest_a_non_operator_and_an_operator_on_another_sites_page_are_refused_with_403_before_the_upgrade()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        var alice = await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "alice");
        var root = await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "root");

        Assert.Equal(HttpStatusCode.Forbidden, await RefusedAsync(server, token: null, origin: null));
        Assert.Equal(HttpStatusCode.Forbidden, await RefusedAsync(server, alice, OwnOrigin(server)));
        Assert.Equal(HttpStatusCode.Forbidden, await RefusedAsync(server, root, "http://evil.example"));

        using var http = new HttpClient(); // without an upgrade: told what the endpoint is, once signed in
        using var plain = new HttpRequestMessage(HttpMethod.Get, new Uri(server.WebUri(), "/api/admin/live"));
        plain.Headers.Add("Cookie", $"{WebSessionTokens.CookieName}={root}");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(plain)).StatusCode);
    }

    [Fact(Timeout = 90_000)]
    public async Task An_operators_socket_gets_a_snapshot_at_once_then_one_naming_a_user_who_connected_after_and_closes_at_sign_out()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        var root = await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "root");
        using var socket = await ConnectAsync(server, root, OwnOrigin(server));

        var first = await NextSnapshotAsync(socket);
        Assert.Equal("test-server", first.GetProperty("server").GetString());
        Assert.DoesNotContain(first.GetProperty("users").EnumerateArray(), u => u.GetProperty("name").GetString() == "bob");
        Assert.Equal(JsonValueKind.Null, first.GetProperty("nodes").ValueKind); // a single node

        await using var bob = await WebSocketTestClient.ConnectAsync(server);
        await bob.SendAsync(new HelloRequest("bob"));
        await bob.ExpectAsync<WelcomeFrame>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        JsonElement seen;
        do seen = await NextSnapshotAsync(socket);
        while (!seen.GetProperty("users").EnumerateArray().Any(u => u.GetProperty("name").GetString() == "bob") && watch.Elapsed < Within);
        var user = Assert.Single(seen.GetProperty("users").EnumerateArray(), u => u.GetProperty("name").GetString() == "bob");
        Assert.Equal("websocket", user.GetProperty("transport").GetString());
        Assert.True(seen.GetProperty("at").GetInt64() > first.GetProperty("at").GetInt64());

        using (var http = new HttpClient(new HttpClientHandler { UseCookies = false }))
        using (var signOut = new HttpRequestMessage(HttpMethod.Post, new Uri(server.WebUri(), "/api/session/delete")))
        {
            signOut.Headers.Add("Cookie", $"{WebSessionTokens.CookieName}={root}");
            Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(signOut)).StatusCode);
        }
        using var cancel = new CancellationTokenSource(Within);
        var buffer = new byte[64 * 1024];
        WebSocketReceiveResult received;
        do received = await socket.ReceiveAsync(buffer, cancel.Token); // at most the snapshot already on its way
        while (received.MessageType != WebSocketMessageType.Close);
        Assert.Equal(AdminLiveFeed.NotAnOperator, socket.CloseStatus);
    }

    private static string OwnOrigin(RunningChatServer server) => $"http://{server.WebEndpoint}";

    private static Uri LiveUri(RunningChatServer server) =>
        new UriBuilder(new Uri(server.WebUri(), "/api/admin/live")) { Scheme = "ws" }.Uri;

    private static async Task<ClientWebSocket> ConnectAsync(RunningChatServer server, string? token, string? origin)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (token is not null) socket.Options.SetRequestHeader("Cookie", $"{WebSessionTokens.CookieName}={token}");
        if (origin is not null) socket.Options.SetRequestHeader("Origin", origin);
        using var timeout = new CancellationTokenSource(Within);
        await socket.ConnectAsync(LiveUri(server), timeout.Token);
        return socket;
    }

    /// <summary>The status of a refused upgrade (fails when the upgrade goes through).</summary>
    private static async Task<HttpStatusCode> RefusedAsync(RunningChatServer server, string? token, string? origin)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (token is not null) socket.Options.SetRequestHeader("Cookie", $"{WebSessionTokens.CookieName}={token}");
        if (origin is not null) socket.Options.SetRequestHeader("Origin", origin);
        using var timeout = new CancellationTokenSource(Within);
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(LiveUri(server), timeout.Token));
        var status = socket.HttpStatusCode;
        socket.Dispose();
        return status;
    }

    private static async Task<JsonElement> NextSnapshotAsync(ClientWebSocket socket)
    {
        using var cancel = new CancellationTokenSource(Within);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(buffer, cancel.Token);
            Assert.Equal(WebSocketMessageType.Text, received.MessageType);
            message.Write(buffer, 0, received.Count);
        }
        while (!received.EndOfMessage);
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(message.ToArray()));
        return json.RootElement.Clone();
    }
}
