using System.Net;
using System.Text.Json;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;

namespace ActorChat.Tests.Operations;

/// <summary>Readiness follows the journal's database: 503 while PostgreSQL is away, 200 again once it is back.</summary>
public sealed class StoreReadinessTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 240_000)]
    public async Task Readiness_answers_503_naming_the_store_while_postgres_is_stopped_and_200_once_it_is_back()
    {
        await using var server = await TestServer.StartAsync("--postgres", postgres.ConnectionString);
        using var http = new HttpClient { BaseAddress = server.WebUri(), Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal(HttpStatusCode.OK, (await ReadinessWhenAsync(http, HttpStatusCode.OK)).Status);

        await postgres.StopAsync();
        try
        {
            var (status, body) = await ReadinessWhenAsync(http, HttpStatusCode.ServiceUnavailable);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            var store = Check(body, "store");
            Assert.Equal("Unhealthy", store.GetProperty("status").GetString());
            Assert.Contains("did not write and read a row", store.GetProperty("reason").GetString());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz/live")).StatusCode); // the process itself is fine
        }
        finally
        {
            await postgres.StartAsync();
        }

        var (back, backBody) = await ReadinessWhenAsync(http, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, back);
        Assert.Equal("Healthy", Check(backBody, "store").GetProperty("status").GetString());
    }

    /// <summary>Asks /healthz/ready until it answers <paramref name="wanted"/> or <see cref="Within"/> is over; the last answer.</summary>
    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadinessWhenAsync(HttpClient http, HttpStatusCode wanted)
    {
        var deadline = DateTime.UtcNow + Within;
        (HttpStatusCode Status, JsonElement Body) last;
        for (var attempt = 0; ; attempt++)
        {
            var response = await http.GetAsync("/healthz/ready");
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            last = (response.StatusCode, body.RootElement.Clone());
            if (last.Status == wanted || DateTime.UtcNow > deadline || attempt >= 600) return last;
            await Task.Delay(100); // the pace of the probe, not a wait for something to happen
        }
    }

    private static JsonElement Check(JsonElement body, string name) =>
        body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
}
