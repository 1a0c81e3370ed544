using System.Net;
using System.Text;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Operations;

/// <summary>--metrics otlp pushes the ActorChat meter over OTLP/HTTP; a server that stops sends what it has left.</summary>
public sealed class OtlpExportSpec
{
    [Fact(Timeout = 60_000)]
    public async Task A_server_with_otlp_metrics_posts_its_instruments_to_the_endpoint_by_the_time_it_stops()
    {
        var port = FreeTcpPort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = ReceiveOneAsync(collector);

        var server = await TestServer.StartAsync("--metrics", "otlp", "--otlp-endpoint", $"http://127.0.0.1:{port}");
        await using (var alice = await TestClient.ConnectAsync(server, "alice"))
            await alice.JoinAsync("otlp");
        using var http = new HttpClient { BaseAddress = ActorChat.Tests.Web.WebAddresses.WebUri(server) };
        var scrape = await http.GetAsync("/metrics");
        await server.DisposeAsync(); // the meter provider flushes as the server stops

        var (path, body) = await received.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("/v1/metrics", path);
        Assert.Contains("connections.opened", body); // instrument names travel as text inside the protobuf
        Assert.Contains("ActorChat", body);
        Assert.Equal(HttpStatusCode.NotFound, scrape.StatusCode); // no scrape endpoint with otlp
    }

    private static int FreeTcpPort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task<(string Path, string Body)> ReceiveOneAsync(HttpListener collector)
    {
        var context = await collector.GetContextAsync();
        using var buffer = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(buffer);
        context.Response.StatusCode = 200;
        context.Response.Close();
        return (context.Request.Url!.AbsolutePath, Encoding.Latin1.GetString(buffer.ToArray()));
    }
}
