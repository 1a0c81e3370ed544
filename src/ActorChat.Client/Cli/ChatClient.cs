using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading.Channels;
using ActorChat.Client.Discovery;
using ActorChat.Client.Security;
using ActorChat.Messages;

namespace ActorChat.Client.Cli;

/// <summary>
/// The console client: finds or is told a server, identifies, joins a room, then turns typed lines into frames
/// and frames into lines. Every frame it sends carries a ref, and answers and errors are matched to what was sent
/// by that ref alone. When the server goes away it reconnects with backoff, identifies again, rejoins its rooms,
/// sends the lines typed meanwhile and says so; a name taken meanwhile is borrowed with a suffix until the old
/// session is gone. All protocol encoding is ActorChat.Messages'.
/// </summary>
public sealed class ChatClient
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(3);
    private const int NameTakenRetries = 3;
    private const int PasswordAttempts = 3;
    private const int SeenIdsPerRoom = 500;

    /// <summary>How often, and for how long, a borrowed name is traded back for one's own.</summary>
    internal static readonly TimeSpan NameRetryInterval = TimeSpan.FromSeconds(5);
    internal static readonly TimeSpan NameRetryPeriod = TimeSpan.FromMinutes(1);

    private readonly ClientOptions _options;
    private readonly IChatConsole _console;
    private readonly Renderer _renderer;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _quitRequested = NewSignal();
    private readonly List<string> _rooms = [];

    /// <summary>An operator disconnected this client: connecting again would undo their kill, so it does not.</summary>
    private bool _killed;

    /// <summary>Passwords of private rooms joined with one, kept in memory only, to join them again when reconnecting.</summary>
    private readonly Dictionary<string, string> _roomPasswords = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _switchOnJoin = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SeenIds> _seen = new(StringComparer.OrdinalIgnoreCase);
    private readonly SeenIds _seenDirect = new(SeenIdsPerRoom);
    // The smallest seq shown per room: /history asks for the messages before it.
    private readonly Dictionary<string, long> _oldestSeq = new(StringComparer.OrdinalIgnoreCase);
    // Rooms with a /history request on its way, so a second one does not ask for the same page.
    private readonly HashSet<string> _historyInFlight = new(StringComparer.OrdinalIgnoreCase);
    private readonly PendingRequests _pending = new();
    // The messages shown, by room and number (seq): /reply, /react, /edit and /delete N name a message by its number.
    private readonly Dictionary<string, RecentMessages> _numbers = new(StringComparer.OrdinalIgnoreCase);
    // "X is typing" once per 5 s of someone's typing, not for every frame.
    private readonly TypingNotices _typing = new(TimeSpan.FromSeconds(5));
    // On a terminal, who is typing in the room you are in shows in the prompt, for 5 s after their last typing frame.
    private readonly TypingStatus _typingStatus = new(TimeSpan.FromSeconds(5));
    private bool _typingRedrawScheduled;
    // What the user shows the others and the server: typing (at most every 3 s per room, as the server passes it on)
    // and how far they have read (at most once a second, the newest seq shown in the room they are in).
    private static readonly TimeSpan TypingEvery = TimeSpan.FromSeconds(3);
    private readonly Dictionary<string, DateTime> _typingSentAt = new(StringComparer.OrdinalIgnoreCase);
    private readonly ReadMarkerPacer _readMarkers = new(TimeSpan.FromSeconds(1));
    private TimeSpan? _readMarkersDue; // set under the gate when a send is to be scheduled
    private readonly HeldFrames _held = new();
    // Names this client went by for a while (borrowed while its own was taken): presence lines about them are its own.
    private readonly HashSet<string> _borrowedNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Task> _background = [];
    private readonly List<ChatConnection> _connections = [];
    private ChatConnection? _connection;
    private string _name = "";
    // The name the user chose; a borrowed one is given back as soon as this is free again.
    private string _ownName = "";
    private string _serverName = "";
    private string _host = "";
    private int _port;
    // The servers to try, the current one being _host:_port; more than one when --host names several (or a
    // cluster's discovery answer lists its nodes): a lost connection goes on with the next.
    private ServerRotation? _servers;
    private bool _tls;
    // The account's password, kept in memory only, for the hello of every reconnection; never shown or logged.
    private string? _password;
    private string? _currentRoom;
    private bool _connected;
    private Task<string?>? _nextLine;
    private TaskCompletionSource? _pong;
    private TaskCompletionSource _drained = NewSignal();
    private TaskCompletionSource _connectedSignal = NewSignal();
    private TaskCompletionSource _ownNameLeft = NewSignal();
    private volatile bool _quitting;

    public ChatClient(ClientOptions options, IChatConsole console, Renderer renderer)
    {
        _options = options;
        _password = options.Password;
        _console = console;
        _renderer = renderer;
        _console.OnEdit(OnLineEdited);
    }

    /// <summary>Ends the session as /quit would, in whatever state it is (Ctrl+C).</summary>
    public void RequestQuit()
    {
        _quitRequested.TrySetResult();
        _console.RequestQuit();
    }

    /// <summary>Runs until the user quits or input ends; the exit code (0 fine, 1 could not connect).</summary>
    public async Task<int> RunAsync()
    {
        if (!await ChooseServerAsync()) return _quitRequested.Task.IsCompleted ? 0 : 1;
        var (connection, welcome, exitCode) = await IdentifyAsync();
        if (connection is null || welcome is null)
        {
            await QuitAsync(quietly: true);
            return exitCode;
        }

        var room = _options.Room ?? welcome.Room ?? ClientOptions.DefaultRoom;
        _console.Write(OutputLine.System($"Connected to {_serverName} at {_host}:{_port} as {_name}. Type /help for the commands."));
        lock (_gate) _switchOnJoin.Add(room);
        await OnConnectedAsync(connection, [room]);
        await WaitForAnswersAsync(DrainTimeout); // history first, then the prompt
        var endedByQuit = await InputLoopAsync();
        if (!endedByQuit && !_console.IsInteractive) await DrainAsync();
        await QuitAsync();
        return 0;
    }

    // ---------------------------------------------------------------- finding and joining a server

    private async Task<bool> ChooseServerAsync()
    {
        if (_options.ConnectsDirectly)
        {
            _tls = _options.Tls == true;
            UseServers(new ServerRotation(_options.Endpoints(_tls)));
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
        if (_options.Tls == true && chosen.TlsPort is null)
        {
            _console.Write(OutputLine.Error($"{chosen.Name} offers no TLS port; run without --tls to connect over plain TCP."));
            return false;
        }
        // TLS when the server offers it, unless --no-tls.
        _tls = _options.Tls != false && chosen.TlsPort is not null;
        var first = new ServerEndpoint(chosen.Address.ToString(), _tls ? chosen.TlsPort!.Value : chosen.TcpPort);
        // A cluster node's answer lists the nodes of its cluster: the others are where to go when this one goes
        // away. They are listed with their plain TCP port only, so a TLS client stays with the one it chose.
        var others = _tls ? [] : chosen.Nodes.Select(n => new ServerEndpoint(n.Host, n.Port));
        UseServers(new ServerRotation([first, .. others]));
        if (_servers!.Count > 1)
            _console.Write(OutputLine.System($"{chosen.Name} is one of {_servers.Count} cluster nodes; when its connection is lost the next is tried: {string.Join(", ", _servers.All)}."));
        return true;
    }

    private void UseServers(ServerRotation servers)
    {
        _servers = servers;
        (_host, _port) = (servers.Current.Host, servers.Current.Port);
    }

    /// <summary>Makes the next of several servers the one to connect to; false when there is only one.</summary>
    private bool MoveToNextServer()
    {
        if (_servers is not { Count: > 1 }) return false;
        var next = _servers.Next();
        (_host, _port) = (next.Host, next.Port);
        return true;
    }

    /// <summary>What to tell a user whose discovery found nothing.</summary>
    public static string NoServerFoundMessage(int udpPort) =>
        $"No chat server answered on the LAN (UDP port {udpPort}). Try: --host HOST [--port PORT] to connect directly; " +
        $"check that the server runs (and was not started with --udp-port 0); check that a firewall lets UDP port {udpPort} through.";

    /// <summary>
    /// Connects and says hello, asking for another name when a person can pick one. While it connects, /quit, exit,
    /// Ctrl+D and Ctrl+C end the session at once (exit code 0); other lines typed meanwhile wait their turn.
    /// </summary>
    private async Task<(ChatConnection? Connection, WelcomeFrame? Welcome, int ExitCode)> IdentifyAsync()
    {
        var name = _options.Name;
        var passwordTries = 0;
        var unreachable = 0; // servers of several that could not be reached, each tried once
        while (true)
        {
            name ??= await AskAsync("Your name: ", answer => Protocol.IsValidName(answer)
                ? null
                : $"A name is 1 to {Protocol.MaxNameLength} letters, digits, '_', '-' or '.'.");
            if (name is null) return (null, null, _console.IsInteractive ? 0 : 1);

            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var connecting = ConnectAndHelloAsync(name, attempt.Token);
            while (!connecting.IsCompleted)
            {
                // A line typed now is looked at only to see whether it quits; it stays the next line to run.
                // A script's lines are not read yet: they wait in the pipe, however many there are.
                var reading = _console.IsInteractive ? NextLineAsync() : Task.Delay(Timeout.Infinite, attempt.Token).ContinueWith(_ => (string?)"");
                var woke = await Task.WhenAny(connecting, _quitRequested.Task, reading);
                var quits = woke == _quitRequested.Task
                    || (woke == reading && (reading.Result is null || CommandParser.Parse(reading.Result) is QuitCommand));
                if (quits)
                {
                    attempt.Cancel();
                    if (await connecting is { Connection: { } unwanted }) await unwanted.DisposeAsync();
                    return (null, null, 0);
                }
                if (woke == reading) await connecting; // keep the line for later; nothing else to watch now
            }
            var outcome = await connecting;
            if (outcome.PasswordRejected && passwordTries++ < PasswordAttempts && _console.IsInteractive)
            {
                _console.Write(OutputLine.Error(outcome.Problem!));
                var typed = await _console.ReadSecretAsync($"Password for {name}: ", _stop.Token);
                if (typed is { Length: > 0 })
                {
                    _password = typed;
                    continue;
                }
                return (null, null, _quitRequested.Task.IsCompleted ? 0 : 1);
            }
            if (outcome.Connection is not null)
            {
                _ownName = name;
                _name = outcome.Welcome!.Name;
                _serverName = outcome.Welcome.Server;
                return (outcome.Connection, outcome.Welcome, 0);
            }
            _console.Write(OutputLine.Error(outcome.Problem!));
            if (!outcome.NameRejected && !outcome.Refused && !outcome.PasswordRejected && unreachable + 1 < (_servers?.Count ?? 1))
            {
                unreachable++;
                MoveToNextServer();
                _console.Write(OutputLine.System($"Trying {_host}:{_port}..."));
                continue;
            }
            if (!outcome.NameRejected || !_console.IsInteractive) return (null, null, 1);
            name = null; // ask for another
        }
    }

    /// <param name="PasswordRejected">The server wants a (right) password: auth_failed or auth_required.</param>
    /// <param name="Refused">Trying again cannot help (a changed certificate, a rejected password): stop reconnecting.</param>
    private sealed record HelloOutcome(ChatConnection? Connection, WelcomeFrame? Welcome, string? Problem, bool NameRejected,
        bool PasswordRejected = false, bool Refused = false);

    private async Task<HelloOutcome> ConnectAndHelloAsync(string name, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        ChatConnection connection;
        try
        {
            connection = await ChatConnection.ConnectAsync(_host, _port, timeout.Token, tls: _tls);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or AuthenticationException)
        {
            var why = e is OperationCanceledException ? "no answer in time" : e.Message;
            var over = _tls ? " over TLS" : "";
            return new HelloOutcome(null, null, $"Cannot connect to {_host}:{_port}{over}: {why}.", false);
        }
        if (connection.ServerFingerprint is { } fingerprint && CheckPin(fingerprint) is { } refusal)
        {
            await connection.DisposeAsync();
            return new HelloOutcome(null, null, refusal, false, Refused: true);
        }

        string reference;
        lock (_gate) reference = _pending.Add(new PendingRequest(RequestKind.Hello));
        try
        {
            await connection.SendAsync(new HelloRequest(name, _password) { Ref = reference }, timeout.Token);
            while (await connection.ReceiveAsync(timeout.Token) is { } frame)
            {
                if (frame.Ref != reference) continue;
                switch (frame)
                {
                    case WelcomeFrame welcome:
                        return new HelloOutcome(connection, welcome, null, false);
                    case ErrorFrame error:
                        await connection.DisposeAsync();
                        var rejected = error.Code is ErrorCodes.NameTaken or ErrorCodes.InvalidName;
                        var password = error.Code is ErrorCodes.AuthFailed or ErrorCodes.AuthRequired;
                        return new HelloOutcome(null, null, $"{error.Message} [{error.Code}]", rejected, password,
                            Refused: password || error.Code == ErrorCodes.Banned);
                }
            }
            await connection.DisposeAsync();
            return new HelloOutcome(null, null, $"{_host}:{_port} closed the connection before welcoming us.", false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            await connection.DisposeAsync();
            return new HelloOutcome(null, null, $"{_host}:{_port} did not welcome us: {(e is OperationCanceledException ? "no answer in time" : e.Message)}.", false);
        }
        finally
        {
            lock (_gate) _pending.Forget(reference);
        }
    }

    /// <summary>
    /// Trust on first use: null when the certificate is the one pinned for this server (pinning it when there was
    /// none), else what to tell the user about refusing it.
    /// </summary>
    private string? CheckPin(string fingerprint)
    {
        var server = KnownServers.Key(_host, _port);
        var known = KnownServers.In(_options.ConfigDir ?? KnownServers.DefaultDirectory());
        string? pinned;
        PinVerdict verdict;
        try
        {
            pinned = known.PinnedFor(server);
            verdict = known.Check(server, fingerprint, _options.AcceptNewFingerprint);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"Cannot read or keep the pinned fingerprints in {known.File}: {e.Message}";
        }
        var shown = KnownServers.Display(fingerprint);
        switch (verdict)
        {
            case PinVerdict.FirstUse:
                _console.Write(OutputLine.System($"First TLS connection to {server}: pinned its certificate, SHA-256 fingerprint {shown}. " +
                                                 $"Check that the server's log shows the same; a different certificate will be refused."));
                return null;
            case PinVerdict.Replaced:
                _console.Write(OutputLine.System($"Accepted the new certificate of {server} (was {KnownServers.Display(pinned!)}): pinned SHA-256 fingerprint {shown}."));
                return null;
            case PinVerdict.Changed:
                return $"THE CERTIFICATE OF {server} HAS CHANGED! Pinned SHA-256 fingerprint: {KnownServers.Display(pinned!)}; " +
                       $"the server showed: {shown}. Someone may be impersonating the server, or it has a new certificate. " +
                       $"Nothing was sent. If the server's log shows the new fingerprint, connect once with --accept-new-fingerprint to pin it " +
                       $"(pins are kept in {known.File}).";
            default:
                return null;
        }
    }

    private async Task<string?> AskAsync(string question, Func<string, string?> check)
    {
        while (true)
        {
            if (_console.IsInteractive) _console.SetPrompt(question);
            else _console.Write(OutputLine.Info(question.TrimEnd()));
            var answer = (await TakeLineAsync())?.Trim();
            if (answer is null || CommandParser.Parse(answer) is QuitCommand) return null;
            var problem = check(answer);
            if (problem is null) return answer;
            _console.Write(OutputLine.Error(problem));
            if (!_console.IsInteractive) return null;
        }
    }

    /// <summary>The next line typed; asking again before it was taken gives the same line, so none is lost.</summary>
    private Task<string?> NextLineAsync() => _nextLine ??= ReadLineOrEndAsync();

    private async Task<string?> TakeLineAsync()
    {
        var line = await NextLineAsync();
        _nextLine = null;
        return line;
    }

    private async Task<string?> ReadLineOrEndAsync()
    {
        try
        {
            return await _console.ReadLineAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    // ---------------------------------------------------------------- typed lines

    /// <summary>Reads and runs lines; true when the user quit, false when input ended.</summary>
    private async Task<bool> InputLoopAsync()
    {
        while (true)
        {
            // A script is not read further than the lines that can be kept while the connection is away.
            if (!_console.IsInteractive && !await RoomToHoldAsync()) return true;
            var reading = TakeLineAsync();
            if (await Task.WhenAny(reading, _quitRequested.Task) != reading) return true;
            var line = await reading;
            if (line is null) return _quitRequested.Task.IsCompleted;
            if (!await ExecuteAsync(CommandParser.Parse(line))) return true;
            // A script's next line may depend on this one (/join then say): take lines one answer at a time. While
            // reconnecting they are kept, in order, for the new connection.
            bool connected;
            lock (_gate) connected = _connected;
            if (!_console.IsInteractive && connected) await WaitForAnswersAsync(DrainTimeout);
        }
    }

    /// <summary>Waits while the lines kept for the reconnection fill their quota; false when the user quit meanwhile.</summary>
    private async Task<bool> RoomToHoldAsync()
    {
        while (true)
        {
            Task connected;
            lock (_gate)
            {
                if (_connected || !_held.IsFull) return true;
                connected = _connectedSignal.Task;
            }
            if (await Task.WhenAny(connected, _quitRequested.Task) == _quitRequested.Task) return false;
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
            case ClearCommand:
                _console.Clear();
                break;
            case SayCommand say:
                if (CurrentRoomOrHint("say something") is { } room)
                    await SendAsync(new SayRequest(room, say.Text), new PendingRequest(RequestKind.Say, room, say.Text));
                break;
            case ActionCommand action:
                if (CurrentRoomOrHint("say something") is { } actionRoom)
                    await SendAsync(new SayRequest(actionRoom, action.Text, Action: true), new PendingRequest(RequestKind.Say, actionRoom, action.Text));
                break;
            case ReplyCommand or ReactCommand or EditCommand:
                await OnMessageCommandAsync(command);
                break;
            case HistoryCommand { With: { } with } history:
                await RequestHistoryAsync("@" + with, history.Count);
                break;
            case DmsCommand:
                await SendAsync(new DmsRequest(), new PendingRequest(RequestKind.Other));
                break;
            case SearchCommand search:
                await SendAsync(new SearchRequest(search.Query), new PendingRequest(RequestKind.Other));
                break;
            case UploadCommand upload:
                if (CurrentRoomOrHint("share a file") is { } uploadRoom) await UploadAsync(upload, uploadRoom);
                break;
            case HistoryCommand history:
                if (CurrentRoomOrHint("see its earlier messages") is { } historyRoom) await RequestHistoryAsync(historyRoom, history.Count);
                break;
            case JoinCommand join:
                lock (_gate)
                {
                    _switchOnJoin.Add(join.Room);
                    if (join.Password is not null) _roomPasswords[join.Room] = join.Password;
                }
                if (!await SendAsync(new JoinRequest(join.Room, join.Password), new PendingRequest(RequestKind.Join, join.Room)))
                    lock (_gate) _switchOnJoin.Remove(join.Room);
                break;
            case LeaveCommand leave:
                if ((leave.Room ?? CurrentRoomOrHint("leave it")) is { } leaving)
                    await SendAsync(new LeaveRequest(leaving), new PendingRequest(RequestKind.Leave, leaving));
                break;
            case SwitchCommand @switch:
                Switch(@switch.Room);
                break;
            case RoomsCommand rooms:
                await SendAsync(new RoomListRequest(rooms.After), new PendingRequest(RequestKind.Other));
                break;
            case WhoCommand who:
                if ((who.Room ?? CurrentRoomOrHint("see who is there")) is { } whoRoom)
                    await SendAsync(new WhoRequest(whoRoom), new PendingRequest(RequestKind.Other, whoRoom));
                break;
            case StatsCommand stats:
                if ((stats.Room ?? CurrentRoomOrHint("see its stats")) is { } statsRoom)
                    await SendAsync(new StatsRequest(statsRoom), new PendingRequest(RequestKind.Other, statsRoom));
                break;
            case DirectMessageCommand dm:
                await SendAsync(new DirectMessageRequest(dm.To, dm.Text), new PendingRequest(RequestKind.DirectMessage, null, dm.Text));
                break;
            case RegisterCommand register:
                if ((register.Password ?? await AskSecretAsync("Password for your account: ")) is { } newPassword)
                    await SendAsync(new RegisterRequest(_ownName, newPassword), new PendingRequest(RequestKind.Account, null, newPassword));
                break;
            case PasswordCommand change:
                var old = change.Old ?? await AskSecretAsync("Current password: ");
                var fresh = old is null ? null : change.New ?? await AskSecretAsync("New password: ");
                if (old is not null && fresh is not null)
                    await SendAsync(new PasswordRequest(old, fresh), new PendingRequest(RequestKind.Account, null, fresh));
                break;
            case KillCommand kill:
                await SendAsync(new KillRequest(kill.User, kill.Reason),
                    new PendingRequest(RequestKind.Operator, null, $"{kill.User} was disconnected from the server."));
                break;
            case ServerBanCommand ban:
                var banned = ban.User ?? ban.Address;
                var length = ban.Minutes is { } minutes ? $"for {minutes.ToString(System.Globalization.CultureInfo.InvariantCulture)} min" : "for good";
                await SendAsync(new BanRequest(ban.User, ban.Address, ban.Minutes, ban.Reason),
                    new PendingRequest(RequestKind.Operator, null, $"{banned} is banned from the server {length}."));
                break;
            case ServerUnbanCommand unban:
                await SendAsync(new UnbanRequest(unban.User, unban.Address),
                    new PendingRequest(RequestKind.Operator, null, $"{unban.User ?? unban.Address} is no longer banned from the server."));
                break;
            default:
                await ModerateAsync(command);
                break;
        }
        return true;
    }

    private string? RoomPassword(string room) => _roomPasswords.GetValueOrDefault(room);

    /// <summary>A password typed without echo; null (and a hint) where input cannot be hidden.</summary>
    private async Task<string?> AskSecretAsync(string prompt)
    {
        var secret = await _console.ReadSecretAsync(prompt, _stop.Token);
        if (secret is { Length: > 0 }) return secret;
        if (!_console.IsInteractive) _console.Write(OutputLine.Error("Give the password on the line: /register PASSWORD, /password OLD NEW."));
        return null;
    }

    /// <summary>The commands for a room that belongs to someone: all about the current room.</summary>
    private async Task ModerateAsync(Command command)
    {
        if (command is not (TopicCommand or ModeCommand or InviteCommand or RoleCommand or KickCommand or RoomBanCommand
            or RoomUnbanCommand or DeleteCommand)) return;
        if (CurrentRoomOrHint("moderate it") is not { } room) return;
        ClientFrame frame;
        switch (command)
        {
            case TopicCommand topic: frame = new TopicRequest(room, topic.Topic); break;
            case ModeCommand mode: frame = new ModeRequest(room, mode.Private, mode.Password); break;
            case InviteCommand invite: frame = new InviteRequest(room, invite.User); break;
            case RoleCommand role: frame = new RoleRequest(room, role.User, role.Role); break;
            case KickCommand kick: frame = new KickRequest(room, kick.User, kick.Reason); break;
            case RoomBanCommand ban: frame = new RoomBanRequest(room, ban.User, ban.Reason); break;
            case RoomUnbanCommand unban: frame = new RoomUnbanRequest(room, unban.User); break;
            case DeleteCommand delete:
                if (IdShown(room, delete.Seq) is not { } id) return;
                frame = new DeleteRequest(room, id);
                break;
            default: return;
        }
        await SendAsync(frame, new PendingRequest(RequestKind.Other, room));
    }

    /// <summary>/reply, /react and /edit N: about a message of the current room, named by the number shown before it.</summary>
    private async Task OnMessageCommandAsync(Command command)
    {
        if (CurrentRoomOrHint("name one of its messages") is not { } room) return;
        var seq = command switch { ReplyCommand r => r.Seq, ReactCommand r => r.Seq, EditCommand e => e.Seq, _ => 0 };
        if (IdShown(room, seq) is not { } id) return;
        switch (command)
        {
            case ReplyCommand reply:
                await SendAsync(new SayRequest(room, reply.Text, ReplyTo: id), new PendingRequest(RequestKind.Say, room, reply.Text));
                break;
            case ReactCommand react:
                await SendAsync(new ReactRequest(room, id, react.Emoji), new PendingRequest(RequestKind.Other, room));
                break;
            case EditCommand edit:
                await SendAsync(new EditRequest(room, id, edit.Text), new PendingRequest(RequestKind.Say, room, edit.Text));
                break;
        }
    }

    /// <summary>The id of message <paramref name="seq"/> shown in the room; null (and a hint) when none was.</summary>
    private string? IdShown(string room, long seq)
    {
        string? id;
        lock (_gate) id = _numbers.TryGetValue(room, out var numbers) ? numbers.IdOf(seq) : null;
        if (id is null) _console.Write(OutputLine.Error($"No message [{seq}] shown in #{room}; /history shows earlier ones."));
        return id;
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
        if (!await SendAsync(new HistoryRequest(room, before, count), new PendingRequest(RequestKind.History, room)))
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
    /// Sends a frame for a typed line, tagged with a new ref that its answer will carry. A frame the server would
    /// refuse for its size is not sent; one typed while there is no connection is kept for the reconnection. False
    /// when it was neither sent nor kept (the user was told).
    /// </summary>
    private TaskCompletionSource<UploadTokenFrame>? _uploadToken;

    /// <summary>
    /// /upload: an uploadToken, the file POSTed to the server's web port (the host we connected to, the port and
    /// path the server named), then a say carrying it.
    /// </summary>
    private async Task UploadAsync(UploadCommand upload, string room)
    {
        var path = Path.GetFullPath(upload.Path.StartsWith('~') ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + upload.Path[1..] : upload.Path);
        if (!File.Exists(path))
        {
            _console.Write(OutputLine.Error($"No file {path}."));
            return;
        }
        var waiting = new TaskCompletionSource<UploadTokenFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _uploadToken = waiting;
        if (!await SendAsync(new UploadTokenRequest(), new PendingRequest(RequestKind.Other))) return;
        UploadTokenFrame token;
        try
        {
            token = await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10), _stop.Token);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            _console.Write(OutputLine.Error("The server gave no upload token (its file sharing may be off)."));
            return;
        }
        if (token.Url is null || !Uri.TryCreate(token.Url, UriKind.Absolute, out var named))
        {
            _console.Write(OutputLine.Error("The server shares no files (its web port is off)."));
            return;
        }
        var target = new UriBuilder(named) { Host = _host, Query = "name=" + Uri.EscapeDataString(Path.GetFileName(path)) }.Uri;
        _renderer.FilesBaseUrl = new UriBuilder(named) { Host = _host, Query = "" }.Uri.ToString().TrimEnd('/');
        FileAttachment? file;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            await using var body = File.OpenRead(path);
            using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new StreamContent(body) };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Token);
            _console.Write(OutputLine.System($"Uploading {Path.GetFileName(path)} ({new FileInfo(path).Length} bytes)..."));
            using var response = await http.SendAsync(request, _stop.Token);
            var answer = await response.Content.ReadAsStringAsync(_stop.Token);
            if (!response.IsSuccessStatusCode)
            {
                var message = System.Text.Json.JsonDocument.Parse(answer).RootElement.TryGetProperty("message", out var m) ? m.GetString() : answer;
                _console.Write(OutputLine.Error($"The upload was refused ({(int)response.StatusCode}): {message}"));
                return;
            }
            file = FrameCodec.DecodeFileAttachment(answer);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or System.Text.Json.JsonException)
        {
            _console.Write(OutputLine.Error($"The upload failed: {e.Message}"));
            return;
        }
        if (file is null) return;
        var text = upload.Text.Length > 0 ? upload.Text : file.Name;
        await SendAsync(new SayRequest(room, text) { Attachments = [file.Id] }, new PendingRequest(RequestKind.Say, room, text));
    }

    private async Task<bool> SendAsync(ClientFrame frame, PendingRequest request)
    {
        if (OutgoingLimits.Refusal(frame) is { } refusal)
        {
            _console.Write(OutputLine.Error(refusal));
            return false;
        }
        ChatConnection? connection;
        string? reference = null;
        bool kept;
        int waiting;
        lock (_gate)
        {
            connection = _connected ? _connection : null;
            if (connection is not null) reference = _pending.Add(request);
            kept = connection is null && _held.TryHold(frame, request);
            waiting = _held.Count;
        }
        if (connection is null) return ReportHeld(kept, waiting);
        try
        {
            await connection.SendAsync(frame with { Ref = reference }, _stop.Token);
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection broke under this line: the server did not get all of it, so it is kept like one typed now.
            lock (_gate)
            {
                _pending.Forget(reference!);
                kept = !_quitting && _held.TryHold(frame, request);
                waiting = _held.Count;
                SignalIfDrainedLocked();
            }
            return ReportHeld(kept, waiting);
        }
    }

    private bool ReportHeld(bool kept, int waiting)
    {
        _console.Write(kept
            ? OutputLine.Info($"Not connected; the line is kept and sent once reconnected ({waiting} waiting).")
            : OutputLine.Error($"Not connected, and {_held.Capacity} lines are waiting already; this line was not kept."));
        return kept;
    }

    // ---------------------------------------------------------------- frames from the server

    private void StartPump(ChatConnection connection)
    {
        lock (_gate)
        {
            _connections.Add(connection);
            _background.Add(Task.Run(() => PumpAsync(connection)));
        }
    }

    /// <summary>Shows one connection's frames; when it ends while it is the current one, reconnects.</summary>
    private async Task PumpAsync(ChatConnection connection)
    {
        try
        {
            await foreach (var frame in connection.Frames.ReadAllAsync(_stop.Token)) Handle(frame, connection);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        bool current;
        lock (_gate) current = _connection == connection;
        if (!current || _quitting)
        {
            await connection.DisposeAsync();
            return;
        }
        await ReconnectAsync(connection);
    }

    private void Handle(ServerFrame frame, ChatConnection source)
    {
        var lines = new List<OutputLine>();
        TimeSpan? readDue;
        lock (_gate)
        {
            var answers = _pending.TryTake(frame.Ref, out var request);
            switch (frame)
            {
                case DoneFrame or ErrorFrame when answers && request.Kind == RequestKind.Unseen:
                    break;
                case JoinedFrame joined:
                    OnJoined(joined, lines);
                    break;
                case LeftFrame left:
                    OnLeft(left, lines);
                    break;
                case MessageFrame message:
                    // After a handover both connections carry a room's messages for a moment: show each once.
                    var seen = SeenIn(message.Room);
                    if (seen.Contains(message.Id)) break;
                    seen.Add(message.Id);
                    NoteShown(message);
                    _typing.Said(message.Room, message.Sender);
                    if (_typingStatus.Said(message.Room, message.Sender)) UpdatePrompt();
                    lines.AddRange(_renderer.Render(message, _currentRoom, _name));
                    NoteReadLocked(message.Room, message.Seq);
                    break;
                case ReactionFrame reaction:
                    lines.Add(_renderer.Reaction(reaction, RecentIn(reaction.Room).Apply(reaction), _currentRoom));
                    break;
                case EditedFrame edited:
                    lines.Add(_renderer.Edited(edited, RecentIn(edited.Room).Apply(edited), _currentRoom, _name));
                    break;
                case DeletedFrame deleted:
                    RecentIn(deleted.Room).Apply(deleted);
                    lines.AddRange(_renderer.Render(deleted, _currentRoom));
                    break;
                case TypingFrame typing when _console.IsInteractive && string.Equals(typing.Room, _currentRoom, StringComparison.OrdinalIgnoreCase):
                    _typingStatus.Typing(typing.Room, typing.User, DateTime.UtcNow);
                    UpdatePrompt();
                    ScheduleTypingRedrawLocked();
                    break;
                case TypingFrame typing:
                    if (_typing.ShouldShow(typing.Room, typing.User, DateTime.UtcNow)) lines.AddRange(_renderer.Render(typing, _currentRoom));
                    break;
                case DroppedFrame dropped:
                    lines.AddRange(_renderer.Render(dropped, _currentRoom));
                    OnLeft(new LeftFrame(dropped.Room), lines, quietly: true);
                    _numbers.Remove(dropped.Room);
                    _seen.Remove(dropped.Room);
                    break;
                case HistoryFrame history:
                    OnHistory(history, lines);
                    break;
                case ErrorFrame { Code: ErrorCodes.RoomFailed, Room: { } failedRoom } error:
                    // The room failed on the server and we are out of it, as after a leave; /join brings us back.
                    lines.Add(OnError(error, answers ? request : null));
                    OnLeft(new LeftFrame(failedRoom), lines);
                    break;
                case ErrorFrame error:
                    lines.Add(OnError(error, answers ? request : null));
                    break;
                case UploadTokenFrame token:
                    _uploadToken?.TrySetResult(token);
                    break;
                case DirectMessageFrame dm:
                    if (_seenDirect.Contains(dm.Id)) break;
                    _seenDirect.Add(dm.Id);
                    lines.AddRange(_renderer.Render(dm, _currentRoom));
                    break;
                case PresenceFrame presence:
                    OnPresence(presence, lines);
                    break;
                case PongFrame:
                    if (answers && request.Kind == RequestKind.Ping) _pong?.TrySetResult();
                    break;
                case KickedFrame kicked when IsMe(kicked.User) && !answers:
                    // Out of the room, as after a leave; a reconnection does not join it again.
                    lines.Add(Renderer.KickedYou(kicked));
                    OnLeft(new LeftFrame(kicked.Room), lines, quietly: true);
                    break;
                case RegisteredFrame or DoneFrame when answers && request is { Kind: RequestKind.Account, Text: { } newPassword }:
                    _password = newPassword; // what a reconnection signs in with from now on
                    lines.AddRange(_renderer.Render(frame, _currentRoom));
                    break;
                case DoneFrame when answers && request is { Kind: RequestKind.Operator, Text: { } told }:
                    lines.Add(OutputLine.System(told));
                    break;
                case ByeFrame bye:
                    if (source == _connection && !(answers && request.Kind == RequestKind.Quit)) lines.AddRange(_renderer.Render(bye, _currentRoom));
                    if (source == _connection && bye.Reason == ByeFrame.Killed) _killed = true;
                    break;
                case WelcomeFrame:
                    break;
                default:
                    lines.AddRange(_renderer.Render(frame, _currentRoom));
                    break;
            }
            if (answers) SignalIfDrainedLocked();
            readDue = _readMarkersDue;
            _readMarkersDue = null;
        }
        foreach (var line in lines) _console.Write(line);
        if (readDue is { } delay) _ = SendReadMarkersAsync(delay);
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
        foreach (var message in joined.History) NoteShown(message);
        var seen = SeenIn(joined.Room);
        var fresh = joined.History.Where(m => !seen.Contains(m.Id)).ToList();
        foreach (var message in fresh) seen.Add(message.Id);
        lines.AddRange(_renderer.Joined(joined, fresh, _name));
        if (joined.History.Count > 0) NoteReadLocked(joined.Room, joined.History[^1].Seq);
        UpdatePrompt();
    }

    private void OnHistory(HistoryFrame history, List<OutputLine> lines)
    {
        _historyInFlight.Remove(history.Room);
        var seen = SeenIn(history.Room);
        foreach (var message in history.Messages)
        {
            seen.Add(message.Id);
            NoteShown(message);
        }
        lines.AddRange(_renderer.History(history, _currentRoom, _name));
    }

    /// <summary>An error names the frame it is about by that frame's ref: a refused line is shown with its room and text.</summary>
    private OutputLine OnError(ErrorFrame error, PendingRequest? request)
    {
        switch (request)
        {
            case { Kind: RequestKind.Say, Room: { } room, Text: { } text }:
                return Renderer.SayFailed(error, room, text);
            case { Kind: RequestKind.DirectMessage, Text: { } dmText }:
                return Renderer.DirectMessageFailed(error, dmText);
            case { Kind: RequestKind.History, Room: { } historyRoom }:
                _historyInFlight.Remove(historyRoom);
                return Renderer.HistoryFailed(error, historyRoom);
            case { Kind: RequestKind.Join, Room: { } joinRoom }:
                _switchOnJoin.Remove(joinRoom);
                break;
        }
        return OutputLine.Error($"{error.Message} [{error.Code}]");
    }

    /// <summary>Presence of this client's own names is its own doing (a handover); the own name leaving means it is free.</summary>
    private void OnPresence(PresenceFrame presence, List<OutputLine> lines)
    {
        var ownName = string.Equals(presence.User, _ownName, StringComparison.OrdinalIgnoreCase);
        if (ownName && presence.Event == PresenceFrame.Leave && !IsMe(_ownName)) _ownNameLeft.TrySetResult();
        if (ownName || IsMe(presence.User) || _borrowedNames.Contains(presence.User)) return;
        lines.AddRange(_renderer.Render(presence, _currentRoom));
    }

    private void NoteShown(MessageFrame message)
    {
        var (room, seq) = (message.Room, message.Seq);
        if (seq < 1) return;
        if (!_oldestSeq.TryGetValue(room, out var oldest) || seq < oldest) _oldestSeq[room] = seq;
        RecentIn(room).Note(message);
    }

    private void OnLeft(LeftFrame left, List<OutputLine> lines, bool quietly = false)
    {
        _rooms.RemoveAll(r => string.Equals(r, left.Room, StringComparison.OrdinalIgnoreCase));
        _oldestSeq.Remove(left.Room);
        _readMarkers.Forget(left.Room);
        _roomPasswords.Remove(left.Room);
        if (!quietly) lines.AddRange(_renderer.Render(left, _currentRoom));
        if (string.Equals(_currentRoom, left.Room, StringComparison.OrdinalIgnoreCase))
        {
            _currentRoom = _rooms.Count > 0 ? _rooms[^1] : null;
            lines.Add(_currentRoom is null
                ? OutputLine.System("You are in no room now; /join one.")
                : OutputLine.System($"Now talking in #{_currentRoom}."));
        }
        UpdatePrompt();
    }

    private void SignalIfDrainedLocked()
    {
        if (_pending.Count == 0 && _held.Count == 0) _drained.TrySetResult();
    }

    private bool IsMe(string name) => string.Equals(name, _name, StringComparison.OrdinalIgnoreCase);

    private RecentMessages RecentIn(string room)
    {
        if (!_numbers.TryGetValue(room, out var recent)) _numbers[room] = recent = new RecentMessages(SeenIdsPerRoom);
        return recent;
    }

    private SeenIds SeenIn(string room)
    {
        if (!_seen.TryGetValue(room, out var seen)) _seen[room] = seen = new SeenIds(SeenIdsPerRoom);
        return seen;
    }

    // ---------------------------------------------------------------- losing and regaining the server

    private async Task ReconnectAsync(ChatConnection lost)
    {
        IReadOnlyList<PendingRequest> abandoned;
        lock (_gate)
        {
            _connected = false;
            _connectedSignal = NewSignal();
            abandoned = _pending.Abandon();
            _historyInFlight.Clear();
            _drained.TrySetResult();
            UpdatePrompt();
        }
        await lost.DisposeAsync();
        bool killed;
        lock (_gate) killed = _killed;
        if (killed)
        {
            _console.Write(OutputLine.Error("Not reconnecting after an operator's kill; /quit to leave."));
            return;
        }
        var lostAt = $"{_host}:{_port}";
        var failingOver = MoveToNextServer();
        _console.Write(OutputLine.Error($"Lost the connection to {_serverName} at {lostAt}; reconnecting{(failingOver ? $" to {_host}:{_port}" : "")}..."));
        var unanswered = abandoned.Count(r => r.Kind is RequestKind.Say or RequestKind.DirectMessage);
        if (unanswered > 0)
            _console.Write(OutputLine.Error($"{Lines(unanswered)} sent just before may not have arrived; the server did not confirm {(unanswered == 1 ? "it" : "them")}."));

        var delay = InitialBackoff;
        var candidate = _ownName;
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
                if (_quitting)
                {
                    await connection.DisposeAsync();
                    return;
                }
                var renamed = !string.Equals(outcome.Welcome!.Name, _ownName, StringComparison.OrdinalIgnoreCase);
                lock (_gate)
                {
                    _name = outcome.Welcome.Name;
                    _serverName = outcome.Welcome.Server;
                    if (renamed) _borrowedNames.Add(_name);
                }
                string[] rooms;
                lock (_gate) rooms = _rooms.ToArray();
                if (renamed)
                    _console.Write(OutputLine.System($"Your name {_ownName} is still taken (your old session may not have ended yet); you are {_name} for now, and will take {_ownName} back once it is free."));
                var rejoining = rooms.Length == 0 ? "" : "; rejoining " + string.Join(", ", rooms.Select(r => "#" + r));
                _console.Write(OutputLine.System($"Reconnected to {_serverName} at {_host}:{_port} as {_name}{rejoining}."));
                await OnConnectedAsync(connection, rooms);
                return;
            }
            if (outcome.Refused)
            {
                _console.Write(OutputLine.Error($"{outcome.Problem} Not reconnecting; /quit to leave."));
                return;
            }
            if (outcome.NameRejected)
            {
                // The server may not have noticed yet that our old connection is gone; after a few tries borrow a name.
                if (++takenCount >= NameTakenRetries) candidate = WithSuffix(_ownName, ++suffix);
                delay = TimeSpan.FromMilliseconds(500);
                continue;
            }
            if (attempts % 10 == 0) _console.Write(OutputLine.Error($"Still reconnecting to {_host}:{_port} ({outcome.Problem})"));
            // With several servers each is tried in turn, and the wait grows once per round, not once per server.
            if (!MoveToNextServer() || _servers!.AtFirst) delay = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, delay.Ticks * 2));
        }
    }

    /// <summary>
    /// Makes a new connection the current one: (re)joins the rooms before anything else is sent on it, then sends
    /// the lines typed while there was none, oldest first and each once, and only then takes new lines directly.
    /// </summary>
    private async Task OnConnectedAsync(ChatConnection connection, IReadOnlyList<string> rooms)
    {
        StartPump(connection);
        var frames = new List<ClientFrame>();
        lock (_gate)
        {
            _connection = connection;
            foreach (var room in rooms) frames.Add(new JoinRequest(room, RoomPassword(room)) { Ref = _pending.Add(new PendingRequest(RequestKind.Join, room)) });
        }
        if (!await SendAllAsync(connection, frames)) return;
        while (true)
        {
            IReadOnlyList<(ClientFrame Frame, PendingRequest Request)> held;
            lock (_gate)
            {
                if (_held.Count == 0)
                {
                    _connected = true;
                    _connectedSignal.TrySetResult();
                    UpdatePrompt();
                    break;
                }
                held = _held.TakeAll();
                frames = held.Select(h => h.Frame with { Ref = _pending.Add(h.Request) }).ToList();
            }
            _console.Write(OutputLine.System($"Sending {Lines(held.Count)} typed while reconnecting."));
            if (!await SendAllAsync(connection, frames)) return;
        }
        bool borrowed;
        lock (_gate) borrowed = !IsMe(_ownName);
        if (borrowed) lock (_gate) _background.Add(Task.Run(() => TakeOwnNameBackAsync(connection)));
    }

    /// <summary>Sends frames in order; false when the connection broke (its pump then reconnects once more).</summary>
    private async Task<bool> SendAllAsync(ChatConnection connection, IReadOnlyList<ClientFrame> frames)
    {
        try
        {
            foreach (var frame in frames) await connection.SendAsync(frame, _stop.Token);
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// While this client goes by a borrowed name, tries its own again every few seconds for a minute, and at once
    /// when the server says the session that had it left. A hello cannot be repeated on a connection, so a new
    /// connection takes the name, joins the rooms, and replaces the borrowed one, which then quits.
    /// </summary>
    private async Task TakeOwnNameBackAsync(ChatConnection borrowed)
    {
        var deadline = DateTime.UtcNow + NameRetryPeriod;
        while (!_quitting && DateTime.UtcNow < deadline)
        {
            Task ownNameLeft;
            lock (_gate)
            {
                if (_ownNameLeft.Task.IsCompleted) _ownNameLeft = NewSignal();
                ownNameLeft = _ownNameLeft.Task;
            }
            try
            {
                await Task.WhenAny(Task.Delay(NameRetryInterval, _stop.Token), ownNameLeft);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            lock (_gate)
            {
                if (_quitting || _connection != borrowed || !_connected) return; // lost meanwhile: the reconnection asks for the name first
            }
            var outcome = await ConnectAndHelloAsync(_ownName, _stop.Token);
            if (outcome.Connection is { } connection)
            {
                await HandOverAsync(borrowed, connection, outcome.Welcome!);
                return;
            }
        }
        if (!_quitting) _console.Write(OutputLine.Error($"Your name {_ownName} was still taken after {NameRetryPeriod.TotalSeconds:0} s; you stay {_name}."));
    }

    private async Task HandOverAsync(ChatConnection borrowed, ChatConnection own, WelcomeFrame welcome)
    {
        string[] rooms;
        string borrowedName;
        lock (_gate)
        {
            if (_quitting || _connection != borrowed)
            {
                rooms = [];
                borrowedName = "";
            }
            else
            {
                rooms = _rooms.ToArray();
                borrowedName = _name;
            }
        }
        if (borrowedName.Length == 0)
        {
            await own.DisposeAsync();
            return;
        }
        // Join on the new connection first; only then do typed lines go there, so they follow the joins.
        var joins = new List<ClientFrame>();
        lock (_gate)
        {
            foreach (var room in rooms) joins.Add(new JoinRequest(room, RoomPassword(room)) { Ref = _pending.Add(new PendingRequest(RequestKind.Join, room)) });
        }
        StartPump(own);
        if (!await SendAllAsync(own, joins))
        {
            await own.DisposeAsync();
            return;
        }
        string quitRef;
        lock (_gate)
        {
            _connection = own;
            _name = welcome.Name;
            UpdatePrompt();
            quitRef = _pending.Add(new PendingRequest(RequestKind.Quit));
        }
        _console.Write(OutputLine.System($"Your name {_ownName} is free again: reconnected as {_name} (was {borrowedName})."));
        try
        {
            await borrowed.SendAsync(QuitRequest.Instance with { Ref = quitRef }, _stop.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            lock (_gate)
            {
                _pending.Forget(quitRef);
                SignalIfDrainedLocked();
            }
        }
    }

    /// <summary>The name with a numeric suffix, shortened so it stays a valid name.</summary>
    public static string WithSuffix(string name, int suffix)
    {
        var tail = "_" + suffix;
        var head = name.Length + tail.Length > Protocol.MaxNameLength ? name[..(Protocol.MaxNameLength - tail.Length)] : name;
        return head + tail;
    }

    private static string Lines(int count) => count == 1 ? "1 line" : $"{count} lines";

    // ---------------------------------------------------------------- ending

    /// <summary>Piped input ended: wait until the server answered what was sent, then a ping as the last barrier.</summary>
    private async Task DrainAsync()
    {
        lock (_gate)
        {
            if (!_connected && _held.Count == 0) return; // nothing to wait for a reconnection for
        }
        var deadline = Task.Delay(DrainTimeout);
        if (!await WaitForAnswersAsync(DrainTimeout)) return;

        var pong = NewSignal();
        ChatConnection? connection;
        string reference;
        lock (_gate)
        {
            _pong = pong;
            connection = _connection;
            reference = _pending.Add(new PendingRequest(RequestKind.Ping));
        }
        try
        {
            await connection!.SendAsync(PingRequest.Instance with { Ref = reference });
            await Task.WhenAny(pong.Task, deadline);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Waits until every request sent or kept was answered, while connected; false when the time ran out.</summary>
    private async Task<bool> WaitForAnswersAsync(TimeSpan limit)
    {
        var deadline = Task.Delay(limit);
        while (true)
        {
            Task next;
            lock (_gate)
            {
                if (_connected && _pending.Count == 0 && _held.Count == 0) return true;
                if (_drained.Task.IsCompleted) _drained = NewSignal();
                next = _connected ? _drained.Task : _connectedSignal.Task;
            }
            if (await Task.WhenAny(next, deadline, _quitRequested.Task) != next) return false;
        }
    }

    /// <summary>
    /// Ends the session in whatever state it is: tells the server when connected, stops reconnecting, and closes
    /// every connection. Nothing here may throw: the user asked to leave.
    /// </summary>
    private async Task QuitAsync(bool quietly = false)
    {
        await FlushReadMarkersAsync(); // how far the user read, before the server hears the quit
        _quitting = true;
        ChatConnection? connection;
        int held;
        string? reference = null;
        lock (_gate)
        {
            connection = _connected ? _connection : null;
            held = _held.Count;
            if (connection is not null) reference = _pending.Add(new PendingRequest(RequestKind.Quit));
        }
        if (held > 0) _console.Write(OutputLine.Error($"{Lines(held)} typed while reconnecting {(held == 1 ? "was" : "were")} not sent."));
        if (connection is not null)
        {
            try
            {
                await connection.SendAsync(QuitRequest.Instance with { Ref = reference });
                // The server answers bye and closes; the frames end then.
                await connection.Frames.Completion.WaitAsync(QuitTimeout);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or TimeoutException or ChannelClosedException)
            {
            }
        }
        _stop.Cancel();
        Task[] background;
        ChatConnection[] connections;
        lock (_gate)
        {
            background = _background.ToArray();
            connections = _connections.ToArray();
        }
        try
        {
            await Task.WhenAll(background).WaitAsync(QuitTimeout);
        }
        catch (Exception)
        {
            // Leaving must not fail: whatever a pump or a reconnection met on its way out is of no use to anyone now.
        }
        foreach (var open in connections) await open.DisposeAsync();
        if (!quietly) _console.Write(OutputLine.System("Bye."));
    }

    // ---------------------------------------------------------------- typing and read markers

    /// <summary>A message in the room the user is in was shown: its seq is how far they have read (accounts only).</summary>
    private void NoteReadLocked(string room, long seq)
    {
        if (_password is null || !string.Equals(room, _currentRoom, StringComparison.OrdinalIgnoreCase)) return;
        if (_readMarkers.Shown(room, seq, DateTime.UtcNow) is { } delay) _readMarkersDue = delay;
    }

    private async Task SendReadMarkersAsync(TimeSpan delay)
    {
        try
        {
            if (delay > TimeSpan.Zero) await Task.Delay(delay, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await FlushReadMarkersAsync();
    }

    private async Task FlushReadMarkersAsync()
    {
        IReadOnlyList<(string Room, long Seq)> due;
        lock (_gate) due = _readMarkers.TakeDue(DateTime.UtcNow);
        foreach (var (room, seq) in due) await SendUnseenAsync(new ReadRequest(room, seq));
    }

    /// <summary>
    /// The line being typed changed (a terminal only: a pipe hands over whole lines, so piped input sends no typing).
    /// Text that is not a command tells the room at most every <see cref="TypingEvery"/>.
    /// </summary>
    private void OnLineEdited(string text)
    {
        if (text.Length == 0 || (text.StartsWith('/') && !text.StartsWith("/me ", StringComparison.Ordinal))) return;
        string? room;
        lock (_gate)
        {
            room = _currentRoom;
            var now = DateTime.UtcNow;
            if (room is null || (_typingSentAt.TryGetValue(room, out var last) && now - last < TypingEvery)) return;
            _typingSentAt[room] = now;
        }
        _ = SendUnseenAsync(new TypingRequest(room));
    }

    /// <summary>
    /// Sends a frame the user did not type as a line (typing, read): its answer and any error are not shown, and
    /// while there is no connection it is dropped rather than kept for the reconnection.
    /// </summary>
    private async Task SendUnseenAsync(ClientFrame frame)
    {
        ChatConnection? connection;
        string? reference = null;
        lock (_gate)
        {
            connection = _connected && !_quitting ? _connection : null;
            if (connection is not null) reference = _pending.Add(new PendingRequest(RequestKind.Unseen));
        }
        if (connection is null) return;
        try
        {
            await connection.SendAsync(frame with { Ref = reference }, _stop.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            lock (_gate)
            {
                _pending.Forget(reference!);
                SignalIfDrainedLocked();
            }
        }
    }

    private void UpdatePrompt()
    {
        // Short, so that a typed line has the width of the terminal; the connection state is told in lines of its own.
        // Who is typing in the room shows in front of it (a terminal's status), while they type.
        lock (_gate)
        {
            var prompt = _currentRoom is null ? "> " : $"#{_currentRoom}> ";
            var typing = _console.IsInteractive ? _typingStatus.Text(_currentRoom, DateTime.UtcNow) : null;
            _console.SetPrompt(typing is null ? prompt : $"({typing}) {prompt}");
        }
    }

    /// <summary>Redraws the prompt when someone shown typing stops being shown (5 s after their last typing frame).</summary>
    private void ScheduleTypingRedrawLocked()
    {
        if (_typingRedrawScheduled) return;
        _typingRedrawScheduled = true;
        _ = RedrawTypingWhenDueAsync();
    }

    private async Task RedrawTypingWhenDueAsync()
    {
        try
        {
            while (true)
            {
                DateTime due;
                lock (_gate)
                {
                    if (_typingStatus.NextExpiry(DateTime.UtcNow) is not { } next)
                    {
                        _typingRedrawScheduled = false;
                        UpdatePrompt();
                        return;
                    }
                    due = next;
                }
                var wait = due - DateTime.UtcNow;
                if (wait > TimeSpan.Zero) await Task.Delay(wait + TimeSpan.FromMilliseconds(10), _stop.Token);
                UpdatePrompt();
            }
        }
        catch (OperationCanceledException)
        {
            lock (_gate) _typingRedrawScheduled = false;
        }
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
