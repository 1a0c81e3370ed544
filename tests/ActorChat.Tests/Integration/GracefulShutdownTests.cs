using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Integration;

/// <summary>
/// Stopping the server process as a user or a service manager does: every TCP and WebSocket client gets what was
/// queued for it, a bye with reason server_shutdown and a clean end of stream (a FIN or a close frame, never a reset).
/// </summary>
public sealed class GracefulShutdownTests
{
    private const int TcpClients = 20;
    private const int WebSocketClients = 5;
    private const int Messages = 10;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public Task Ctrl_c_gives_every_tcp_and_websocket_client_its_queued_messages_a_bye_and_a_clean_end_of_stream() =>
        StopAndCheckEveryClientAsync(server => server.Interrupt());

    [Fact]
    public Task Sigterm_gives_every_tcp_and_websocket_client_its_queued_messages_a_bye_and_a_clean_end_of_stream() =>
        StopAndCheckEveryClientAsync(server => server.Terminate());

    private static async Task StopAndCheckEveryClientAsync(Action<ServerProcess> stop)
    {
        await using var server = await ServerProcess.StartReadyAsync();
        var tcp = new List<TcpReader>();
        var web = new List<WebSocketReader>();
        try
        {
            for (var i = 0; i < TcpClients; i++) tcp.Add(await TcpReader.JoinAsync(server.Port, $"tcp{i}"));
            for (var i = 0; i < WebSocketClients; i++) web.Add(await WebSocketReader.JoinAsync(server.WebPort, $"web{i}"));

            // Nobody reads now but the sender: once it has its own echoes, the room has handed every member all of them.
            var sender = tcp[0];
            for (var m = 0; m < Messages; m++) await sender.SendAsync($$"""{"type":"say","room":"general","text":"m{{m}}"}""");
            var echoed = await sender.ReadUntilAsync(frames => frames.Count(f => Type(f) == "message") == Messages);
            Assert.Equal(Messages, echoed.Count(f => Type(f) == "message"));

            stop(server);

            var endings = await Task.WhenAll([
                .. tcp.Select(c => c.ReadToEndAsync()),
                .. web.Select(c => c.ReadToEndAsync()),
            ]);
            for (var i = 0; i < endings.Length; i++)
            {
                var (name, frames, end) = endings[i];
                var all = i == 0 ? [.. echoed, .. frames] : frames;
                Assert.True(end == "clean", $"{name}: {end}; got {string.Join(" ", all)}");
                Assert.Equal(Enumerable.Range(0, Messages).Select(m => $"m{m}"),
                    all.Where(f => Type(f) == "message").Select(f => Property(f, "text")));
                Assert.True(all.Count > 0 && Type(all[^1]) == "bye" && Property(all[^1], "reason") == "server_shutdown",
                    $"{name} did not end with bye server_shutdown: {string.Join(" ", all)}");
            }

            Assert.Equal(0, await server.WaitForExitAsync(Bound));
            var lastLine = server.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
            Assert.Contains($"ActorChat stopped; said goodbye to {TcpClients + WebSocketClients} clients", lastLine);
        }
        finally
        {
            foreach (var client in tcp) client.Dispose();
            foreach (var client in web) client.Dispose();
        }
    }

    private static string? Type(string frame) => Property(frame, "type");

    private static string? Property(string frame, string name)
    {
        using var json = JsonDocument.Parse(frame);
        return json.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
    }

    /// <summary>A client as plain as <c>nc</c>: JSON lines over a socket, read only when the test says.</summary>
    private sealed class TcpReader(Socket socket, string name) : IDisposable
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly StringBuilder _partial = new();

