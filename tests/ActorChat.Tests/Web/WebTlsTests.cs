using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Web;

/// <summary>The web chat over HTTPS and WSS with the server's certificate, pinned by its fingerprint as in the TLS tests.</summary>
public sealed class WebTlsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static SocketsHttpHandler PinnedHandler(RunningChatServer server, bool followRedirects = true) => new()
    {
        AllowAutoRedirect = followRedirects,
        SslOptions = { RemoteCertificateValidationCallback = TlsTestClient.Pinned(server.Certificate!.Fingerprint) },
    };

    [Fact]
    public async Task Https_serves_the_chat_page_and_the_status_names_the_certificate_fingerprint_and_counts_tls_clients()
    {
        await using var server = await TestServer.StartAsync("--web-tls-port", "auto", "--tls-port", "auto");
        using var http = new HttpClient(PinnedHandler(server)) { Timeout = Bound };
        await using var terminal = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, server.Certificate!.Fingerprint, "carol");

        var page = await http.GetAsync(server.WebTlsUri);
        var status = await http.GetStringAsync(new Uri(server.WebTlsUri!, "/api/status"));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var fingerprint = JsonDocument.Parse(status).RootElement.GetProperty("tlsFingerprint").GetString();
        Assert.Equal(server.Certificate!.Fingerprint, fingerprint!.Replace(":", "").ToLowerInvariant());
        Assert.Equal(1, JsonDocument.Parse(status).RootElement.GetProperty("connections").GetProperty("tls").GetInt32());
    }

    [Fact]
    public async Task Wss_from_the_https_page_chats_with_a_plain_tcp_client()
    {
        await using var server = await TestServer.StartAsync("--web-tls-port", "auto");
        await using var plain = await TestClient.ConnectAsync(server, "bob");
        await plain.JoinAsync("lobby");
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", $"https://{server.WebTlsEndpoint}"); // as a browser on the https page sends it
        using var timeout = new CancellationTokenSource(Bound);
        using var invoker = new HttpMessageInvoker(PinnedHandler(server));
        await socket.ConnectAsync(new Uri($"wss://{server.WebTlsEndpoint}/ws"), invoker, timeout.Token);

        await SendAsync(socket, new HelloRequest("alice"), timeout.Token);
        await SendAsync(socket, new JoinRequest("lobby"), timeout.Token);
        await SendAsync(socket, new SayRequest("lobby", "over WSS"), timeout.Token);

        Assert.Equal("alice", (await plain.ExpectAsync<MessageFrame>(m => m.Text == "over WSS")).Sender);
    }

    [Fact]
    public async Task With_web_tls_only_plain_http_redirects_to_the_same_path_on_https()
    {
        await using var server = await TestServer.StartAsync("--web-tls-port", "auto", "--web-tls-only");
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Bound };

        var answer = await http.GetAsync(new Uri(server.WebUri(), "/api/status?x=1"));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, answer.StatusCode);
        Assert.Equal(new Uri($"https://127.0.0.1:{server.WebTlsEndpoint!.Port}/api/status?x=1"), answer.Headers.Location);
        using var pinned = new HttpClient(PinnedHandler(server)) { Timeout = Bound };
        Assert.Equal(HttpStatusCode.OK, (await pinned.GetAsync(answer.Headers.Location)).StatusCode);
    }

    [Fact]
    public async Task Without_web_tls_only_plain_http_still_serves_the_page()
    {
        await using var server = await TestServer.StartAsync("--web-tls-port", "auto");
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Bound };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(server.WebUri())).StatusCode);
    }

    private static Task SendAsync(ClientWebSocket socket, ClientFrame frame, CancellationToken cancellationToken)
    {
        var line = FrameCodec.EncodeLine(frame);
        return socket.SendAsync(line.AsMemory(0, line.Length - 1), WebSocketMessageType.Text, endOfMessage: true, cancellationToken).AsTask();
    }
}
