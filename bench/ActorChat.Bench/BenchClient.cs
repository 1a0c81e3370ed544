using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ActorChat.Messages;

namespace ActorChat.Bench;

/// <summary>
/// One bench connection: a raw socket, an async receive loop over pooled buffers and a <see cref="LineFramer"/>.
/// Message frames are read with a lean forward-only JSON reader (no objects made); every other frame goes
/// through <see cref="FrameCodec.DecodeServerFrame"/>. The receive loop is the only writer of the receive-side
/// counters; the run reads them after the client is done.
/// </summary>
internal sealed class BenchClient : IAsyncDisposable
{
    private const int ReceiveBufferSize = 16 * 1024;
    private const int MaxLineBytes = 1024 * 1024; // a joined frame of a big room is long; this is a client, be generous

    private readonly BenchRun _run;
    private readonly Socket _socket;
    private readonly LineFramer _framer = new(MaxLineBytes, 512);
    private TaskCompletionSource<ServerFrame>? _reply;
    private Func<ServerFrame, bool>? _replyMatch;
    private Task _receiveLoop = Task.CompletedTask;

    // Receive side, written only by the receive loop.
    private byte[]? _seen;           // per (sender slot in room, message number): times delivered
    private long _lastSeq;
    private long _distinct;
    private int _closedFlag;

    public BenchClient(BenchRun run, int index)
    {
        _run = run;
        Index = index;
        Name = run.NameOf(index);
        NameUtf8 = Encoding.UTF8.GetBytes(Name);
        Room = run.RoomOf(index);
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    }

    public int Index { get; }
    public string Name { get; }
    public byte[] NameUtf8 { get; }
    public int Room { get; }

    public Histogram? Latency { get; private set; }
    /// <summary>With several nodes: the latency of deliveries from a sender on this client's node, and from one on another.</summary>
    public Histogram? LatencySameNode { get; private set; }
    public Histogram? LatencyCrossNode { get; private set; }
    public long Deliveries { get; private set; }
    public long DeliveriesToOthers { get; private set; }
    public long Duplicates { get; private set; }
    public long OutOfOrder { get; private set; }
    public long SeqGaps { get; private set; }
    public long Misrouted { get; private set; }
    public long Corrupt { get; private set; }
    public long Presence { get; private set; }
    public long GuestDeliveries { get; private set; }
    public long LastDeliveryTicks { get; private set; }
    public long Expected { get; private set; }
    public long Distinct => _distinct;
    public string? ErrorCode { get; private set; }
    public string? CloseReason { get; private set; }
    public bool Closed => Volatile.Read(ref _closedFlag) != 0;
    public bool Done { get; private set; }

    /// <summary>Where the client's setup got to, for reports on clients that never got ready.</summary>
    public string Stage { get; private set; } = "created";

    /// <summary>Frames and bytes received so far (all kinds).</summary>
    public long FramesReceived { get; private set; }
    public long BytesReceived { get; private set; }

    /// <summary>Own messages seen echoed back; the windowed sender waits on it.</summary>
    public SemaphoreSlim? Window { get; set; }
    public int Sent;

    public async Task ConnectAsync(IPEndPoint target, IPAddress? source, CancellationToken ct)
    {
        if (source is not null)
        {
            // Let connect() pick the port per (source, destination) instead of reserving one at bind().
            try { _socket.SetRawSocketOption(0 /* IPPROTO_IP */, 24 /* IP_BIND_ADDRESS_NO_PORT */, BitConverter.GetBytes(1)); }
            catch (SocketException) { }
            _socket.Bind(new IPEndPoint(source, 0));
        }
        Stage = "connecting";
        await _socket.ConnectAsync(target, ct);
        Stage = $"connected from {_socket.LocalEndPoint}";
        _receiveLoop = Task.Run(ReceiveLoopAsync, CancellationToken.None);
    }

    /// <summary>hello → welcome, join → joined.</summary>
    public async Task IdentifyAndJoinAsync(CancellationToken ct)
    {
        Stage = "hello sent, waiting for welcome";
        var welcome = await RequestAsync(new HelloRequest(Name), f => f is WelcomeFrame, ct);
        if (welcome is not WelcomeFrame) throw new BenchException($"{Name}: hello got {Describe(welcome)}");
        var roomName = _run.RoomName(Room);
        Stage = "join sent, waiting for joined";
        var joined = await RequestAsync(new JoinRequest(roomName), f => f is JoinedFrame j && j.Room == roomName, ct);
        if (joined is not JoinedFrame) throw new BenchException($"{Name}: join got {Describe(joined)}");
        Stage = "joined";
    }

