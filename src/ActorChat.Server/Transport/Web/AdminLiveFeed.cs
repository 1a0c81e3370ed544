using System.Net.WebSockets;

namespace ActorChat.Server.Transport.Web;

/// <summary>
/// The dashboard's push (<c>GET /api/admin/live</c>, upgraded): a snapshot when the socket opens, then one every
/// <see cref="Interval"/>. At most one send is out at a time: when the previous one has not completed (the page
/// does not read, or its network is slow) the next snapshot is not even built, so a page that stops reading holds
/// one snapshot on the server, never a queue of them. A socket whose send has been stuck for
/// <see cref="StalledAfter"/> is cut off. Whatever the page sends is read and dropped (its close ends the feed).
/// </summary>
public static class AdminLiveFeed
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan StalledAfter = TimeSpan.FromSeconds(30);

    /// <summary>Dashboard sockets open at once on one server; more are answered 503.</summary>
    public const int MaxOpen = 32;

    /// <summary>Close code (4001, an application's own) when the cookie no longer stands for an operator.</summary>
    public const WebSocketCloseStatus NotAnOperator = (WebSocketCloseStatus)4001;

    public enum Ending { ClosedByPage, NotAnOperator, Stopping, Stalled, Failed }

    /// <param name="Sent">Snapshots handed to the socket.</param>
    /// <param name="Dropped">Ticks at which the previous send was still out, so nothing was built or sent.</param>
    public sealed record Outcome(Ending Ending, int Sent, int Dropped);

    /// <summary>Runs the feed until the page closes, the operator is signed out, the server stops or the socket fails.</summary>
    /// <param name="snapshot">Builds one snapshot's JSON (asked only when it will be sent).</param>
    /// <param name="stillOperator">Asked before each snapshot: false ends the feed with <see cref="NotAnOperator"/>.</param>
    public static async Task<Outcome> RunAsync(
        WebSocket socket,
        Func<CancellationToken, Task<byte[]>> snapshot,
        Func<bool> stillOperator,
        CancellationToken stop,
        TimeSpan? interval = null,
        TimeSpan? stalledAfter = null)
    {
        var every = interval ?? Interval;
        var stallLimit = stalledAfter ?? StalledAfter;
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var reading = DrainAsync(socket, done.Token);
        using var timer = new PeriodicTimer(every);
        Task sending = Task.CompletedTask;
        var sendingSince = DateTime.UtcNow;
        int sent = 0, dropped = 0;
        Ending ending;
        while (true)
        {
            if (reading.IsCompleted) { ending = Ending.ClosedByPage; break; }
            if (stop.IsCancellationRequested) { ending = Ending.Stopping; break; }
            if (sending.IsFaulted || sending.IsCanceled) { ending = Ending.Failed; break; }
            if (!stillOperator()) { ending = Ending.NotAnOperator; break; }
            if (sending.IsCompleted)
            {
                byte[] json;
                try
                {
                    json = await snapshot(done.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    ending = Ending.Stopping;
                    break;
                }
                sending = socket.SendAsync(json.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, done.Token).AsTask();
                sendingSince = DateTime.UtcNow;
                sent++;
            }
            else if (DateTime.UtcNow - sendingSince >= stallLimit) { ending = Ending.Stalled; break; }
            else dropped++;
            var tick = timer.WaitForNextTickAsync(stop).AsTask();
            await Task.WhenAny(tick, reading);
            if (!tick.IsCompleted) continue; // the page closed or the socket failed: the loop's first check ends it
            if (tick.IsCanceled || tick.IsFaulted) { ending = Ending.Stopping; break; }
        }
        await EndAsync(socket, sending, reading, ending);
        await done.CancelAsync();
        try { await reading; } catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
        try { await sending; } catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException) { }
        return new Outcome(ending, sent, dropped);
    }

    /// <summary>Reads and drops what the page sends; completes when it closes, or the socket fails or is cancelled.</summary>
    private static async Task DrainAsync(WebSocket socket, CancellationToken cancel)
    {
        var buffer = new byte[1024];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, cancel);
                if (received.MessageType == WebSocketMessageType.Close) return;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Gone: the feed ends at its next look.
        }
    }

    /// <summary>
    /// A clean close when no send is out (a close is a send of its own), waiting up to 2 s for the page's close in
    /// return (ending the request before would reset the connection under the close frame); otherwise an abort.
    /// </summary>
    private static async Task EndAsync(WebSocket socket, Task sending, Task reading, Ending ending)
    {
        if (!sending.IsCompleted || ending is Ending.Failed or Ending.Stalled || socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            socket.Abort();
            return;
        }
        var (status, text) = ending switch
        {
            Ending.NotAnOperator => (NotAnOperator, "not signed in as an operator any more"),
            Ending.Stopping => (WebSocketCloseStatus.EndpointUnavailable, "the server is stopping"),
            _ => (WebSocketCloseStatus.NormalClosure, "bye"),
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.CloseOutputAsync(status, text, timeout.Token);
            await reading.WaitAsync(timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
        {
            socket.Abort();
        }
    }
}
