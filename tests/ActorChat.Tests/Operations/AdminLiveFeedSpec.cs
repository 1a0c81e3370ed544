using System.Net.WebSockets;
using ActorChat.Server.Transport.Web;

namespace ActorChat.Tests.Operations;

/// <summary>
/// The dashboard feed's pacing against a page that does not read: a socket over a stream whose writes never
/// complete (a full TCP send buffer, as far as the server can tell).
/// </summary>
public sealed class AdminLiveFeedSpec
{
    /// <summary>Writes never complete and reads never return, until the stream is disposed (the socket aborted).</summary>
    private sealed class StuckStream : Stream
    {
        private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Writes { get; private set; }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            await _disposed.Task.WaitAsync(cancellationToken);
            throw new ObjectDisposedException(nameof(StuckStream));
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _disposed.Task.WaitAsync(cancellationToken);
            return 0;
        }

        protected override void Dispose(bool disposing)
        {
            _disposed.TrySetResult();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact(Timeout = 30_000)]
    public async Task A_page_that_does_not_read_gets_one_snapshot_built_the_later_ticks_are_dropped_and_a_stalled_socket_is_cut_off()
    {
        var stream = new StuckStream();
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var built = 0;

        var outcome = await AdminLiveFeed.RunAsync(
            socket,
            _ => { built++; return Task.FromResult(new byte[100_000]); },
            () => true,
            CancellationToken.None,
            interval: TimeSpan.FromMilliseconds(20),
            stalledAfter: TimeSpan.FromSeconds(2));

        Assert.Equal(AdminLiveFeed.Ending.Stalled, outcome.Ending);
        Assert.Equal(1, built); // what the page did not read was never built again, let alone queued
        Assert.Equal(1, outcome.Sent);
        Assert.True(outcome.Dropped > 0); // ticks every 20 ms for the 2 s before the cut-off (fewer on a busy machine)
        Assert.Equal(1, stream.Writes);
        Assert.Equal(WebSocketState.Aborted, socket.State);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_stopping_server_ends_the_feed_even_while_a_send_is_stuck()
    {
        using var socket = WebSocket.CreateFromStream(new StuckStream(), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var outcome = await AdminLiveFeed.RunAsync(socket, _ => Task.FromResult(new byte[10]), () => true, stop.Token,
            interval: TimeSpan.FromMilliseconds(50), stalledAfter: TimeSpan.FromMinutes(1));

        Assert.Equal(AdminLiveFeed.Ending.Stopping, outcome.Ending);
        Assert.Equal(WebSocketState.Aborted, socket.State); // a close cannot go out behind a stuck send
    }
}
