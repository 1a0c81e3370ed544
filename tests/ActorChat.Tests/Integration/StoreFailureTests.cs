using System.Net;
using System.Net.Sockets;
using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Integration;

/// <summary>A store that cannot be used at start is a clear one-line error and a non-zero exit, never a hang.</summary>
public sealed class StoreStartupTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"actorchat-data-{Guid.NewGuid():N}");

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    private static async Task<string> ExpectStartFailureAsync(params string[] args)
    {
        await using var server = ServerProcess.Start(["--bind", "127.0.0.1", "--port", "auto", .. args]);
        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(45)));
        var line = Assert.Single(server.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", server.StandardOutput + server.StandardError);
        return line;
    }

    [Fact]
    public async Task A_corrupt_sqlite_file_is_named_in_the_error()
    {
        Directory.CreateDirectory(_dataDir);
        var file = Path.Combine(_dataDir, "actorchat.db");
        await File.WriteAllTextAsync(file, new string('x', 8192));
        var line = await ExpectStartFailureAsync("--data-dir", _dataDir);
        Assert.Contains(file, line);
        Assert.Contains("corrupt", line);
    }

    [Fact]
    public async Task A_data_directory_in_use_by_another_server_is_refused()
    {
        await using var first = await ServerProcess.StartReadyAsync("--data-dir", _dataDir);
        var line = await ExpectStartFailureAsync("--data-dir", _dataDir);
        Assert.Contains(Path.GetFullPath(_dataDir), line);
        Assert.Contains("in use", line);
    }

    [Fact]
    public async Task An_unreachable_postgres_server_is_named_in_the_error()
    {
        using var nothing = new TcpListener(IPAddress.Loopback, 0);
        nothing.Start();
        var port = ((IPEndPoint)nothing.LocalEndpoint).Port;
        nothing.Stop(); // a port nobody listens on: connection refused

        var line = await ExpectStartFailureAsync("--postgres", $"Host=127.0.0.1;Port={port};Database=chatdb;Username=x;Password=secret");
        Assert.Contains("'chatdb'", line);
        Assert.Contains($"127.0.0.1:{port}", line);
        Assert.DoesNotContain("secret", line);
    }
}

/// <summary>The database going away while the server runs: sends get an error frame, and the server recovers when it returns.</summary>
public sealed class DatabaseOutageTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Messages_sent_while_the_database_is_down_get_unavailable_and_the_room_works_again_when_it_returns()
    {
        var room = $"outage-{Guid.NewGuid():N}"[..20];
        await using var server = await ServerProcess.StartReadyAsync("--postgres", postgres.ConnectionString);
        await using var alice = await ChatConnection.ConnectAsync("127.0.0.1", server.Port);
        await alice.SendAsync(new HelloRequest("alice"));
        await alice.SendAsync(new JoinRequest(room));
        await alice.SendAsync(new SayRequest(room, "before"));
        await NextAsync<MessageFrame>(alice, TimeSpan.FromSeconds(30));

        await postgres.StopAsync();
        try
        {
            await alice.SendAsync(new SayRequest(room, "during"));
            var error = await NextAsync<ErrorFrame>(alice, TimeSpan.FromSeconds(40));
            Assert.Equal(ErrorCodes.Unavailable, error.Code);
        }
        finally
        {
            await postgres.StartAsync();
        }

        // The room comes back with its members: the same connection can talk again once the database answers.
        MessageFrame? after = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (after is null && DateTime.UtcNow < deadline)
        {
            await alice.SendAsync(new SayRequest(room, "after"));
            var frame = await NextAsync<ServerFrame>(alice, TimeSpan.FromSeconds(30), f => f is MessageFrame or ErrorFrame);
            if (frame is MessageFrame message) after = message;
            else await Task.Delay(500);
        }
        Assert.NotNull(after);
        await alice.SendAsync(new HistoryRequest(room));
        var history = await NextAsync<HistoryFrame>(alice, TimeSpan.FromSeconds(30));
        Assert.Equal("before", history.Messages[0].Text);
        Assert.Equal("after", history.Messages[^1].Text);
        Assert.DoesNotContain(history.Messages, m => m.Text == "during");
        Assert.Contains("not saved", server.StandardOutput);
    }

    private static async Task<T> NextAsync<T>(ChatConnection connection, TimeSpan timeout, Func<ServerFrame, bool>? match = null) where T : ServerFrame
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var frame = await connection.ReceiveAsync(cts.Token) ?? throw new InvalidOperationException("connection closed");
            if (match is null ? frame is T : match(frame)) return (T)frame;
        }
    }
}
