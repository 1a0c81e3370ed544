using System.Diagnostics;
using System.Globalization;
using ActorChat.CommandLine;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Hosting;
using ActorChat.Server.Rooms;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Server.Benchmarks;

/// <summary>
/// <c>ActorChat.Server bench [--messages N] [--window W] [store flags]</c>: durable messages per second for one room
/// on the chosen store, then the time a fresh incarnation of that room takes to recover. Runs the real room, journal
/// and snapshot store, without TCP: a driver actor keeps W posts in flight and counts the fanned-out message frames.
/// </summary>
public static class PersistenceBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var commandLine = new CommandLineDefinition("bench",
            "Durable messages per second for one room on the chosen store, then the time a fresh incarnation of the room "
            + "takes to recover. Other arguments are server flags (see 'ActorChat.Server --help'), e.g. --data-dir DIR, "
            + "--postgres CONNECTION or --in-memory.",
            typeof(PersistenceBenchmark).Assembly, passOnTheRest: true, program: "ActorChat.Server");
        var messagesOption = commandLine.Value<int>("--messages", "N", "messages to write (default 100000)", "a whole number from 1 to 2147483647", PositiveNumber);
        var windowOption = commandLine.Value<int>("--window", "N", "posts in flight at once (default 5000)", "a whole number from 1 to 2147483647", PositiveNumber);
        var parsed = commandLine.Parse(args);
        if (parsed.Output is not null)
        {
            Console.WriteLine(parsed.Output);
            return 0;
        }
        if (parsed.Error is not null)
        {
            Console.Error.WriteLine($"bench: {parsed.Error} Run with --help for the options.");
            return 2;
        }
        var messages = CommandLineDefinition.Given(parsed.Result, messagesOption) ? parsed.Result.GetValue(messagesOption) : 100_000;
        var window = CommandLineDefinition.Given(parsed.Result, windowOption) ? parsed.Result.GetValue(windowOption) : 5_000;
        var load = SettingsLoader.Load(["--bind", "127.0.0.1", "--port", "auto", .. parsed.Result.UnmatchedTokens]);
        if (load.Error is not null)
        {
            Console.Error.WriteLine($"bench: {load.Error} Run with --help for the options.");
            return 2;
        }
        var settings = load.Settings!;
        await using var server = await ChatServerHost.StartAsync(settings, load.Config!, LogLevel.Warning);
        var system = server.System;
        var directory = server.Host.Services.GetRequiredService<ActorRegistry>().Get<RoomDirectory>();
        var room = $"bench-{Guid.NewGuid():N}"[..20];

        Console.WriteLine($"store: {Persistence.StoreCheck.Describe(settings.Persistence)}");
        var done = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new Driver(directory, room, messages, window, done)), "bench-driver");
        var elapsed = await done.Task.WaitAsync(TimeSpan.FromMinutes(10));
        Console.WriteLine($"write: {messages} messages in {elapsed.TotalSeconds:0.000} s = {messages / elapsed.TotalSeconds:0} durable messages/s (one room, {window} in flight)");

        // A second incarnation of the same room (another actor, same persistence id) recovers from snapshot + events.
        var watch = Stopwatch.StartNew();
        var fresh = system.ActorOf(RoomActor.Props(room, settings.Rooms, new Status.ChatStatistics()), "bench-recovery");
        var probe = system.ActorOf(Props.Create(() => new StatsWaiter()), "bench-stats");
        var stats = await probe.Ask<StatsFrame>(new StatsWaiter.Ask(fresh, room), TimeSpan.FromMinutes(5));
        watch.Stop();
        Console.WriteLine($"recovery: room with {stats.MessagesPerUser.Values.Sum()} messages recovered in {watch.Elapsed.TotalMilliseconds:0} ms (snapshot every {settings.Rooms.SnapshotEvery})");
        return 0;
    }

    private static bool PositiveNumber(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1;

    /// <summary>Joins the room, keeps <c>window</c> posts in flight, and stops the clock at the last message frame.</summary>
    private sealed class Driver : ReceiveActor
    {
        private readonly Stopwatch _watch = new();
        private int _sent;
        private int _received;

        public Driver(IActorRef directory, string room, int total, int window, TaskCompletionSource<TimeSpan> done)
        {
            Receive<Deliver>(deliver =>
            {
                // A delivery carries one or more lines (a room sends a batch at once). Message frames are only
                // counted (a client would decode them; the clock is for the server side).
                var rest = deliver.Line.AsSpan();
                while (!rest.IsEmpty)
                {
                    var end = rest.IndexOf((byte)'\n');
                    var line = rest[..end];
                    rest = rest[(end + 1)..];
                    if (line.StartsWith("{\"type\":\"message\""u8))
                    {
                        _received++;
                        if (_sent < total) directory.Tell(new Post(room, "bench", $"message {_sent++}", Self));
                        if (_received == total) done.TrySetResult(_watch.Elapsed);
                        continue;
                    }
                    switch (FrameCodec.DecodeServerFrame(line).Frame)
                    {
                        case JoinedFrame:
                            _watch.Start();
                            for (; _sent < Math.Min(window, total); _sent++) directory.Tell(new Post(room, "bench", $"message {_sent}", Self));
                            break;
                        case ErrorFrame error:
                            done.TrySetException(new InvalidOperationException($"{error.Code}: {error.Message}"));
                            break;
                    }
                }
            });
            directory.Tell(new Join(room, "bench", Self));
        }
    }

    private sealed class StatsWaiter : ReceiveActor
    {
        public sealed record Ask(IActorRef Room, string Name);

        public StatsWaiter()
        {
            IActorRef? asker = null;
            Receive<Ask>(ask =>
            {
                asker = Sender;
                ask.Room.Tell(new Join(ask.Name, "bench-stats", Self)); // stats are for members
                ask.Room.Tell(new GetStats(ask.Name, Self));
            });
            Receive<Deliver>(deliver =>
            {
                var frame = FrameCodec.DecodeServerFrame(deliver.Line.AsSpan(0, deliver.Line.Length - 1)).Frame;
                if (frame is StatsFrame stats) asker?.Tell(stats);
            });
        }
    }
}
