using System.Net;
using System.Text.Json;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;

namespace ActorChat.Tests.Operations;

/// <summary>
/// Readiness follows the journal's database: 503 while PostgreSQL is away or frozen (it accepts connections but
/// answers nothing), 200 again once it is back.
/// </summary>
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

    [Fact(Timeout = 240_000)]
    public async Task Readiness_answers_503_naming_the_store_within_the_store_timeout_while_postgres_is_frozen_and_200_once_it_runs_again()
    {
        await using var server = await TestServer.StartAsync("--postgres", postgres.ConnectionString);
        var storeTimeout = TestServer.Settings().Operations.StoreTimeout;
        var bound = storeTimeout + TimeSpan.FromSeconds(3); // the check's deadline, and time for the rest of the answer
        using var http = new HttpClient { BaseAddress = server.WebUri(), Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal(HttpStatusCode.OK, (await ReadinessWhenAsync(http, HttpStatusCode.OK)).Status);

        var frozen = postgres.Freeze();
        try
        {
            // Every probe while frozen: the pooled connection's backend and a new connection's postmaster both hang,
            // so each answer is the check's deadline running out, and probes that hang must not pile up.
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var response = await http.GetAsync("/healthz/ready");
                var elapsed = watch.Elapsed;
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.True(elapsed < bound, $"readiness answered after {elapsed.TotalSeconds:0.0} s, more than {bound.TotalSeconds} s");
                var store = Check(body.RootElement, "store");
                Assert.Equal("Unhealthy", store.GetProperty("status").GetString());
                Assert.Contains($"did not write and read a row within {storeTimeout.TotalSeconds:0.#} s", store.GetProperty("reason").GetString());
            }
            // Twenty at once: all answered in time, by one probe between them, not twenty connections to the database.
            var before = ConnectionsTo(postgres.Port);
            var watchMany = System.Diagnostics.Stopwatch.StartNew();
            var many = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => http.GetAsync("/healthz/ready")));
            Assert.All(many, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
            Assert.True(watchMany.Elapsed < bound, $"twenty readiness requests took {watchMany.Elapsed.TotalSeconds:0.0} s");
            var after = ConnectionsTo(postgres.Port);
            Assert.True(after <= before + 1, $"{after} connections to the frozen database after twenty readiness requests, {before} before");
            var live = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz/live")).StatusCode);
            Assert.True(live.Elapsed < bound, $"liveness answered after {live.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            PostgresServer.Thaw(frozen);
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

    /// <summary>Established TCP connections to 127.0.0.1:<paramref name="port"/> (this process's and the server's, one process here).</summary>
    private static int ConnectionsTo(int port) =>
        File.ReadLines("/proc/net/tcp").Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(f => f[2].EndsWith($":{port:X4}", StringComparison.Ordinal) && f[3] == "01");

    private static JsonElement Check(JsonElement body, string name) =>
        body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
}
