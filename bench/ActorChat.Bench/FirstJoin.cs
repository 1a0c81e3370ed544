using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ActorChat.Bench;

/// <summary>
/// The first-join scenario: what the first user after a start waits for. One client connects to a server that has
/// just said it is ready, says hello and joins a room that does not exist yet; the join's round trip is the figure.
/// A second join (another new room) shows the same work on a warm server. Run with --repeat N for a fresh server each time.
/// </summary>
internal static class FirstJoin
{
    public static async Task MeasureAsync(IPEndPoint target, BenchReport report, BenchOptions options, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(options.DeadlineSeconds));
        var tag = Random.Shared.Next(0x100000, 0xFFFFFF).ToString("x6", System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(target, deadline.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.UTF8);

            report.FirstJoin = new FirstJoinReport
            {
                HelloMs = await RoundTripAsync(stream, reader, $$"""{"type":"hello","name":"first-{{tag}}"}""", "welcome", deadline.Token),
                JoinMs = await RoundTripAsync(stream, reader, $$"""{"type":"join","room":"first-{{tag}}"}""", "joined", deadline.Token),
                SecondJoinMs = await RoundTripAsync(stream, reader, $$"""{"type":"join","room":"second-{{tag}}"}""", "joined", deadline.Token),
            };
            report.ClientsReady = 1;
            options.Log?.Invoke($"hello {report.FirstJoin.HelloMs:0.0} ms, first join {report.FirstJoin.JoinMs:0.0} ms, second join {report.FirstJoin.SecondJoinMs:0.0} ms");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            report.Complete = false;
            report.Problems.Add($"the server did not answer within {options.DeadlineSeconds:0} s");
        }
        catch (Exception e) when (e is SocketException or IOException or BenchException)
        {
            report.Complete = false;
            report.Problems.Add(e.Message);
        }
    }

    /// <summary>Sends one frame and waits for the answer of the wanted type; milliseconds from send to answer.</summary>
    private static async Task<double> RoundTripAsync(NetworkStream stream, StreamReader reader, string line, string wanted, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), ct);
        for (var frames = 0; frames < 1000; frames++)
        {
            var answer = await reader.ReadLineAsync(ct) ?? throw new BenchException($"the server closed the connection instead of answering {line}");
            using var json = JsonDocument.Parse(answer);
            var type = json.RootElement.GetProperty("type").GetString();
            if (type == wanted) return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (type == "error") throw new BenchException($"the server answered {line} with {answer}");
        }
        throw new BenchException($"no {wanted} among the first 1000 frames after {line}");
    }
}
