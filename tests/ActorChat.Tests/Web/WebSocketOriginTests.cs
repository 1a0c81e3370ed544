using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using ActorChat.Messages;
using ActorChat.Server.Transport.Web;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Web;

/// <summary>Which pages may open the chat WebSocket: the page's own origin, configured ones, and non-browsers.</summary>
public sealed class WebSocketOriginTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_page_from_a_foreign_origin_is_refused_with_403()
    {
        await using var server = await TestServer.StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", "http://evil.example");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(server.WebSocketUri(), timeout.Token));

        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_refusal_is_one_line_that_names_the_origin()
    {
        await using var server = await TestServer.StartAsync();

        var response = await RawUpgradeAsync(server.WebEndpoint!, $"Host: {server.WebEndpoint}\r\nOrigin: http://evil.example\r\n");

        var lines = response.Split("\r\n\r\n", 2);
        Assert.StartsWith("HTTP/1.1 403", lines[0]);
        Assert.Contains("http://evil.example", lines[1]);
        Assert.Equal(1, lines[1].Count(c => c == '\n'));
        Assert.EndsWith("\n", lines[1]);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_page_from_the_servers_own_origin_is_accepted()
    {
        await using var server = await TestServer.StartAsync();
        var ownOrigin = $"http://{server.WebEndpoint}";

        await using var client = await WebSocketTestClient.ConnectAsync(server, configure: o => o.SetRequestHeader("Origin", ownOrigin));
        await client.SendAsync(PingRequest.Instance);

        await client.ExpectAsync<PongFrame>();
    }

    [Fact(Timeout = 30_000)]
    public async Task The_own_origin_is_the_host_the_page_was_asked_for_not_a_fixed_address()
    {
        await using var server = await TestServer.StartAsync();
        var hostName = $"localhost:{server.WebEndpoint!.Port}";

        var asLocalhost = await RawUpgradeAsync(server.WebEndpoint, $"Host: {hostName}\r\nOrigin: http://{hostName}\r\n");
        var mismatched = await RawUpgradeAsync(server.WebEndpoint, $"Host: {hostName}\r\nOrigin: http://{server.WebEndpoint}\r\n");

        Assert.StartsWith("HTTP/1.1 101", asLocalhost);
        Assert.StartsWith("HTTP/1.1 403", mismatched);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_client_that_sends_no_origin_is_accepted()
    {
        await using var server = await TestServer.StartAsync();

        await using var client = await WebSocketTestClient.ConnectAsync(server);
        await client.SendAsync(PingRequest.Instance);

        await client.ExpectAsync<PongFrame>();
    }

    [Fact(Timeout = 30_000)]
    public async Task A_page_from_an_allowed_origin_is_accepted_and_others_still_refused()
    {
        await using var server = await TestServer.StartAsync("--web-allowed-origins", "https://chat.example.org, http://other.example:8443");

        await using var allowed = await WebSocketTestClient.ConnectAsync(server,
            configure: o => o.SetRequestHeader("Origin", "https://chat.example.org"));
        await allowed.SendAsync(PingRequest.Instance);
        await allowed.ExpectAsync<PongFrame>();
        var other = await RawUpgradeAsync(server.WebEndpoint!, $"Host: {server.WebEndpoint}\r\nOrigin: http://other.example:8443\r\n");
        var foreign = await RawUpgradeAsync(server.WebEndpoint!, $"Host: {server.WebEndpoint}\r\nOrigin: https://chat.example.org.evil.example\r\n");

        Assert.StartsWith("HTTP/1.1 101", other);
        Assert.StartsWith("HTTP/1.1 403", foreign);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", "http", "127.0.0.1:8080", true)]
    [InlineData("HTTP://LOCALHOST:8080", "http", "localhost:8080", true)]
    [InlineData("http://example.org", "http", "example.org:80", true)]
    [InlineData("https://example.org", "http", "example.org", false)]
    [InlineData("http://127.0.0.1:8081", "http", "127.0.0.1:8080", false)]
    [InlineData("http://evil.example", "http", "127.0.0.1:8080", false)]
    [InlineData("null", "http", "127.0.0.1:8080", false)]
    [InlineData("http://127.0.0.1:8080/page", "http", "127.0.0.1:8080", false)]
    [InlineData("file://", "http", "127.0.0.1:8080", false)]
    [InlineData("", "http", "127.0.0.1:8080", false)]
    [InlineData("http://127.0.0.1:8080", "http", "", false)]
    [InlineData(null, "http", "127.0.0.1:8080", true)]
    [InlineData("https://allowed.example", "http", "127.0.0.1:8080", true)]
    public void The_origin_rule_compares_scheme_host_and_port(string? origin, string scheme, string host, bool allowed) =>
        Assert.Equal(allowed, new OriginPolicy(["https://allowed.example/"]).Allows(origin, scheme, host));

    [Fact]
    public void A_configured_origin_that_is_not_an_origin_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => new OriginPolicy(["chat.example.org"]));
        Assert.Throws<ArgumentException>(() => new OriginPolicy(["https://chat.example.org/path"]));
        Assert.Throws<InvalidOperationException>(() => TestServer.Settings("--web-allowed-origins", "not an origin"));
    }

    /// <summary>A WebSocket upgrade written by hand, so the test controls every header; returns the response head and body.</summary>
    private static async Task<string> RawUpgradeAsync(IPEndPoint endpoint, string headers)
    {
        using var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await tcp.ConnectAsync(endpoint, timeout.Token);
        var stream = tcp.GetStream();
        var request = "GET /ws HTTP/1.1\r\n" + headers +
                      "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
        var received = new StringBuilder();
        var buffer = new byte[4096];
        // Read until the head is complete and, for a refusal, its body too (Content-Length or the close).
        for (var reads = 0; reads < 100; reads++)
        {
            var text = received.ToString();
            var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd >= 0 && text.StartsWith("HTTP/1.1 101", StringComparison.Ordinal)) break;
            if (headEnd >= 0 && BodyComplete(text, headEnd)) break;
            var count = await stream.ReadAsync(buffer, timeout.Token);
            if (count == 0) break;
            received.Append(Encoding.UTF8.GetString(buffer, 0, count));
        }
        return received.ToString();
    }

    private static bool BodyComplete(string response, int headEnd)
    {
        var head = response[..headEnd];
        var body = response[(headEnd + 4)..];
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                return Encoding.UTF8.GetByteCount(body) >= int.Parse(line["Content-Length:".Length..].Trim());
            if (line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase))
                return body.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
        }
        return false;
    }
}
