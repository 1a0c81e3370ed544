using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ActorChat.Messages;
using ActorChat.Server.Transport.Tls;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Integration;

/// <summary>
/// TLS for terminal clients: the same protocol as plain TCP inside TLS, on its own port, with a certificate
/// that clients pin by its SHA-256 fingerprint.
/// </summary>
public sealed class TlsTransportTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_tls_client_pinned_to_the_fingerprint_chats_with_a_plain_tcp_client_in_the_same_room()
    {
        await using var server = await TestServer.StartAsync("--tls-port", "auto");
        await using var secure = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, server.Certificate!.Fingerprint, "alice");
        await using var plain = await TestClient.ConnectAsync(server, "bob");
        await secure.JoinAsync("lobby");
        await plain.JoinAsync("lobby");

        await secure.SendAsync(new SayRequest("lobby", "over TLS"));
        await plain.SendAsync(new SayRequest("lobby", "over plain TCP"));

        Assert.Equal("alice", (await plain.ExpectAsync<MessageFrame>(m => m.Text == "over TLS")).Sender);
        Assert.Equal("bob", (await secure.ExpectAsync<MessageFrame>(m => m.Text == "over plain TCP")).Sender);
        Assert.True(secure.Protocol >= SslProtocols.Tls12, $"negotiated {secure.Protocol}");
    }

    [Fact]
    public async Task A_client_pinned_to_another_fingerprint_refuses_the_server_which_goes_on_serving_the_next_client()
    {
        await using var server = await TestServer.StartAsync("--tls-port", "auto");
        var other = new string('0', 64);

        await Assert.ThrowsAsync<AuthenticationException>(() => TlsTestClient.ConnectAsync(server.TlsEndpoint!, other));

        await using var next = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, server.Certificate!.Fingerprint, "carol");
        await next.SendAsync(new PingRequest());
        await next.ExpectAsync<PongFrame>();
    }

    [Fact]
    public async Task A_plain_tcp_client_on_the_tls_port_gets_a_closed_connection_and_the_server_goes_on()
    {
        await using var server = await TestServer.StartAsync("--tls-port", "auto");
        using var plain = new TcpClient(AddressFamily.InterNetwork);
        await plain.ConnectAsync(IPAddress.Loopback, server.TlsEndpoint!.Port);
        await plain.GetStream().WriteAsync(FrameCodec.EncodeLine(new HelloRequest("mallory")));

        await AssertClosedWithinAsync(plain, Bound);

        await using var next = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, server.Certificate!.Fingerprint, "dave");
        await next.JoinAsync("lobby");
    }

    [Fact]
    public async Task A_client_that_never_starts_the_handshake_is_dropped_after_the_handshake_timeout()
    {
        var settings = TestServer.Settings("--tls-port", "auto");
        settings = settings with { Tls = settings.Tls with { HandshakeTimeout = TimeSpan.FromSeconds(1) } };
        await using var server = await TestServer.StartAsync(settings);
        using var silent = new TcpClient(AddressFamily.InterNetwork);
        await silent.ConnectAsync(IPAddress.Loopback, server.TlsEndpoint!.Port);
        var started = DateTime.UtcNow;

        await AssertClosedWithinAsync(silent, TimeSpan.FromSeconds(6));

        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(0.9), "dropped before the handshake timeout");
        await using var next = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, server.Certificate!.Fingerprint, "erin");
    }

    [Fact]
    public async Task The_generated_certificate_is_kept_in_the_data_directory_and_used_again_on_the_next_start()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "actorchat-tls-" + Guid.NewGuid().ToString("N"));
        try
        {
            string first;
            await using (var server = await TestServer.StartAsync("--tls-port", "auto", "--data-dir", dataDir))
            {
                first = server.Certificate!.Fingerprint;
                await using var client = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, first, "frank");
            }
            var kept = Path.Combine(dataDir, ServerCertificate.GeneratedFileName);
            Assert.True(File.Exists(kept));
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kept));

            await using var again = await TestServer.StartAsync("--tls-port", "auto", "--data-dir", dataDir);
            Assert.Equal(first, again.Certificate!.Fingerprint);
            await using var pinned = await TlsTestClient.ConnectAsync(again.TlsEndpoint!, first, "frank");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public void The_generated_certificate_is_ecdsa_p256_for_localhost_127_0_0_1_and_ipv6_loopback_for_five_years()
    {
        using var certificate = ServerCertificate.Generate();
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", names.EnumerateDnsNames());
        Assert.Contains(IPAddress.Loopback, names.EnumerateIPAddresses());
        Assert.Contains(IPAddress.IPv6Loopback, names.EnumerateIPAddresses());
        using var key = certificate.GetECDsaPrivateKey();
        Assert.NotNull(key);
        Assert.Equal(256, key.KeySize);
        Assert.InRange((certificate.NotAfter - certificate.NotBefore).TotalDays, 5 * 365, 5 * 366 + 1);
    }

    [Fact]
    public async Task With_tls_cert_the_server_presents_the_certificate_of_a_pem_file_with_its_key()
    {
        var file = Path.Combine(Path.GetTempPath(), $"actorchat-{Guid.NewGuid():N}.pem");
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var own = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        await File.WriteAllTextAsync(file, own.ExportCertificatePem() + "\n" + rsa.ExportPkcs8PrivateKeyPem() + "\n");
        try
        {
            await using var server = await TestServer.StartAsync("--tls-port", "auto", "--tls-cert", file);

            Assert.Equal(TlsTestClient.FingerprintOf(own), server.Certificate!.Fingerprint);
            await using var client = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, TlsTestClient.FingerprintOf(own), "grace");
            await client.JoinAsync("lobby");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("pfx")]
    [InlineData("encrypted-pem")]
    public async Task With_tls_cert_and_its_password_the_server_presents_a_pfx_or_an_encrypted_pem_key(string form)
    {
        var file = Path.Combine(Path.GetTempPath(), $"actorchat-{Guid.NewGuid():N}.{(form == "pfx" ? "pfx" : "pem")}");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using var own = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        const string password = "correct horse";
        if (form == "pfx")
            await File.WriteAllBytesAsync(file, own.Export(X509ContentType.Pkcs12, password));
        else
            await File.WriteAllTextAsync(file, own.ExportCertificatePem() + "\n" + key.ExportEncryptedPkcs8PrivateKeyPem(password,
                new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000)) + "\n");
        try
        {
            var wrong = await Assert.ThrowsAsync<ActorChat.Server.Hosting.ServerStartException>(
                () => TestServer.StartAsync("--tls-port", "auto", "--tls-cert", file, "--tls-cert-password", "wrong"));
            Assert.Contains(file, wrong.Message);

            await using var server = await TestServer.StartAsync("--tls-port", "auto", "--tls-cert", file, "--tls-cert-password", password);
            await using var client = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, TlsTestClient.FingerprintOf(own), "grace");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_certificate_file_without_its_key_stops_the_start_with_a_clear_reason()
    {
        var file = Path.Combine(Path.GetTempPath(), $"actorchat-{Guid.NewGuid():N}.pem");
        using var certificate = ServerCertificate.Generate();
        await File.WriteAllTextAsync(file, certificate.ExportCertificatePem());
        try
        {
            var error = await Assert.ThrowsAsync<ActorChat.Server.Hosting.ServerStartException>(
                () => TestServer.StartAsync("--tls-port", "auto", "--tls-cert", file));
            Assert.Contains(file, error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_discovery_answer_carries_the_tls_port_and_the_certificate_fingerprint()
    {
        var udpPort = Ports.FreeUdpPort();
        await using var server = await TestServer.StartAsync("--tls-port", "auto", "--udp-port", udpPort.ToString(),
            "--name", new string('n', 64));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var request = DiscoveryCodec.EncodeRequest();
        await socket.SendToAsync(request, new IPEndPoint(IPAddress.Loopback, udpPort));

        using var timeout = new CancellationTokenSource(Bound);
        var buffer = new byte[DiscoveryCodec.MaxDatagramBytes];
        var length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);

        Assert.True(length <= DiscoveryCodec.MaxAmplification * request.Length);
        Assert.True(DiscoveryCodec.TryDecodeReply(buffer.AsSpan(0, length), out var answer));
        Assert.Equal(server.TlsEndpoint!.Port, answer!.TlsPort);
        Assert.Equal(server.Certificate!.Fingerprint, answer.Fingerprint);
        await using var client = await TlsTestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, answer.TlsPort!.Value), answer.Fingerprint!, "heidi");
    }

    [Fact]
    public async Task Over_its_address_limit_counted_with_plain_tcp_a_tls_client_gets_too_many_connections_over_tls()
    {
        await using var server = await TestServer.StartAsync("--tls-port", "auto", "--max-connections-per-address", "1", "--exempt-addresses", "");
        await using var first = await TestClient.ConnectAsync(server, "ivan");
        await using var second = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, server.Certificate!.Fingerprint);

        var frames = await second.ReadUntilClosedAsync(Bound);

        Assert.Equal(ErrorCodes.TooManyConnections, Assert.IsType<ErrorFrame>(Assert.Single(frames)).Code);
    }

    [Fact]
    public async Task On_shutdown_a_tls_client_gets_bye_server_shutdown_and_the_end_of_the_stream()
    {
        var server = await TestServer.StartAsync("--tls-port", "auto");
        await using var client = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, server.Certificate!.Fingerprint, "judy");
        await client.JoinAsync("lobby");

        var stopping = server.DisposeAsync().AsTask();
        var frames = await client.ReadUntilClosedAsync(TimeSpan.FromSeconds(20));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ByeFrame.ServerShutdown, Assert.IsType<ByeFrame>(frames.LastOrDefault()).Reason);
    }

    [Fact]
    public async Task With_tls_port_0_the_server_has_no_tls_listener_and_needs_no_certificate()
    {
        await using var server = await TestServer.StartAsync("--tls-port", "0");
        Assert.Null(server.TlsEndpoint);
        Assert.Null(server.Certificate);
    }

    [Fact]
    public async Task With_port_off_only_tls_listens_and_tls_clients_chat()
    {
        await using var server = await TestServer.StartAsync("--port", "off", "--tls-port", "auto", "--udp-port", Ports.FreeUdpPort().ToString());
        Assert.False(server.PlainTcpEnabled);
        Assert.Null(server.DiscoveryEndpoint); // its answer would name a TCP port that is not there

        await using var alice = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, server.Certificate!.Fingerprint, "alice");
        await using var bob = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, server.Certificate.Fingerprint, "bob");
        await alice.JoinAsync("lobby");
        await bob.JoinAsync("lobby");
        await alice.SendAsync(new SayRequest("lobby", "only TLS here"));
        Assert.Equal("alice", (await bob.ExpectAsync<MessageFrame>(m => m.Text == "only TLS here")).Sender);
    }

    [Fact]
    public async Task The_server_logs_the_certificate_fingerprint_and_says_an_in_memory_certificate_is_not_kept()
    {
        await using var server = await ServerProcess.StartReadyAsync("--tls-port", "0", "--web-tls-port", "auto", "--in-memory");

        var line = Assert.Single(server.StandardOutput.Split('\n'), l => l.Contains("SHA-256 fingerprint is"));
        Assert.Matches("fingerprint is ([0-9A-F]{2}:){31}[0-9A-F]{2}", line);
        Assert.Contains("not kept", line);
        Assert.Contains("serves HTTPS at https://localhost:", server.StandardOutput);
    }

    [Fact]
    public async Task A_tls_client_that_goes_away_frees_its_name_for_the_next_one()
    {
        await using var server = await TestServer.StartAsync("--tls-port", "auto");
        var first = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, server.Certificate!.Fingerprint, "kim");
        await first.DisposeAsync();

        await using var again = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, server.Certificate.Fingerprint);
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            await again.SendAsync(new HelloRequest("kim"));
            var answer = await again.ReceiveAsync();
            if (answer is WelcomeFrame) break;
            Assert.Equal(ErrorCodes.NameTaken, Assert.IsType<ErrorFrame>(answer).Code); // the first one's close may still be on its way
            Assert.True(DateTime.UtcNow < deadline, "the name was never freed");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_burst_of_frames_in_one_tls_write_is_handled_completely_and_in_order()
    {
        const int Frames = 300;
        await using var server = await TestServer.StartAsync("--tls-port", "auto", "--flood-rate", "0");
        await using var client = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, server.Certificate!.Fingerprint, "lee");
        await client.JoinAsync("burst");
        var burst = Enumerable.Range(0, Frames).SelectMany(i => FrameCodec.EncodeLine(new SayRequest("burst", $"line {i} " + new string('x', 500)))).ToArray();

        await client.SendRawAsync(burst);

        for (var i = 0; i < Frames; i++)
            Assert.StartsWith($"line {i} ", (await client.ExpectAsync<MessageFrame>()).Text);
    }

    [Fact]
    public async Task A_tls_port_in_use_stops_the_start_with_a_line_naming_it()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        var error = await Assert.ThrowsAsync<ActorChat.Server.Hosting.ServerStartException>(
            () => TestServer.StartAsync("--tls-port", port.ToString()));

        Assert.Equal($"cannot listen on TLS 127.0.0.1:{port}: the port is already in use", error.Message);
    }

    /// <summary>The server ends the connection (a FIN or a reset) within the bound; a hang fails the test.</summary>
    private static async Task AssertClosedWithinAsync(TcpClient client, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[4096];
        try
        {
            for (var reads = 0; reads < 100; reads++)
            {
                if (await client.GetStream().ReadAsync(buffer, timeout.Token) == 0) return;
            }
            Assert.Fail("the server kept sending instead of closing");
        }
        catch (IOException e) when (e.InnerException is SocketException)
        {
            // A reset is a closed connection too.
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the connection was still open after {within.TotalSeconds} s");
        }
    }
}
