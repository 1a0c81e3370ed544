using System.Net.Sockets;
using ActorChat.Client.Discovery;
using ActorChat.Messages;

namespace ActorChat.Client.Cli;

/// <summary>
/// The console chat client: finds or is told a server, identifies, joins a room, then turns typed lines into
/// frames and frames into lines. When the server goes away it reconnects with backoff, identifies again (another
/// name if its own is taken), rejoins its rooms and says so. All protocol encoding is ActorChat.Messages'.
/// </summary>
public sealed class ChatClient
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);
    private const int NameTakenRetries = 3;
    private const int SeenIdsPerRoom = 500;

    /// <summary>Error codes a say can get, and those a history request can get.</summary>
    private static readonly HashSet<string> SayErrors =
    [
        ErrorCodes.Unavailable, ErrorCodes.Busy, ErrorCodes.NotInRoom, ErrorCodes.InvalidRoom, ErrorCodes.EmptyMessage,
        ErrorCodes.MessageTooLong, ErrorCodes.BadRequest,
    ];

    private static readonly HashSet<string> HistoryErrors =
        [ErrorCodes.Unavailable, ErrorCodes.Busy, ErrorCodes.NotInRoom, ErrorCodes.InvalidRoom, ErrorCodes.BadRequest];

    private readonly ClientOptions _options;
    private readonly IChatConsole _console;
    private readonly Renderer _renderer;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _rooms = [];
    private readonly HashSet<string> _switchOnJoin = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SeenIds> _seen = new(StringComparer.OrdinalIgnoreCase);
    // The smallest seq shown per room: /history asks for the messages before it.
    private readonly Dictionary<string, long> _oldestSeq = new(StringComparer.OrdinalIgnoreCase);
    // Rooms with a /history request on its way, so a second one does not ask for the same page.
    private readonly HashSet<string> _historyInFlight = new(StringComparer.OrdinalIgnoreCase);
    // Lines said and not yet answered, oldest first: an error frame names no request, so a say error is matched here.
    private readonly List<(string Room, string Text)> _pendingSays = [];
    private ChatConnection? _connection;
    private string _name = "";
    private string _serverName = "";
    private string _host = "";
    private int _port;
    private string? _currentRoom;
    private bool _connected;
    private int _outstanding;
    private TaskCompletionSource? _pong;
    private TaskCompletionSource _drained = NewSignal();
    private volatile bool _quitting;

    public ChatClient(ClientOptions options, IChatConsole console, Renderer renderer)
    {
        _options = options;
        _console = console;
        _renderer = renderer;
    }

    /// <summary>Runs until the user quits or input ends; the exit code (0 fine, 1 could not connect).</summary>
    public async Task<int> RunAsync()
    {
        if (!await ChooseServerAsync()) return 1;
        var connection = await IdentifyAsync();
        if (connection is null) return 1;

        lock (_gate)
        {
            _connection = connection;
            _connected = true;
            UpdatePrompt();
        }
        _console.Write(OutputLine.System($"Connected to {_serverName} at {_host}:{_port} as {_name}. Type /help for the commands."));
        var pump = Task.Run(PumpAsync);
        _switchOnJoin.Add(_options.Room);
        await SendCountedAsync(new JoinRequest(_options.Room));
        await WaitForAnswersAsync(DrainTimeout); // history first, then the prompt
        var endedByQuit = await InputLoopAsync();
        if (!endedByQuit && !_console.IsInteractive) await DrainAsync();
        await QuitAsync(pump);
        return 0;
    }

    // ---------------------------------------------------------------- finding and joining a server

    private async Task<bool> ChooseServerAsync()
    {
        if (_options.ConnectsDirectly)
        {
            _host = _options.EffectiveHost;
            _port = _options.EffectivePort;
            return true;
        }

        _console.Write(OutputLine.System($"Looking for chat servers on the LAN (UDP port {_options.DiscoveryPort})..."));
        var servers = await ServerFinder.FindAsync(_options.DiscoveryPort, _options.DiscoveryWindow, _options.DiscoveryTargets);
        if (servers.Count == 0)
        {
            _console.Write(OutputLine.Error(NoServerFoundMessage(_options.DiscoveryPort)));
            return false;
        }

        var chosen = servers[0];
        if (servers.Count > 1)
        {
            _console.Write(OutputLine.Info($"Found {servers.Count} chat servers:"));
            for (var i = 0; i < servers.Count; i++)
                _console.Write(OutputLine.Info($"  {i + 1}) {servers[i].Name}  {servers[i].Address}:{servers[i].TcpPort}"));
            var pick = await AskAsync($"Pick a server [1-{servers.Count}]: ",
                answer => int.TryParse(answer, out var n) && n >= 1 && n <= servers.Count ? null : $"Type a number from 1 to {servers.Count}.");
            if (pick is null) return false;
            chosen = servers[int.Parse(pick) - 1];
        }
        else
        {
            _console.Write(OutputLine.System($"Found {chosen.Name} at {chosen.Address}:{chosen.TcpPort}."));
        }
        _host = chosen.Address.ToString();
        _port = chosen.TcpPort;
        return true;
    }

    /// <summary>What to tell a user whose discovery found nothing.</summary>
    public static string NoServerFoundMessage(int udpPort) =>
        $"No chat server answered on the LAN (UDP port {udpPort}). Try: --host HOST [--port PORT] to connect directly; " +
        $"check that the server runs (and was not started with --udp-port 0); check that a firewall lets UDP port {udpPort} through.";

    private async Task<ChatConnection?> IdentifyAsync()
    {
        var name = _options.Name;
        while (true)
        {
            name ??= await AskAsync("Your name: ", answer => Protocol.IsValidName(answer)
                ? null
                : $"A name is 1 to {Protocol.MaxNameLength} letters, digits, '_', '-' or '.'.");
            if (name is null) return null;

            var outcome = await ConnectAndHelloAsync(name, _stop.Token);
            if (outcome.Connection is not null)
            {
                _name = outcome.Welcome!.Name;
                _serverName = outcome.Welcome.Server;
                return outcome.Connection;
            }
            _console.Write(OutputLine.Error(outcome.Problem!));
            if (!outcome.NameRejected || !_console.IsInteractive) return null;
            name = null; // ask for another
        }
    }

    private sealed record HelloOutcome(ChatConnection? Connection, WelcomeFrame? Welcome, string? Problem, bool NameRejected);

    private async Task<HelloOutcome> ConnectAndHelloAsync(string name, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        ChatConnection connection;
        try
        {
            connection = await ChatConnection.ConnectAsync(_host, _port, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            var why = e is OperationCanceledException ? "no answer in time" : e.Message;
            return new HelloOutcome(null, null, $"Cannot connect to {_host}:{_port}: {why}.", false);
        }

        try
        {
            await connection.SendAsync(new HelloRequest(name), timeout.Token);
            while (await connection.ReceiveAsync(timeout.Token) is { } frame)
            {
                switch (frame)
                {
                    case WelcomeFrame welcome:
                        return new HelloOutcome(connection, welcome, null, false);
                    case ErrorFrame error:
                        await connection.DisposeAsync();
                        var rejected = error.Code is ErrorCodes.NameTaken or ErrorCodes.InvalidName;
                        return new HelloOutcome(null, null, $"{error.Message} [{error.Code}]", rejected);
                }
            }
            await connection.DisposeAsync();
            return new HelloOutcome(null, null, $"{_host}:{_port} closed the connection before welcoming us.", false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            await connection.DisposeAsync();
            return new HelloOutcome(null, null, $"{_host}:{_port} did not welcome us: {(e is OperationCanceledException ? "no answer in time" : e.Message)}.", false);
        }
    }

    private async Task<string?> AskAsync(string question, Func<string, string?> check)
    {
        while (true)
        {
            if (_console.IsInteractive) _console.SetPrompt(question);
            else _console.Write(OutputLine.Info(question.TrimEnd()));
            var answer = (await _console.ReadLineAsync(_stop.Token))?.Trim();
            if (answer is null || answer == "/quit") return null;
            var problem = check(answer);
            if (problem is null) return answer;
            _console.Write(OutputLine.Error(problem));
            if (!_console.IsInteractive) return null;
        }
    }

    // ---------------------------------------------------------------- typed lines

    /// <summary>Reads and runs lines; true when the user quit, false when input ended.</summary>
    private async Task<bool> InputLoopAsync()
    {
        while (true)
        {
            string? line;
            try
            {
                line = await _console.ReadLineAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return true;
            }
            if (line is null) return false;
            if (!await ExecuteAsync(CommandParser.Parse(line))) return true;
            // A script's next line may depend on this one (/join then say): take lines one answer at a time.
            if (!_console.IsInteractive) await WaitForAnswersAsync(DrainTimeout);
        }
    }

    /// <summary>Runs one command; false when it was /quit.</summary>
    public async Task<bool> ExecuteAsync(Command command)
    {
        switch (command)
        {
            case QuitCommand:
                return false;
            case EmptyCommand:
                break;
            case InvalidCommand invalid:
                _console.Write(OutputLine.Error(invalid.Hint));
                break;
            case HelpCommand:
                foreach (var line in Renderer.Help()) _console.Write(line);
                break;
            case SayCommand say:
                if (CurrentRoomOrHint("say something") is { } room) await SayAsync(room, say.Text);
                break;
            case HistoryCommand history:
                if (CurrentRoomOrHint("see its earlier messages") is { } historyRoom) await RequestHistoryAsync(historyRoom, history.Count);
                break;
            case JoinCommand join:
                lock (_gate) _switchOnJoin.Add(join.Room);
                await SendCountedAsync(new JoinRequest(join.Room));
                break;
            case LeaveCommand leave:
                if ((leave.Room ?? CurrentRoomOrHint("leave it")) is { } leaving) await SendCountedAsync(new LeaveRequest(leaving));
                break;
            case SwitchCommand @switch:
                Switch(@switch.Room);
                break;
            case RoomsCommand rooms:
                await SendCountedAsync(new RoomListRequest(rooms.After));
                break;
            case WhoCommand who:
                if ((who.Room ?? CurrentRoomOrHint("see who is there")) is { } whoRoom) await SendCountedAsync(new WhoRequest(whoRoom));
                break;
            case StatsCommand stats:
                if ((stats.Room ?? CurrentRoomOrHint("see its stats")) is { } statsRoom) await SendCountedAsync(new StatsRequest(statsRoom));
                break;
            case DirectMessageCommand dm:
                await SendCountedAsync(new DirectMessageRequest(dm.To, dm.Text));
                break;
        }
        return true;
    }

    private async Task SayAsync(string room, string text)
    {
        lock (_gate) _pendingSays.Add((room, text));
        if (!await SendCountedAsync(new SayRequest(room, text)))
            lock (_gate) _pendingSays.Remove((room, text));
    }

    /// <summary>Asks for the <paramref name="count"/> messages before the oldest one shown in the room (the latest when none was).</summary>
    private async Task RequestHistoryAsync(string room, int count)
    {
        long? before;
        lock (_gate)
        {
            if (!_historyInFlight.Add(room))
            {
                _console.Write(OutputLine.Info($"Already fetching earlier messages of #{room}; they are on their way."));
                return;
            }
            before = _oldestSeq.TryGetValue(room, out var oldest) ? oldest : null;
        }
        if (!await SendCountedAsync(new HistoryRequest(room, before, count)))
            lock (_gate) _historyInFlight.Remove(room);
    }

    private string? CurrentRoomOrHint(string purpose)
    {
        lock (_gate)
        {
            if (_currentRoom is not null) return _currentRoom;
        }
        _console.Write(OutputLine.Error($"You are in no room; /join ROOM first to {purpose}."));
        return null;
    }

    private void Switch(string room)
    {
        lock (_gate)
        {
            var joined = _rooms.Find(r => string.Equals(r, room, StringComparison.OrdinalIgnoreCase));
            if (joined is null)
            {
                _console.Write(OutputLine.Error($"You are not in #{room}; /join {room} first."));
                return;
            }
            _currentRoom = joined;
            UpdatePrompt();
        }
        _console.Write(OutputLine.System($"Now talking in #{room}."));
    }

    /// <summary>
    /// Sends a request the server answers; the answer is counted off so that the end of piped input can wait for it.
    /// False when it could not be sent (the user was told).
    /// </summary>
    private async Task<bool> SendCountedAsync(ClientFrame frame)
    {
        ChatConnection? connection;
        lock (_gate)
        {
            connection = _connected ? _connection : null;
            if (connection is not null) _outstanding++;
        }
        if (connection is null)
        {
            _console.Write(OutputLine.Error("Not connected (reconnecting); not sent."));
            return false;
        }
        try
        {
            await connection.SendAsync(frame, _stop.Token);
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            CountAnswer();
            _console.Write(OutputLine.Error("The connection broke; not sent."));
            return false;
        }
    }

    private void CountAnswer()
    {
        lock (_gate)
        {
            if (_outstanding > 0) _outstanding--;
            if (_outstanding == 0) _drained.TrySetResult();
        }
    }

    // ---------------------------------------------------------------- frames from the server

    private async Task PumpAsync()
    {
        while (!_quitting)
        {
            var connection = _connection!;
            try
            {
                await foreach (var frame in connection.Frames.ReadAllAsync(_stop.Token)) Handle(frame);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (_quitting) return;
            await ReconnectAsync(connection);
        }
    }

    private void Handle(ServerFrame frame)
    {
        var lines = new List<OutputLine>();
        lock (_gate)
        {
            switch (frame)
            {
                case JoinedFrame joined:
                    OnJoined(joined, lines);
                    CountAnswerLocked();
                    break;
                case LeftFrame left:
                    OnLeft(left, lines);
                    CountAnswerLocked();
                    break;
                case MessageFrame message:
                    SeenIn(message.Room).Add(message.Id);
                    NoteShown(message.Room, message.Seq);
                    lines.AddRange(_renderer.Render(message, _currentRoom));
                    if (IsMe(message.Sender))
                    {
                        var said = _pendingSays.FindIndex(p => string.Equals(p.Room, message.Room, StringComparison.OrdinalIgnoreCase));
                        if (said >= 0) _pendingSays.RemoveAt(said);
                        CountAnswerLocked();
                    }
                    break;
                case HistoryFrame history:
                    OnHistory(history, lines);
                    CountAnswerLocked();
                    break;
                case ErrorFrame error:
                    lines.Add(OnError(error));
                    CountAnswerLocked();
                    break;
                case DirectMessageFrame dm:
                    lines.AddRange(_renderer.Render(dm, _currentRoom));
                    if (IsMe(dm.From)) CountAnswerLocked();
                    break;
                case RoomListFrame or MembersFrame or StatsFrame:
                    lines.AddRange(_renderer.Render(frame, _currentRoom));
                    CountAnswerLocked();
                    break;
                case PongFrame:
                    _pong?.TrySetResult();
                    break;
                case ByeFrame bye:
                    if (!_quitting || bye.Reason != ByeFrame.ClientQuit) lines.AddRange(_renderer.Render(bye, _currentRoom));
                    break;
                default:
                    lines.AddRange(_renderer.Render(frame, _currentRoom));
                    break;
            }
        }
        foreach (var line in lines) _console.Write(line);
    }

    private void OnJoined(JoinedFrame joined, List<OutputLine> lines)
    {
        var isNew = !_rooms.Exists(r => string.Equals(r, joined.Room, StringComparison.OrdinalIgnoreCase));
        if (isNew) _rooms.Add(joined.Room);
        if (_switchOnJoin.Remove(joined.Room) || _currentRoom is null) _currentRoom = joined.Room;
        // After a reconnect the history repeats what was shown already: show only what is new. A room whose latest
        // seq is below what was shown lost its messages (a server without a database restarted): page from its history.
        if (_oldestSeq.TryGetValue(joined.Room, out var oldest) && (joined.History.Count == 0 || joined.History[^1].Seq < oldest))
            _oldestSeq.Remove(joined.Room);
        foreach (var message in joined.History) NoteShown(joined.Room, message.Seq);
        var seen = SeenIn(joined.Room);
        var fresh = joined.History.Where(m => !seen.Contains(m.Id)).ToList();
        foreach (var message in fresh) seen.Add(message.Id);
        lines.AddRange(_renderer.Joined(joined, fresh));
        UpdatePrompt();
    }

    private void OnHistory(HistoryFrame history, List<OutputLine> lines)
    {
        _historyInFlight.Remove(history.Room);
        var seen = SeenIn(history.Room);
        foreach (var message in history.Messages)
        {
            seen.Add(message.Id);
            NoteShown(history.Room, message.Seq);
        }
        lines.AddRange(_renderer.History(history, _currentRoom));
    }

    /// <summary>
    /// An error frame does not say which request it answers: a say error is taken as the answer to the oldest line
    /// said and not yet seen back, a history error as the answer to the /history on its way.
    /// </summary>
    private OutputLine OnError(ErrorFrame error)
    {
        if (_pendingSays.Count > 0 && SayErrors.Contains(error.Code))
        {
            var (room, text) = _pendingSays[0];
            _pendingSays.RemoveAt(0);
            return Renderer.SayFailed(error, room, text);
        }
        if (_historyInFlight.Count > 0 && HistoryErrors.Contains(error.Code))
        {
            var room = _historyInFlight.First();
            _historyInFlight.Clear();
            return Renderer.HistoryFailed(error, room);
        }
        return OutputLine.Error($"{error.Message} [{error.Code}]");
    }

    private void NoteShown(string room, long seq)
    {
        if (seq < 1) return;
        if (!_oldestSeq.TryGetValue(room, out var oldest) || seq < oldest) _oldestSeq[room] = seq;
    }

    private void OnLeft(LeftFrame left, List<OutputLine> lines)
    {
        _rooms.RemoveAll(r => string.Equals(r, left.Room, StringComparison.OrdinalIgnoreCase));
        _oldestSeq.Remove(left.Room);
        lines.AddRange(_renderer.Render(left, _currentRoom));
        if (string.Equals(_currentRoom, left.Room, StringComparison.OrdinalIgnoreCase))
        {
            _currentRoom = _rooms.Count > 0 ? _rooms[^1] : null;
            lines.Add(_currentRoom is null
                ? OutputLine.System("You are in no room now; /join one.")
                : OutputLine.System($"Now talking in #{_currentRoom}."));
        }
        UpdatePrompt();
    }

    private void CountAnswerLocked()
    {
        if (_outstanding > 0) _outstanding--;
        if (_outstanding == 0) _drained.TrySetResult();
    }

    private bool IsMe(string name) => string.Equals(name, _name, StringComparison.OrdinalIgnoreCase);

    private SeenIds SeenIn(string room)
    {
        if (!_seen.TryGetValue(room, out var seen)) _seen[room] = seen = new SeenIds(SeenIdsPerRoom);
        return seen;
    }

    // ---------------------------------------------------------------- losing and regaining the server

    private async Task ReconnectAsync(ChatConnection lost)
    {
        lock (_gate)
        {
            _connected = false;
            _outstanding = 0;
            _pendingSays.Clear(); // unanswered lines are lost with the connection
            _historyInFlight.Clear();
            _drained.TrySetResult();
            UpdatePrompt();
        }
        await lost.DisposeAsync();
        _console.Write(OutputLine.Error($"Lost the connection to {_serverName} at {_host}:{_port}; reconnecting..."));

        var delay = InitialBackoff;
        var candidate = _name;
        var takenCount = 0;
        var suffix = 1;
        var attempts = 0;
        while (!_quitting)
        {
            try
            {
                await Task.Delay(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100)), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            attempts++;
            var outcome = await ConnectAndHelloAsync(candidate, _stop.Token);
            if (outcome.Connection is { } connection)
            {
                await OnReconnectedAsync(connection, outcome.Welcome!);
                return;
            }
            if (outcome.NameRejected)
            {
                // The server may not have noticed yet that our old connection is gone; after a few tries take another name.
                if (++takenCount >= NameTakenRetries) candidate = WithSuffix(_name, ++suffix);
                delay = TimeSpan.FromMilliseconds(500);
                continue;
            }
            if (attempts % 10 == 0) _console.Write(OutputLine.Error($"Still reconnecting to {_host}:{_port} ({outcome.Problem})"));
            delay = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, delay.Ticks * 2));
        }
    }

    private async Task OnReconnectedAsync(ChatConnection connection, WelcomeFrame welcome)
    {
        string[] rooms;
        string? renamed = null;
        lock (_gate)
        {
            if (!IsMe(welcome.Name)) renamed = welcome.Name;
            _name = welcome.Name;
            _serverName = welcome.Server;
            _connection = connection;
            rooms = _rooms.ToArray();
            _outstanding += rooms.Length;
        }
        // Rejoin before anything typed meanwhile is sent, so that a line said now reaches its room.
        try
        {
            foreach (var room in rooms) await connection.SendAsync(new JoinRequest(room), _stop.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Lost again: the pump sees the connection end and reconnects once more.
        }
        lock (_gate)
        {
            _connected = true;
            UpdatePrompt();
        }
        if (renamed is not null) _console.Write(OutputLine.System($"Your name was taken meanwhile; you are {renamed} now."));
        var rejoined = rooms.Length == 0 ? "" : "; rejoining " + string.Join(", ", rooms.Select(r => "#" + r));
        _console.Write(OutputLine.System($"Reconnected to {_serverName} at {_host}:{_port} as {_name}{rejoined}."));
    }

    /// <summary>The name with a numeric suffix, shortened so it stays a valid name.</summary>
    public static string WithSuffix(string name, int suffix)
    {
        var tail = "_" + suffix;
        var head = name.Length + tail.Length > Protocol.MaxNameLength ? name[..(Protocol.MaxNameLength - tail.Length)] : name;
        return head + tail;
    }

    // ---------------------------------------------------------------- ending

    /// <summary>Piped input ended: wait until the server answered what was sent, then a ping as the last barrier.</summary>
    private async Task DrainAsync()
    {
        var deadline = Task.Delay(DrainTimeout);
        if (!await WaitForAnswersAsync(DrainTimeout)) return;

        var pong = NewSignal();
        ChatConnection? connection;
        lock (_gate)
        {
            _pong = pong;
            connection = _connection;
        }
        try
        {
            await connection!.SendAsync(PingRequest.Instance);
            await Task.WhenAny(pong.Task, deadline);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Waits until every request sent was answered, while connected; false when the time ran out.</summary>
    private async Task<bool> WaitForAnswersAsync(TimeSpan limit)
    {
        var deadline = Task.Delay(limit);
        while (true)
        {
            Task drained;
            bool connected;
            lock (_gate)
            {
                connected = _connected;
                if (_outstanding == 0 && connected) return true;
                if (_drained.Task.IsCompleted) _drained = NewSignal();
                drained = _drained.Task;
            }
            var next = connected ? drained : Task.Delay(100);
            if (await Task.WhenAny(next, deadline) == deadline) return false;
        }
    }

    private async Task QuitAsync(Task pump)
    {
        _quitting = true;
        ChatConnection? connection;
        lock (_gate)
        {
            connection = _connected ? _connection : null;
        }
        if (connection is not null)
        {
            try
            {
                await connection.SendAsync(QuitRequest.Instance);
                // The server answers bye and closes; the pump ends when the frames do.
                await pump.WaitAsync(TimeSpan.FromSeconds(3));
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or TimeoutException)
            {
            }
        }
        _stop.Cancel();
        try
        {
            await pump.WaitAsync(TimeSpan.FromSeconds(3));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
        }
        if (_connection is not null) await _connection.DisposeAsync();
        _console.Write(OutputLine.System("Bye."));
    }

    private void UpdatePrompt()
    {
        var room = _currentRoom is null ? "(no room)" : "#" + _currentRoom;
        _console.SetPrompt(_connected
            ? $"[{_serverName} {_host}:{_port}] {room}> "
            : $"[reconnecting to {_host}:{_port}...] {room}> ");
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Message ids already shown in one room, the most recent ones only.</summary>
    private sealed class SeenIds(int capacity)
    {
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
        private readonly Queue<string> _order = new();

        public bool Contains(string id) => _ids.Contains(id);

        public void Add(string id)
        {
            if (!_ids.Add(id)) return;
            _order.Enqueue(id);
            if (_order.Count > capacity) _ids.Remove(_order.Dequeue());
        }
    }
}