        public static async Task<TcpReader> JoinAsync(int port, string name)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, port);
            var client = new TcpReader(socket, name);
            await client.SendAsync($$"""{"type":"hello","name":"{{name}}"}""");
            await client.SendAsync("""{"type":"join","room":"general"}""");
            await client.ReadUntilAsync(frames => frames.Any(f => Type(f) == "joined"));
            return client;
        }

        public async Task SendAsync(string line) => await socket.SendAsync(Encoding.UTF8.GetBytes(line + "\n"));

        public async Task<List<string>> ReadUntilAsync(Func<List<string>, bool> enough)
        {
            using var timeout = new CancellationTokenSource(Bound);
            var frames = new List<string>();
            while (!enough(frames))
            {
                var read = await socket.ReceiveAsync(_buffer, SocketFlags.None, timeout.Token);
                if (read == 0) throw new InvalidOperationException($"{name}: the server closed early");
                frames.AddRange(Lines(read));
            }
            return frames;
        }

        /// <summary>Frames until the end of the stream, and how it ended: "clean" for a FIN, else what went wrong.</summary>
        public async Task<(string Name, List<string> Frames, string End)> ReadToEndAsync()
        {
            using var timeout = new CancellationTokenSource(Bound);
            var frames = new List<string>();
            try
            {
                while (true)
                {
                    var read = await socket.ReceiveAsync(_buffer, SocketFlags.None, timeout.Token);
                    if (read == 0) break;
                    frames.AddRange(Lines(read));
                }
            }
            catch (SocketException e)
            {
                return (name, frames, $"socket error {e.SocketErrorCode}");
            }
            catch (OperationCanceledException)
            {
                return (name, frames, $"no end of stream within {Bound.TotalSeconds} s");
            }
            socket.Shutdown(SocketShutdown.Send); // as a client does once the server has gone: close our side too
            return (name, frames, _partial.Length == 0 ? "clean" : $"a partial line at the end: {_partial}");
        }

        private List<string> Lines(int read)
        {
            _partial.Append(Encoding.UTF8.GetString(_buffer, 0, read));
            var text = _partial.ToString();
            var end = text.LastIndexOf('\n');
            if (end < 0) return [];
            _partial.Clear().Append(text[(end + 1)..]);
            return [.. text[..end].Split('\n', StringSplitOptions.RemoveEmptyEntries)];
        }

        public void Dispose() => socket.Dispose();
    }

    /// <summary>A browser's view: ClientWebSocket from the page's own origin, one JSON frame per text message.</summary>
    private sealed class WebSocketReader(ClientWebSocket socket, string name) : IDisposable
    {
        private readonly byte[] _buffer = new byte[64 * 1024];

        public static async Task<WebSocketReader> JoinAsync(int webPort, string name)
        {
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Origin", $"http://127.0.0.1:{webPort}");
            using var timeout = new CancellationTokenSource(Bound);
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{webPort}/ws"), timeout.Token);
            var client = new WebSocketReader(socket, name);
            await client.SendAsync($$"""{"type":"hello","name":"{{name}}"}""", timeout.Token);
            await client.SendAsync("""{"type":"join","room":"general"}""", timeout.Token);
            while (await client.ReceiveAsync(timeout.Token) is { } frame && Type(frame) != "joined") { }
            return client;
        }

        private Task SendAsync(string frame, CancellationToken ct) =>
            socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, ct);

        /// <summary>The next text message, or null when the server's close frame came instead.</summary>
        private async Task<string?> ReceiveAsync(CancellationToken ct)
        {
            var message = new MemoryStream();
            while (true)
            {
                var result = await socket.ReceiveAsync(_buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close) return null;
                message.Write(_buffer, 0, result.Count);
                if (result.EndOfMessage) return Encoding.UTF8.GetString(message.ToArray());
            }
        }

        /// <summary>Frames until the server's close frame, and how it ended: "clean" for a normal close handshake.</summary>
        public async Task<(string Name, List<string> Frames, string End)> ReadToEndAsync()
        {
            using var timeout = new CancellationTokenSource(Bound);
            var frames = new List<string>();
            try
            {
                while (await ReceiveAsync(timeout.Token) is { } frame) frames.Add(frame);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                return (name, frames, $"{e.GetType().Name}: {e.Message} (state {socket.State})");
            }
            if (socket.CloseStatus != WebSocketCloseStatus.NormalClosure) return (name, frames, $"close status {socket.CloseStatus}");
            return (name, frames, socket.State == WebSocketState.Closed ? "clean" : $"state {socket.State} after the close");
        }

        public void Dispose() => socket.Dispose();
    }
}
