using System.Net;
using System.Text;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Sessions;
using ActorChat.Server.Transport;
using ActorChat.Server.Transport.Tcp;
using ActorChat.Server.Users;
using ActorChat.Tests.Support;
using Akka.Actor;
using Akka.IO;
using Akka.TestKit;

namespace ActorChat.Tests.Transport;

/// <summary>The TCP connection actor against a probe standing in for Akka.IO's connection.</summary>
public class TcpConnectionActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestProbe _connection;
    private readonly TestProbe _rooms;
    private readonly TestProbe _users;

    public TcpConnectionActorSpec()
    {
        _connection = CreateTestProbe("connection");
        _rooms = CreateTestProbe("rooms");
        _users = CreateTestProbe("users");
    }

    private IActorRef Start(int maxFrameBytes = 1024, long outboundLimit = 1 << 20, int graceMs = 300,
        long? hardLimit = null, int slowConsumerMs = 10_000, FloodSettings? flood = null,
        double helloTimeoutSeconds = 0, double pingIntervalSeconds = 0)
    {
        var settings = new SessionSettings(maxFrameBytes, outboundLimit, 10, TimeSpan.FromMilliseconds(graceMs),
            flood ?? FloodSettings.Off, TimeSpan.FromSeconds(helloTimeoutSeconds), TimeSpan.FromSeconds(pingIntervalSeconds),
            hardLimit, TimeSpan.FromMilliseconds(slowConsumerMs));
        var services = new SessionServices("Test", _rooms, _users, settings);
        var actor = Sys.ActorOf(TcpConnectionActor.Props(_connection, new IPEndPoint(IPAddress.Loopback, 5555), services));
        return actor;
    }

    private void Receive(IActorRef actor, string text) => Receive(actor, Encoding.UTF8.GetBytes(text));

    private void Receive(IActorRef actor, byte[] bytes) => actor.Tell(new Tcp.Received(ByteString.FromBytes(bytes)), _connection);

    private Tcp.Write ExpectWrite() => _connection.FishForMessage<Tcp.Write>(m => m is Tcp.Write);

    private ServerFrame ExpectOneFrameAndAck(IActorRef actor)
    {
        var write = ExpectWrite();
        actor.Tell(write.Ack, _connection);
        return Assert.Single(Frames.DecodeLines(write.Data.ToArray()));
    }

    [Fact]
    public void A_frame_split_over_many_reads_is_handled_once_complete()
    {
        var actor = Start();
        foreach (var piece in new[] { "{\"type\"", ":\"pi", "ng\"}", "\n" }) Receive(actor, piece);
        Assert.IsType<PongFrame>(ExpectOneFrameAndAck(actor));
    }

    [Fact]
    public void Many_frames_in_one_read_are_all_handled_in_order_with_crlf_accepted()
    {
        var actor = Start();
        Receive(actor, "{\"type\":\"ping\"}\r\n{\"type\":\"nope\"}\n{\"type\":\"ping\"}\n");
        var frames = new List<ServerFrame>();
        while (frames.Count < 3)
        {
            var write = ExpectWrite();
            actor.Tell(write.Ack, _connection);
            frames.AddRange(Frames.DecodeLines(write.Data.ToArray()));
        }
        Assert.IsType<PongFrame>(frames[0]);
        Assert.Equal(ErrorCodes.UnknownType, Assert.IsType<ErrorFrame>(frames[1]).Code);
        Assert.IsType<PongFrame>(frames[2]);
    }

    [Fact]
    public void Invalid_utf8_gets_bad_json_and_the_connection_keeps_working()
    {
        var actor = Start();
        Receive(actor, [0xFF, 0xFE, (byte)'\n']);
        Assert.Equal(ErrorCodes.BadJson, Assert.IsType<ErrorFrame>(ExpectOneFrameAndAck(actor)).Code);
        Receive(actor, "{\"type\":\"ping\"}\n");
        Assert.IsType<PongFrame>(ExpectOneFrameAndAck(actor));
    }

    [Fact]
    public void An_oversized_line_gets_frame_too_large_then_the_connection_closes()
    {
        var actor = Start(maxFrameBytes: 256);
        Receive(actor, new string('x', 300));
        var error = Assert.IsType<ErrorFrame>(ExpectOneFrameAndAck(actor));
        Assert.Equal(ErrorCodes.FrameTooLarge, error.Code);
        _connection.FishForMessage(m => m is Tcp.Close);
    }

    [Fact]
    public void Frames_queued_while_a_write_is_in_flight_go_out_in_one_write()
    {
        var actor = Start();
        var first = new Deliver(FrameCodec.EncodeLine(new LeftFrame("a")));
        var second = new Deliver(FrameCodec.EncodeLine(new LeftFrame("b")));
        var third = new Deliver(FrameCodec.EncodeLine(new LeftFrame("c")));
        actor.Tell(first);
        actor.Tell(second);
        actor.Tell(third);

        var write1 = ExpectWrite();
        Assert.Equal(["a"], Frames.DecodeLines(write1.Data.ToArray()).Cast<LeftFrame>().Select(f => f.Room));
        _connection.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // nothing more until the kernel took the first write
        actor.Tell(write1.Ack, _connection);

        var write2 = ExpectWrite();
        Assert.Equal(["b", "c"], Frames.DecodeLines(write2.Data.ToArray()).Cast<LeftFrame>().Select(f => f.Room));
    }

    [Fact]
    public void A_client_that_stays_behind_past_the_limit_for_longer_than_the_slow_consumer_timeout_is_cut_off()
    {
        var actor = Start(outboundLimit: 2048, graceMs: 5000, slowConsumerMs: 300);
        Watch(actor);
        var line = new Deliver(FrameCodec.EncodeLine(new ErrorFrame("x", new string('y', 500))));
        for (var i = 0; i < 10; i++) actor.Tell(line);

        var stuck = ExpectWrite(); // never acknowledged in time: the client is not reading
        _connection.ExpectNoMsg(TimeSpan.FromMilliseconds(600));
        actor.Tell(stuck.Ack, _connection);

        // Only the slow_consumer notice is written (best effort); the queued frames were dropped.
        var last = ExpectWrite();
        var frame = Assert.Single(Frames.DecodeLines(last.Data.ToArray()));
        Assert.Equal(ErrorCodes.SlowConsumer, Assert.IsType<ErrorFrame>(frame).Code);
        actor.Tell(last.Ack, _connection);
        _connection.FishForMessage(m => m is Tcp.Close);
    }

    [Fact]
    public void A_client_that_catches_up_within_the_slow_consumer_timeout_is_not_cut_off()
    {
        var actor = Start(outboundLimit: 2048, slowConsumerMs: 1000);
        var line = new Deliver(FrameCodec.EncodeLine(new ErrorFrame("x", new string('y', 500))));
        for (var i = 0; i < 10; i++) actor.Tell(line); // 5 KB behind: past the 2 KB limit, under the hard limit

        var frames = 0;
        while (frames < 10)
        {
            var write = ExpectWrite();
            frames += Frames.DecodeLines(write.Data.ToArray()).Count;
            actor.Tell(write.Ack, _connection);
        }
        _connection.ExpectNoMsg(TimeSpan.FromMilliseconds(1500)); // no slow_consumer, no close
        actor.Tell(line);
        Assert.Equal("x", Assert.IsType<ErrorFrame>(Assert.Single(Frames.DecodeLines(ExpectWrite().Data.ToArray()))).Code);
    }

    [Fact]
    public void A_client_that_falls_behind_past_the_hard_limit_is_cut_off_at_once()
    {
        var actor = Start(outboundLimit: 2048, hardLimit: 4096, slowConsumerMs: 60_000);
        var line = new Deliver(FrameCodec.EncodeLine(new ErrorFrame("x", new string('y', 500))));
        for (var i = 0; i < 10; i++) actor.Tell(line);
        var stuck = ExpectWrite();
        actor.Tell(stuck.Ack, _connection);
        var last = ExpectWrite();
        Assert.Equal(ErrorCodes.SlowConsumer, Assert.IsType<ErrorFrame>(Assert.Single(Frames.DecodeLines(last.Data.ToArray()))).Code);
    }

    [Fact]
    public void A_client_that_never_reads_again_is_aborted_after_the_grace_period()
    {
        var actor = Start(outboundLimit: 2048, graceMs: 300, hardLimit: 4096);
        Watch(actor);
        var line = new Deliver(FrameCodec.EncodeLine(new ErrorFrame("x", new string('y', 500))));
        for (var i = 0; i < 10; i++) actor.Tell(line);
        ExpectWrite();
        _connection.FishForMessage(m => m is Tcp.Abort, TimeSpan.FromSeconds(3));
        ExpectTerminated(actor);
    }

    [Fact]
    public void The_connection_reads_once_at_start_and_once_more_after_each_read_is_handled()
    {
        var actor = Start();
        _connection.FishForMessage(m => m is Tcp.ResumeReading); // pull mode: the first read
        Receive(actor, "{\"type\":\"ping\"}\n");
        _connection.FishForMessage(m => m is Tcp.ResumeReading);
        Receive(actor, "{\"type\":\"pi");
        _connection.FishForMessage(m => m is Tcp.ResumeReading); // half a frame: read on for the rest
    }

    [Fact]
    public void A_flooder_is_read_no_faster_than_its_budget_and_loses_nothing()
    {
        var actor = Start(flood: new FloodSettings(FramesPerSecond: 20, FrameBurst: 2, BytesPerSecond: 1 << 20, ByteBurst: 1 << 20));
        Receive(actor, string.Concat(Enumerable.Repeat("{\"type\":\"who\",\"room\":\"lobby\"}\n", 6)));
        // Not identified: each who is answered with not_identified, two at once, then one every 50 ms.
        _connection.FishForMessage(m => m is Tcp.ResumeReading); // the first read, asked for at start
        var answers = 0;
        var started = DateTime.UtcNow;
        TimeSpan? readAgainAfter = null;
        for (var i = 0; i < 20 && (answers < 6 || readAgainAfter is null); i++)
        {
            var message = _connection.FishForMessage(m => m is Tcp.Write or Tcp.ResumeReading);
            if (message is Tcp.ResumeReading)
            {
                // Reading resumes once the last frame has its budget; its answer may still wait behind a write.
                readAgainAfter ??= DateTime.UtcNow - started;
                continue;
            }
            var write = (Tcp.Write)message;
            answers += Frames.DecodeLines(write.Data.ToArray()).Count;
            actor.Tell(write.Ack, _connection);
        }
        Assert.Equal(6, answers);
        Assert.True(readAgainAfter >= TimeSpan.FromMilliseconds(150), $"reading resumed after {readAgainAfter}: four frames over budget need 4 × 50 ms");
    }

    [Fact]
    public void A_connection_that_does_not_say_hello_in_time_gets_bye_timeout()
    {
        var actor = Start(helloTimeoutSeconds: 0.3);
        Assert.Equal(new ByeFrame(ByeFrame.Timeout), ExpectOneFrameAndAck(actor));
        _connection.FishForMessage(m => m is Tcp.Close);
    }

    [Fact]
    public void A_silent_connection_is_pinged_and_closed_when_silent_as_long_again()
    {
        var actor = Start(pingIntervalSeconds: 0.4);
        Assert.IsType<ServerPingFrame>(ExpectOneFrameAndAck(actor));
        Assert.Equal(new ByeFrame(ByeFrame.Timeout), ExpectOneFrameAndAck(actor));
        _connection.FishForMessage(m => m is Tcp.Close);
    }

    [Fact]
    public void A_pong_keeps_a_pinged_connection_open()
    {
        var actor = Start(pingIntervalSeconds: 0.4);
        Assert.IsType<ServerPingFrame>(ExpectOneFrameAndAck(actor));
        Receive(actor, "{\"type\":\"pong\"}\n");
        // Silent again from now: the next thing is another ping, not a bye.
        Assert.IsType<ServerPingFrame>(ExpectOneFrameAndAck(actor));
    }

    [Fact]
    public void A_closing_connection_throws_further_input_away()
    {
        var actor = Start(maxFrameBytes: 256, graceMs: 5000);
        Receive(actor, "{\"type\":\"quit\"}\n{\"type\":\"ping\"}\n");
        Assert.Equal(new ByeFrame("quit"), ExpectOneFrameAndAck(actor));
        for (var i = 0; i < 100; i++) Receive(actor, new string('x', 4000)); // far past max-frame: discarded, not buffered
        Receive(actor, "{\"type\":\"ping\"}\n");
        var afterBye = new List<object>();
        while (_connection.ReceiveOne(TimeSpan.FromMilliseconds(500)) is { } message) afterBye.Add(message);
        Assert.Contains(afterBye, m => m is Tcp.Close);
        Assert.DoesNotContain(afterBye, m => m is Tcp.Write); // no pong for the ping sent after quit, no frame_too_large
    }

    [Fact]
    public void Quit_sends_bye_and_closes_after_flushing()
    {
        var actor = Start();
        Receive(actor, "{\"type\":\"quit\"}\n");
        Assert.Equal(new ByeFrame("quit"), ExpectOneFrameAndAck(actor));
        _connection.FishForMessage(m => m is Tcp.Close);
    }

    [Fact]
    public void A_closed_connection_stops_the_actor()
    {
        var actor = Start();
        Watch(actor);
        actor.Tell(Tcp.PeerClosed.Instance, _connection);
        ExpectTerminated(actor);
    }

    [Fact]
    public void Hello_identifies_through_the_user_registry()
    {
        var actor = Start();
        Receive(actor, "{\"type\":\"hello\",\"name\":\"alice\"}\n");
        var register = _users.ExpectMsg<UserRegistry.Register>();
        Assert.Equal(actor, register.Session);
        actor.Tell(new UserRegistry.Registered("alice"));
        Assert.Equal(new WelcomeFrame("alice", "Test", 1, "general"), ExpectOneFrameAndAck(actor));
    }

    [Fact]
    public void Nothing_more_is_read_while_a_frame_waits_for_an_earlier_answer_and_reading_resumes_once_it_is_in()
    {
        var actor = Start();
        _connection.FishForMessage(m => m is Tcp.ResumeReading); // the first read, asked for at start
        Receive(actor, "{\"type\":\"hello\",\"name\":\"alice\"}\n{\"type\":\"ping\",\"ref\":\"p\"}\n");
        _users.ExpectMsg<UserRegistry.Register>();
        // The ping waits behind the hello, and the connection is not read further meanwhile.
        _connection.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        actor.Tell(new UserRegistry.Registered("alice"));
        Assert.IsType<WelcomeFrame>(ExpectOneFrameAndAck(actor));
        var pong = false;
        var readAgain = false;
        for (var i = 0; i < 10 && !(pong && readAgain); i++)
        {
            switch (_connection.FishForMessage(m => m is Tcp.Write or Tcp.ResumeReading))
            {
                case Tcp.Write write:
                    Assert.Equal(new PongFrame { Ref = "p" }, Assert.Single(Frames.DecodeLines(write.Data.ToArray())));
                    actor.Tell(write.Ack, _connection);
                    pong = true;
                    break;
                default:
                    readAgain = true;
                    break;
            }
        }
        Assert.True(pong && readAgain, "the pong went out and reading resumed");
    }
}
