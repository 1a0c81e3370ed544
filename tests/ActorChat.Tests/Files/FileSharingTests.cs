using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using ActorChat.Messages;
using ActorChat.Server.Files;
using ActorChat.Server.Hosting;
using ActorChat.Server.Transport.Web;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;
using Microsoft.Extensions.DependencyInjection;

namespace ActorChat.Tests.Files;

/// <summary>File sharing over the real server: uploads over HTTP, attachments on messages, downloads, deletion.</summary>
public sealed class FileSharingTests
{
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R'];

    [Fact(Timeout = 60_000)]
    public async Task A_tcp_client_uploads_with_a_bearer_token_and_gets_the_file_s_id_name_size_and_sniffed_type()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        var token = await UploadTokenAsync(alice);
        Assert.Equal(new Uri(server.WebUri(), "/api/files").Port, new Uri(token.Url!).Port);
        Assert.EndsWith("/api/files", token.Url);

        using var response = await UploadAsync(server, token.Token, "picture.txt", Png, contentType: "text/html");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var file = await response.Content.ReadFromJsonAsync<FileAttachment>();
        Assert.Equal("picture.txt", file!.Name);
        Assert.Equal(Png.Length, file.Size);
        Assert.Equal("image/png", file.Type); // from the bytes, not from what the client said
        Assert.Equal(32, file.Id.Length);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_upload_without_a_cookie_or_token_is_refused_with_401()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();

