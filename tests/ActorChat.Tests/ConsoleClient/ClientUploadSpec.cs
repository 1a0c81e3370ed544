using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Tests.Support;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>The built client's /upload against the real server: token, HTTP upload, a say that carries the file.</summary>
[Collection(nameof(ClientProcessTests))]
public sealed class ClientUploadSpec
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Upload_posts_the_file_and_says_it_in_the_current_room_with_its_download_url_shown()
    {
        await using var server = await TestServer.StartAsync();
        var port = server.TcpEndpoint.Port;
        var path = Path.Combine(Path.GetTempPath(), $"notes-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(path, "meeting notes");
        try
        {
            await using var bob = await ChatConnection.ConnectAsync("127.0.0.1", port);
            await bob.SendAsync(new HelloRequest("bob"));
            await bob.SendAsync(new JoinRequest("general"));
            await using var client = ChildProcess.StartDotnet(BuiltApps.ClientDll, ["--host", "127.0.0.1", "--port", port.ToString(), "--name", "alice"]);

            await client.WriteAsync($"/upload {path} the notes\n");
            client.CloseInput();
            Assert.Equal(0, await client.WaitForExitAsync(Within));

            using var timeout = new CancellationTokenSource(Within);
            MessageFrame? said = null;
            while (said is null)
                said = await bob.ReceiveAsync(timeout.Token) is MessageFrame { Sender: "alice" } m ? m : null;
            Assert.Equal("the notes", said.Text);
            var file = Assert.Single(said.Attachments!);
            Assert.Equal((Path.GetFileName(path), 13L, "text/plain"), (file.Name, file.Size, file.Type));
            Assert.Contains($"[file {file.Name}, 13 bytes: http://127.0.0.1:{server.WebEndpoint!.Port}/api/files/{file.Id}/{file.Name}]", client.Output);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
