using System.Net.Sockets;
using ActorChat.Messages;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>
/// A stand-in for a server, for the client tests that need answers the real server gives only in trouble: it
/// serves one connection, answering each frame as the test says (by default as the real server would, refs
/// carried back), until the client quits.
/// </summary>
internal static class StandIn
{
    public static async Task ServeAsync(TcpListener listener, CancellationToken cancellationToken, Func<ClientFrame, IEnumerable<ServerFrame>>? answer = null)
    {
        answer ??= Answer;
        using var socket = await listener.AcceptSocketAsync(cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var framer = new LineFramer(64 * 1024);
        var buffer = new byte[4096];
        while (await stream.ReadAsync(buffer, cancellationToken) is var read and > 0)
        {
            framer.Append(buffer.AsSpan(0, read));
            var replies = new List<ServerFrame>();
            while (framer.TryReadLine(out var line))
            {
                if (FrameCodec.DecodeClientFrame(line).Frame is { } frame) replies.AddRange(answer(frame));
            }
            foreach (var reply in replies) await stream.WriteAsync(FrameCodec.EncodeLine(reply), cancellationToken);
            if (replies.Any(r => r is ByeFrame)) return;
        }
    }

    /// <summary>What the real server answers when all is well (a join shows an empty room).</summary>
    public static IEnumerable<ServerFrame> Answer(ClientFrame frame) => frame switch
    {
        HelloRequest hello => [new WelcomeFrame(hello.Name, "stand-in", 1, "general") { Ref = hello.Ref }],
        JoinRequest join => [new JoinedFrame(join.Room, [], []) { Ref = join.Ref }],
        PingRequest => [new PongFrame { Ref = frame.Ref }],
        PongRequest => [],
        QuitRequest => [new ByeFrame(ByeFrame.ClientQuit) { Ref = frame.Ref }],
        var other => [new ErrorFrame(ErrorCodes.UnknownType, $"not served here: {other}") { Ref = other.Ref }],
    };
}
