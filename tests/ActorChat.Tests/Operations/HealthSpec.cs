using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;

namespace ActorChat.Tests.Operations;

/// <summary>
/// Liveness and readiness apart: /healthz/live says the process and its actors respond, /healthz/ready (and
/// /healthz) that the server can take clients. Each answer names every check with its status and reason.
/// </summary>
public sealed class HealthSpec
{
    [Fact(Timeout = 60_000)]
    public async Task Readiness_names_the_listeners_the_store_the_disk_and_the_rooms_and_liveness_the_actor_system()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.WebUri() };

        var (readyStatus, ready) = await HealthAsync(http, "/healthz/ready");
        var (liveStatus, live) = await HealthAsync(http, "/healthz/live");

        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal(["disk", "listeners", "rooms", "store"], Checks(ready).Keys.Order());
        Assert.All(Checks(ready).Values, check => Assert.Equal("Healthy", check.Status));
        Assert.Contains("every listener is bound", Checks(ready)["listeners"].Reason);
        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal(["actor-system"], Checks(live).Keys);
        Assert.Contains("the actor system answers", Checks(live)["actor-system"].Reason);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_store_check_writes_and_reads_a_row_of_the_sqlite_database()
    {
        var dataDir = Directory.CreateTempSubdirectory("actorchat-health-").FullName;
        try
        {
            await using var server = await TestServer.StartAsync("--data-dir", dataDir);
            using var http = new HttpClient { BaseAddress = server.WebUri() };

            var (status, ready) = await HealthAsync(http, "/healthz/ready");

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("wrote and read a row", Checks(ready)["store"].Reason);
            Assert.Contains("MiB free under", Checks(ready)["disk"].Reason);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [RootFact(Timeout = 120_000)]
    public async Task Readiness_fails_while_the_data_directorys_disk_is_full_and_recovers_while_liveness_stays_up()
    {
        var mountPoint = Directory.CreateTempSubdirectory("actorchat-fulldisk-").FullName;
        Run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mountPoint);
        try
        {
            var settings = TestServer.Settings("--data-dir", mountPoint);
            settings = settings with { Operations = settings.Operations with { MinFreeDiskBytes = 8L << 20 } };
            await using var server = await TestServer.StartAsync(settings);
            using var http = new HttpClient { BaseAddress = server.WebUri() };
            Assert.Equal(HttpStatusCode.OK, (await HealthAsync(http, "/healthz/ready")).Status);

            // Leave 4 MiB, below the 8 MiB readiness asks for.
            var ballast = Path.Combine(mountPoint, "ballast");
            var free = new DriveInfo(mountPoint).AvailableFreeSpace;
            await using (var file = File.Create(ballast))
                file.SetLength(0);
            await File.WriteAllBytesAsync(ballast, new byte[free - (4L << 20)]);

            var (fullStatus, full) = await HealthAsync(http, "/healthz/ready");
            var (plainStatus, _) = await HealthAsync(http, "/healthz");
            var (liveStatus, _) = await HealthAsync(http, "/healthz/live");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, fullStatus);
            Assert.Equal("Unhealthy", Checks(full)["disk"].Status);
            Assert.Contains("disk nearly full", Checks(full)["disk"].Reason);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, plainStatus);
            Assert.Equal(HttpStatusCode.OK, liveStatus);

            File.Delete(ballast);
            Assert.Equal(HttpStatusCode.OK, (await HealthAsync(http, "/healthz/ready")).Status);
        }
        finally
        {
            Run("umount", "-l", mountPoint);
            Directory.Delete(mountPoint);
        }
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> HealthAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.Clone());
    }

    private static Dictionary<string, (string Status, string Reason)> Checks(JsonElement body) =>
        body.GetProperty("checks").EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => (c.GetProperty("status").GetString()!, c.GetProperty("reason").GetString() ?? ""));

    private static void Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        Assert.True(process.WaitForExit(30_000), $"{file} did not finish");
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)}: {process.StandardError.ReadToEnd()}");
    }
}