    /// <summary>ping → pong: once it is back, everything the server sent before it has been read.</summary>
    public async Task PingAsync(CancellationToken ct)
    {
        Stage = "ping sent, waiting for pong";
        var pong = await RequestAsync(PingRequest.Instance, f => f is PongFrame, ct);
        if (pong is not PongFrame) throw new BenchException($"{Name}: ping got {Describe(pong)}");
        Stage = "ready";
    }

    /// <summary>Gets ready to count deliveries: every message of each sender of its room, exactly once.</summary>
    public void ExpectMessages(int sendersInRoom, int messages)
    {
        Expected = (long)sendersInRoom * messages;
        _seen = new byte[sendersInRoom * messages];
        Latency = new Histogram();
        if (_run.NodeCount > 1) (LatencySameNode, LatencyCrossNode) = (new Histogram(), new Histogram());
        if (Expected == 0) MarkDone();
    }

    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> line, CancellationToken ct) =>
        _socket.SendAsync(line, SocketFlags.None, ct);

    private async Task<ServerFrame> RequestAsync(ClientFrame request, Func<ServerFrame, bool> match, CancellationToken ct)
    {
        var reply = new TaskCompletionSource<ServerFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _replyMatch = match;
        Volatile.Write(ref _reply, reply);
        if (Closed) throw new BenchException($"{Name}: connection closed ({CloseReason})");
        await _socket.SendAsync(FrameCodec.EncodeLine(request), SocketFlags.None, ct);
        await using (ct.Register(() => reply.TrySetCanceled(ct)))
        {
            return await reply.Task;
        }
    }

    private async Task ReceiveLoopAsync()
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                if (buffer is null)
                {
                    // Many connections: wait for data without holding a buffer (10,000 idle connections would
                    // pin 160 MB). Few busy ones: keep the buffer and save the extra wake-up per read.
                    if (_run.ZeroByteReceives) await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                    buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
                }
                var read = await _socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None);
                if (read == 0)
                {
                    OnClosed("server closed the connection");
                    return;
                }
                Process(buffer.AsSpan(0, read));
                if (_framer.Overflowed)
                {
                    OnClosed("a line longer than the framer's limit");
                    return;
                }
                if (read < buffer.Length && _run.ZeroByteReceives)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            OnClosed(e is SocketException se ? $"socket error {se.SocketErrorCode}" : "closed by the bench");
        }
        catch (Exception e)
        {
            OnClosed($"receive loop failed: {e.GetType().Name}: {e.Message}");
            _run.Fault(e);
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Process(ReadOnlySpan<byte> chunk)
    {
        var now = Stopwatch.GetTimestamp();
        BytesReceived += chunk.Length;
        _framer.Append(chunk);
        while (_framer.TryReadLine(out var line))
        {
            FramesReceived++;
            if (!_run.Options.FullDecode)
            {
                if (TryReadMessage(line, now)) continue;
                // Joins make many presence frames (n²/2 per room) and the bench only counts them.
                if (line.StartsWith("{\"type\":\"presence\""u8) && line[^1] == (byte)'}')
                {
                    Presence++;
                    continue;
                }
            }
            var result = FrameCodec.DecodeServerFrame(line);
            if (!result.IsSuccess)
            {
                Corrupt++;
                _run.Note($"{Name}: undecodable frame ({result.Error!.Code}): {Encoding.UTF8.GetString(line[..Math.Min(line.Length, 200)])}");
                continue;
            }
            OnFrame(result.Frame!, now);
        }
    }

    /// <summary>Reads a message frame without making objects; false when the line is another frame (or odd).</summary>
    private bool TryReadMessage(ReadOnlySpan<byte> line, long now)
    {
        // Cheap filter: the codec writes "type" first; anything else takes the general path.
        if (!line.StartsWith("{\"type\":\"message\""u8)) return false;
        ReadOnlySpan<byte> room = default, sender = default, text = default;
        long seq = -1;
        var reader = new Utf8JsonReader(line);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("room"u8)) { reader.Read(); if (reader.ValueIsEscaped) return false; room = reader.ValueSpan; }
                else if (reader.ValueTextEquals("sender"u8)) { reader.Read(); if (reader.ValueIsEscaped) return false; sender = reader.ValueSpan; }
                else if (reader.ValueTextEquals("text"u8)) { reader.Read(); if (reader.ValueIsEscaped) return false; text = reader.ValueSpan; }
                else if (reader.ValueTextEquals("seq"u8)) { reader.Read(); if (!reader.TryGetInt64(out seq)) return false; }
                else { reader.Read(); reader.Skip(); }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) return false;
        }
        catch (JsonException)
        {
            return false; // the general path reports it
        }
        if (seq < 0 || room.IsEmpty || sender.IsEmpty) return false;
        OnMessage(room, sender, text, seq, now);
        return true;
    }

    private void OnFrame(ServerFrame frame, long now)
    {
        switch (frame)
        {
            case MessageFrame m:
                OnMessage(Encoding.UTF8.GetBytes(m.Room), Encoding.UTF8.GetBytes(m.Sender), Encoding.UTF8.GetBytes(m.Text), m.Seq, now);
                return;
            case PresenceFrame:
                Presence++;
                return;
            case ServerPingFrame:
                // A quiet client is asked whether it is still there; a 16-byte pong goes out in one send.
                _ = _socket.SendAsync(FrameCodec.EncodeLine(PongRequest.Instance), SocketFlags.None);
                return;
            case ErrorFrame error:
                ErrorCode ??= error.Code;
                _run.OnErrorFrame(this, error);
                var pendingError = Volatile.Read(ref _reply);
                pendingError?.TrySetResult(error);
                return;
        }
        var pending = Volatile.Read(ref _reply);
        if (pending is not null && _replyMatch is { } match && match(frame))
        {
            Volatile.Write(ref _reply, null);
            pending.TrySetResult(frame);
        }
    }

    private void OnMessage(ReadOnlySpan<byte> room, ReadOnlySpan<byte> sender, ReadOnlySpan<byte> text, long seq, long now)
    {
        if (_seen is not null && _run.IsGuest(sender) && room.SequenceEqual(_run.RoomNameUtf8(Room)))
        {
            // A hostile guest's message: not counted against the run's senders, but it takes a place in the room's seq.
            GuestDeliveries++;
            CheckSeq(seq);
            return;
        }
        if (!room.SequenceEqual(_run.RoomNameUtf8(Room)) || !Payload.TryParse(text, out var sentTicks, out var senderIndex, out var number)
            || (uint)senderIndex >= (uint)_run.Options.Clients || _seen is null)
        {
            // Not one of this run's messages for this client (or before the send phase was set up).
            Misrouted++;
            return;
        }
        if (!sender.SequenceEqual(_run.NameUtf8Of(senderIndex)) || _run.RoomOf(senderIndex) != Room
            || (uint)number >= (uint)_run.Options.Messages)
        {
            Corrupt++;
            return;
        }

        CheckSeq(seq);

        var slot = _run.SenderSlot(senderIndex) * _run.Options.Messages + number;
        Deliveries++;
        if (senderIndex != Index) DeliveriesToOthers++;
        if (_seen[slot] != 0)
        {
            Duplicates++;
            if (_seen[slot] < 255) _seen[slot]++;
            return;
        }
        _seen[slot] = 1;
        _distinct++;
        LastDeliveryTicks = now;
        var micros = (now - sentTicks) * 1_000_000 / Stopwatch.Frequency;
        Latency!.Record(micros);
        if (LatencySameNode is not null)
            (_run.NodeOf(senderIndex) == _run.NodeOf(Index) ? LatencySameNode : LatencyCrossNode)!.Record(micros);
        if (senderIndex == Index) Window?.Release();
        if (_distinct == Expected) MarkDone();
    }

    private void CheckSeq(long seq)
    {
        if (seq <= _lastSeq) OutOfOrder++;
        else if (_lastSeq != 0 && seq != _lastSeq + 1) SeqGaps++;
        if (seq > _lastSeq) _lastSeq = seq;
    }

    private void MarkDone()
    {
        if (Done) return;
        Done = true;
        _run.ClientDone(this);
    }

    private void OnClosed(string reason)
    {
        if (Interlocked.Exchange(ref _closedFlag, 1) != 0) return;
        CloseReason = reason;
        Volatile.Read(ref _reply)?.TrySetException(new BenchException($"{Name}: connection closed ({reason})"));
        _run.ClientClosed(this);
    }

    private static string Describe(ServerFrame frame) => frame switch
    {
        ErrorFrame e => $"error {e.Code}: {e.Message}",
        _ => frame.GetType().Name,
    };

    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _closedFlag, 1);
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _socket.Dispose();
        try { await _receiveLoop; } catch { /* reported already */ }
    }
}

public sealed class BenchException(string message) : Exception(message);