        using var none = await http.PostAsync(new Uri(server.WebUri(), "/api/files?name=a.txt"), new ByteArrayContent("hi"u8.ToArray()));
        using var madeUp = await UploadAsync(server, "bm90LWEtdG9rZW4", "a.txt", "hi"u8.ToArray());

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, madeUp.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_page_s_session_cookie_authorises_an_upload_from_its_own_origin_but_not_from_another_site()
    {
        await using var server = await TestServer.StartAsync("--accounts", "required");
        var cookie = await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "alice");
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });

        async Task<HttpResponseMessage> Post(string? origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.WebUri(), "/api/files?name=note.txt"))
            {
                Content = new ByteArrayContent("a note"u8.ToArray()),
            };
            request.Headers.Add("Cookie", $"{WebSessionTokens.CookieName}={cookie}");
            if (origin is not null) request.Headers.Add("Origin", origin);
            return await http.SendAsync(request);
        }

        using var own = await Post(server.WebUri().GetLeftPart(UriPartial.Authority));
        using var foreign = await Post("http://evil.example");

        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_multipart_upload_takes_the_file_part_and_its_file_name()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        var token = await UploadTokenAsync(alice);
        using var http = new HttpClient();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("ignored"), "comment" },
            { new ByteArrayContent("%PDF-1.7 rest"u8.ToArray()), "file", "report.pdf" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.WebUri(), "/api/files")) { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var file = await response.Content.ReadFromJsonAsync<FileAttachment>();
        Assert.Equal(("report.pdf", 13L, "application/pdf"), (file!.Name, file.Size, file.Type));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_upload_over_the_limit_gets_413_whether_it_says_its_length_or_comes_chunked()
    {
        await using var server = await TestServer.StartAsync("--max-upload", "1KiB");
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        var token = await UploadTokenAsync(alice);

        using var exactly = await UploadAsync(server, token.Token, "fits.bin", new byte[1024]);
        using var declared = await UploadAsync(server, token.Token, "big.bin", new byte[1025]);
        using var chunked = await UploadAsync(server, token.Token, "big.bin", new byte[4096], chunked: true);

        Assert.Equal(HttpStatusCode.Created, exactly.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        var error = await chunked.Content.ReadFromJsonAsync<FileError>();
        Assert.Equal(("too_large", 1024L), (error!.Error, error.Limit));
        Assert.Equal(1, server.Host.Services.GetRequiredService<FileStore>().Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task Uploads_past_the_user_s_quota_get_413_naming_the_quota_while_another_user_still_may_upload()
    {
        await using var server = await TestServer.StartAsync("--max-upload", "1KiB", "--upload-quota", "2KiB");
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await using var bob = await TestClient.ConnectAsync(server, "bob");
        var aliceToken = (await UploadTokenAsync(alice)).Token;

        using var first = await UploadAsync(server, aliceToken, "1.bin", Bytes(1000, 1));
        using var second = await UploadAsync(server, aliceToken, "2.bin", Bytes(1000, 2));
        using var third = await UploadAsync(server, aliceToken, "3.bin", Bytes(1000, 3), chunked: true);
        using var bobs = await UploadAsync(server, (await UploadTokenAsync(bob)).Token, "b.bin", Bytes(1000, 4));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, third.StatusCode);
        var error = await third.Content.ReadFromJsonAsync<FileError>();
        Assert.Equal(("quota_exceeded", 2048L), (error!.Error, error.Limit));
        Assert.Contains("quota", error.Message);
        Assert.Equal(HttpStatusCode.Created, bobs.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Hostile_names_are_cut_to_their_last_part_and_an_empty_file_is_a_file()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        var token = (await UploadTokenAsync(alice)).Token;

        var traversal = await UploadedAsync(server, token, "../../etc/passwd", "root"u8.ToArray());
        var windows = await UploadedAsync(server, token, "..\\..\\boot.ini", "x"u8.ToArray());
        var huge = await UploadedAsync(server, token, new string('a', 5000) + ".txt", "x"u8.ToArray());
        var control = await UploadedAsync(server, token, "evil\u202Egpj.exe\r\n", "x"u8.ToArray());
        var empty = await UploadedAsync(server, token, "empty.txt", []);

        Assert.Equal("passwd", traversal.Name);
        Assert.Equal("boot.ini", windows.Name);
        Assert.Equal(FileNames.MaxLength, huge.Name.Length);
        Assert.EndsWith(".txt", huge.Name);
        Assert.Equal("evilgpj.exe", control.Name);
        Assert.Equal((0L, "application/octet-stream"), (empty.Size, empty.Type));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_message_carries_its_attachments_to_every_member_and_into_history()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await using var bob = await TestClient.ConnectAsync(server, "bob");
        await alice.JoinAsync("lounge");
        await bob.JoinAsync("lounge");
        var file = await UploadedAsync(server, (await UploadTokenAsync(alice)).Token, "cat.png", Png);

        await alice.SendAsync(new SayRequest("lounge", "look") { Attachments = [file.Id] });

        var seen = await bob.ExpectAsync<MessageFrame>(m => m.Text == "look");
        Assert.Equal(file, Assert.Single(seen.Attachments!));
        await bob.SendAsync(new HistoryRequest("lounge"));
        var history = await bob.ExpectAsync<HistoryFrame>();
        Assert.Equal(file, Assert.Single(history.Messages.Single(m => m.Text == "look").Attachments!));
    }

    [Fact(Timeout = 60_000)]
    public async Task Attaching_someone_else_s_file_or_an_unknown_id_is_no_such_file()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await using var mallory = await TestClient.ConnectAsync(server, "mallory");
        await mallory.JoinAsync("lounge");
        var alices = await UploadedAsync(server, (await UploadTokenAsync(alice)).Token, "secret.txt", "secret"u8.ToArray());

        await mallory.SendAsync(new SayRequest("lounge", "mine now") { Attachments = [alices.Id], Ref = "steal" });
        var stolen = await mallory.ExpectAsync<ErrorFrame>();
        await mallory.SendAsync(new SayRequest("lounge", "?") { Attachments = ["0123456789abcdef0123456789abcdef"], Ref = "guess" });
        var guessed = await mallory.ExpectAsync<ErrorFrame>();
        await mallory.SendAsync(new DirectMessageRequest("alice", "yours?") { Attachments = [alices.Id], Ref = "dm" });
        var direct = await mallory.ExpectAsync<ErrorFrame>();

        Assert.Equal((ErrorCodes.NoSuchFile, "steal"), (stolen.Code, stolen.Ref));
        Assert.Equal((ErrorCodes.NoSuchFile, "guess"), (guessed.Code, guessed.Ref));
        Assert.Equal((ErrorCodes.NoSuchFile, "dm"), (direct.Code, direct.Ref));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_file_in_a_private_room_downloads_for_its_members_and_is_404_for_anyone_else()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TestClient.ConnectAsync(server);
        await alice.SendAsync(new RegisterRequest("alice", "correct horse battery"));
        await alice.ExpectAsync<RegisteredFrame>(); // an account, so that the room it makes is its own
        await using var bob = await TestClient.ConnectAsync(server, "bob");
        await using var eve = await TestClient.ConnectAsync(server, "eve");
        await alice.JoinAsync("secret");
        await alice.SendAsync(new ModeRequest("secret", Private: true));
        await alice.ExpectAsync<ModeFrame>();
        await alice.SendAsync(new InviteRequest("secret", "bob"));
        await alice.ExpectAsync<InvitedFrame>();
        await bob.JoinAsync("secret");
        var file = await UploadedAsync(server, (await UploadTokenAsync(alice)).Token, "plan.txt", "the plan"u8.ToArray());
        await alice.SendAsync(new SayRequest("secret", "the plan") { Attachments = [file.Id] });
        await bob.ExpectAsync<MessageFrame>(m => m.Text == "the plan");

        using var forBob = await DownloadAsync(server, (await UploadTokenAsync(bob)).Token, file);
        using var forEve = await DownloadAsync(server, (await UploadTokenAsync(eve)).Token, file);
        using var forNobody = await new HttpClient().GetAsync(new Uri(server.WebUri(), $"/api/files/{file.Id}/plan.txt"));

        Assert.Equal(HttpStatusCode.OK, forBob.StatusCode);
        Assert.Equal("the plan", await forBob.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, forEve.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, forNobody.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_unattached_upload_downloads_only_for_its_uploader()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await using var eve = await TestClient.ConnectAsync(server, "eve");
        var file = await UploadedAsync(server, (await UploadTokenAsync(alice)).Token, "draft.txt", "draft"u8.ToArray());

        using var forAlice = await DownloadAsync(server, (await UploadTokenAsync(alice)).Token, file);
        using var forEve = await DownloadAsync(server, (await UploadTokenAsync(eve)).Token, file);

        Assert.Equal(HttpStatusCode.OK, forAlice.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, forEve.StatusCode);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("page.html", "<!doctype html><script>document.title='owned'</script>")]
    [InlineData("icon.svg", "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")]
    public async Task An_uploaded_html_or_svg_file_downloads_as_a_sandboxed_nosniff_attachment(string name, string content)
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        var token = (await UploadTokenAsync(alice)).Token;
        var file = await UploadedAsync(server, token, name, Encoding.UTF8.GetBytes(content));

        using var response = await DownloadAsync(server, token, file);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("sandbox; default-src 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_image_downloads_inline_and_a_range_request_gets_part_of_it()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        var token = (await UploadTokenAsync(alice)).Token;
        var file = await UploadedAsync(server, token, "cat.png", Png);
        using var http = new HttpClient();

        using var whole = await DownloadAsync(server, token, file);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.WebUri(), $"/api/files/{file.Id}/cat.png?token={token}"));
        request.Headers.Range = new RangeHeaderValue(1, 3);
        using var part = await http.SendAsync(request);

        Assert.Equal("inline", whole.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("image/png", whole.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal("PNG"u8.ToArray(), await part.Content.ReadAsByteArrayAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Deleting_the_message_deletes_the_stored_file()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await alice.JoinAsync("lounge");
        var token = (await UploadTokenAsync(alice)).Token;
        var file = await UploadedAsync(server, token, "gone.txt", "soon gone"u8.ToArray());
        var store = server.Host.Services.GetRequiredService<FileStore>();
        var blob = store.BlobPathOf(file.Id)!;
        await alice.SendAsync(new SayRequest("lounge", "here") { Attachments = [file.Id] });
        var message = await alice.ExpectAsync<MessageFrame>(m => m.Text == "here");

        await alice.SendAsync(new DeleteRequest("lounge", message.Id));
        await alice.ExpectAsync<DeletedFrame>();

        await AsyncAssert.EventuallyAsync(() => Task.FromResult(!File.Exists(blob)), TimeSpan.FromSeconds(10));
        using var download = await DownloadAsync(server, token, file);
        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        await alice.SendAsync(new HistoryRequest("lounge"));
        Assert.Null((await alice.ExpectAsync<HistoryFrame>()).Messages.Single(m => m.Id == message.Id).Attachments);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_file_sent_in_a_direct_message_downloads_for_its_recipient()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await using var bob = await TestClient.ConnectAsync(server, "bob");
        var file = await UploadedAsync(server, (await UploadTokenAsync(alice)).Token, "for-bob.txt", "hi bob"u8.ToArray());

        await alice.SendAsync(new DirectMessageRequest("bob", "for you") { Attachments = [file.Id] });
        var dm = await bob.ExpectAsync<DirectMessageFrame>();
        using var download = await DownloadAsync(server, (await UploadTokenAsync(bob)).Token, file);

        Assert.Equal(file, Assert.Single(dm.Attachments!));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_file_in_a_kept_direct_message_is_in_its_history_and_downloads_for_the_recipient_only()
    {
        await using var server = await TestServer.StartAsync();
        await using (var offline = await RegisteredAsync(server, "bob")) { } // bob has an account and is offline
        await using var alice = await RegisteredAsync(server, "alice");
        await using var mallory = await RegisteredAsync(server, "mallory");
        var file = await UploadedAsync(server, (await UploadTokenAsync(alice)).Token, "plan.txt", "the plan"u8.ToArray());

        await alice.SendAsync(new DirectMessageRequest("bob", "read this") { Attachments = [file.Id], Ref = "dm" });
        var own = await alice.ExpectAsync<DirectMessageFrame>(d => d.Ref == "dm");
        await using var bob = await TestClient.ConnectAsync(server);
        await bob.SendAsync(new HelloRequest("bob", KeptPassword));
        await bob.ExpectAsync<WelcomeFrame>();
        await bob.SendAsync(new HistoryRequest("@alice") { Ref = "h" });
        var kept = Assert.Single((await bob.ExpectAsync<HistoryFrame>(h => h.Ref == "h")).Messages);
        using var forBob = await DownloadAsync(server, (await UploadTokenAsync(bob)).Token, file);
        using var forMallory = await DownloadAsync(server, (await UploadTokenAsync(mallory)).Token, file);

        Assert.Equal(1, own.Seq);
        Assert.Equal(file, Assert.Single(own.Attachments!));
        Assert.Equal(file, Assert.Single(kept.Attachments!));
        Assert.Equal(HttpStatusCode.OK, forBob.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, forMallory.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_password_change_revokes_the_account_s_upload_tokens()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await RegisteredAsync(server, "alice");
        var old = await UploadTokenAsync(alice);
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(server, old.Token, "a.txt", "one"u8.ToArray())).StatusCode);

        await alice.SendAsync(new PasswordRequest(KeptPassword, "a brand new secret") { Ref = "p" });
        await alice.ExpectAsync<DoneFrame>(d => d.Ref == "p");

        using var refused = await UploadAsync(server, old.Token, "b.txt", "two"u8.ToArray());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var fresh = await UploadTokenAsync(alice); // the connection is still signed in, and may ask again
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(server, fresh.Token, "c.txt", "three"u8.ToArray())).StatusCode);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("kill")]
    [InlineData("ban")]
    public async Task An_operator_s_kill_or_account_ban_revokes_the_user_s_upload_tokens(string action)
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var root = await RegisteredAsync(server, "root");
        await using var alice = await RegisteredAsync(server, "alice");
        var old = await UploadTokenAsync(alice);

        await root.SendAsync(action == "kill" ? new KillRequest("alice") { Ref = "x" } : new BanRequest(User: "alice") { Ref = "x" });
        await root.ExpectAsync<DoneFrame>(d => d.Ref == "x");

        using var refused = await UploadAsync(server, old.Token, "a.txt", "after"u8.ToArray());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_kick_from_the_operator_dashboard_revokes_the_user_s_upload_tokens()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        var session = await WebSessionEndpointTests.RegisterOverWebSocketAsync(server, "root");
        await using var alice = await RegisteredAsync(server, "alice");
        var old = await UploadTokenAsync(alice);

        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });
        using var kick = new HttpRequestMessage(HttpMethod.Post, new Uri(server.WebUri(), "/api/admin/kick")) { Content = JsonContent.Create(new { user = "alice" }) };
        kick.Headers.Add("Cookie", $"{WebSessionTokens.CookieName}={session}");
        kick.Headers.Add("Origin", $"http://{server.WebEndpoint}");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(kick)).StatusCode);

        using var refused = await UploadAsync(server, old.Token, "a.txt", "after"u8.ToArray());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private const string KeptPassword = "correct horse battery";

    private static async Task<TestClient> RegisteredAsync(RunningChatServer server, string name)
    {
        var client = await TestClient.ConnectAsync(server);
        await client.SendAsync(new RegisterRequest(name, KeptPassword));
        await client.ExpectAsync<RegisteredFrame>();
        return client;
    }

    internal static async Task<UploadTokenFrame> UploadTokenAsync(TestClient client)
    {
        await client.SendAsync(new UploadTokenRequest { Ref = "token" });
        return await client.ExpectAsync<UploadTokenFrame>(t => t.Ref == "token");
    }

    internal static async Task<HttpResponseMessage> UploadAsync(RunningChatServer server, string token, string name, byte[] bytes,
        string contentType = "application/octet-stream", bool chunked = false)
    {
        using var http = new HttpClient();
        HttpContent content = chunked ? new StreamContent(new UnknownLengthStream(bytes)) : new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.WebUri(), $"/api/files?name={Uri.EscapeDataString(name)}"))
        {
            Content = content,
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (chunked) request.Headers.TransferEncodingChunked = true;
        return await http.SendAsync(request);
    }

    internal static async Task<FileAttachment> UploadedAsync(RunningChatServer server, string token, string name, byte[] bytes)
    {
        using var response = await UploadAsync(server, token, name, bytes);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<FileAttachment>())!;
    }

    private static async Task<HttpResponseMessage> DownloadAsync(RunningChatServer server, string token, FileAttachment file)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.WebUri(), $"/api/files/{file.Id}/{Uri.EscapeDataString(file.Name)}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static byte[] Bytes(int count, byte value) => Enumerable.Repeat(value, count).ToArray();

    /// <summary>A stream that cannot say its length, so HttpClient sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
