using System.Text;
using System.Threading.Channels;

namespace ActorChat.Client.Cli;

/// <summary>
/// A terminal with a small line editor of its own (Console.ReadKey): lines that arrive while the user types are
/// printed above the prompt, and the prompt and the partial input are drawn again below them, so nothing typed
/// is garbled. A line longer than the terminal is wide wraps onto more rows, and every redraw starts from the first
/// of them, so no partial copy of the prompt is left behind. Keys: arrows, Home/End (Ctrl+A/E), Backspace/Delete, Ctrl+U clears, Up/Down recall earlier lines,
/// Ctrl+D on an empty line ends input, Ctrl+C quits.
/// </summary>
public sealed class TerminalConsole : IChatConsole
{
    private const int HistoryLimit = 100;

    private readonly object _lock = new();
    private readonly StringBuilder _buffer = new();
    private readonly List<string> _history = [];
    private readonly Channel<string?> _lines = Channel.CreateUnbounded<string?>();
    private readonly TextWriter _out;
    private readonly bool _colour;
    private string _prompt = "> ";
    private int _cursor;
    // The row of the edit area (prompt and typed line) the terminal's cursor is on, counted from its first row.
    private int _cursorRow;
    private int _historyIndex;
    private Thread? _reader;
    // While a secret is asked for: where Enter sends the typed line instead of the line channel, and what was on the
    // edit line before, to put back afterwards.
    private TaskCompletionSource<string?>? _secret;
    private (string Prompt, string Text) _beforeSecret = ("", "");
    private volatile bool _disposed;
    private Action<string>? _edited;

    private readonly Func<int> _width;

    public TerminalConsole(TextWriter output, bool colour, Func<int>? width = null)
    {
        _out = output;
        _colour = colour;
        _width = width ?? TerminalWidth;
    }

    /// <summary>The terminal's width in columns; 80 when the terminal does not say.</summary>
    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth is var width and > 0 ? width : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    public bool IsInteractive => true;

    public void Write(OutputLine line)
    {
        lock (_lock)
        {
            EraseEditArea();
            _out.Write(AnsiStyle.Paint(line, _colour));
            if (line.Bell) _out.Write(AnsiStyle.Bell);
            _out.Write("\r\n");
            Redraw();
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _out.Write(AnsiStyle.ClearScreen);
            _cursorRow = 0;
            Redraw();
        }
    }

    public void SetPrompt(string prompt)
    {
        lock (_lock)
        {
            if (_prompt == prompt) return;
            _prompt = prompt;
            Redraw();
        }
    }

    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        StartReader();
        try
        {
            return await _lines.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public async Task<string?> ReadSecretAsync(string prompt, CancellationToken cancellationToken)
    {
        var secret = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_disposed) return null;
            _secret = secret;
            _beforeSecret = (_prompt, _buffer.ToString());
            _buffer.Clear();
            _cursor = 0;
            _prompt = prompt;
            Redraw();
        }
        StartReader();
        try
        {
            return await secret.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            lock (_lock) EndSecret(null);
            return null;
        }
    }

    /// <summary>Ends a secret prompt: the secret goes to its asker, never to the screen or the history.</summary>
    private void EndSecret(string? value)
    {
        if (_secret is not { } secret) return;
        _secret = null;
        _buffer.Clear().Append(_beforeSecret.Text);
        _cursor = _buffer.Length;
        _prompt = _beforeSecret.Prompt;
        _beforeSecret = ("", "");
        Redraw();
        secret.TrySetResult(value);
    }

    public void OnEdit(Action<string> edited) => _edited = edited;

    public void RequestQuit()
    {
        lock (_lock) EndSecret(null);
        _lines.Writer.TryWrite("/quit");
    }

    public void Dispose()
    {
        lock (_lock)
        {
            EraseEditArea();
            _disposed = true;
            _out.Flush();
        }
    }

    private void StartReader()
    {
        lock (_lock)
        {
            if (_reader is not null) return;
            _reader = new Thread(ReadKeys) { IsBackground = true, Name = "line-editor" };
            _reader.Start();
        }
    }

    private void ReadKeys()
    {
        try
        {
            while (!_disposed)
            {
                var key = Console.ReadKey(intercept: true);
                string? typed = null;
                lock (_lock)
                {
                    var before = _buffer.Length;
                    if (!OnKey(key)) break;
                    if (_secret is null && _buffer.Length > before && !char.IsControl(key.KeyChar)) typed = _buffer.ToString(); // a character went in (not a secret)
                }
                if (typed is not null) _edited?.Invoke(typed); // outside the lock: the callback may take locks of its own
            }
        }
        catch (InvalidOperationException)
        {
            // The terminal went away.
        }
        catch (IOException)
        {
        }
        lock (_lock) EndSecret(null);
        _lines.Writer.TryComplete();
    }

    /// <summary>Edits the line for one key; false when input ended.</summary>
    private bool OnKey(ConsoleKeyInfo key)
    {
        var control = (key.Modifiers & ConsoleModifiers.Control) != 0;
        switch (key.Key)
        {
            case ConsoleKey.Enter:
                Submit();
                return true;
            case ConsoleKey.Backspace:
                if (_cursor > 0) _buffer.Remove(--_cursor, 1);
                break;
            case ConsoleKey.Delete:
                if (_cursor < _buffer.Length) _buffer.Remove(_cursor, 1);
                break;
            case ConsoleKey.LeftArrow:
                if (_cursor > 0) _cursor--;
                break;
            case ConsoleKey.RightArrow:
                if (_cursor < _buffer.Length) _cursor++;
                break;
            case ConsoleKey.Home:
            case ConsoleKey.A when control:
                _cursor = 0;
                break;
            case ConsoleKey.End:
            case ConsoleKey.E when control:
                _cursor = _buffer.Length;
                break;
            case ConsoleKey.U when control:
                _buffer.Clear();
                _cursor = 0;
                break;
            case ConsoleKey.D when control:
                if (_buffer.Length == 0)
                {
                    EndInput();
                    return false;
                }
                break;
            case ConsoleKey.UpArrow:
                if (_secret is null) Recall(-1);
                break;
            case ConsoleKey.DownArrow:
                if (_secret is null) Recall(+1);
                break;
            default:
                if (key.KeyChar == '\r' || key.KeyChar == '\n')
                {
                    Submit();
                    return true;
                }
                if (key.KeyChar == '\u0004' && _buffer.Length == 0)
                {
                    EndInput();
                    return false;
                }
                if (!char.IsControl(key.KeyChar))
                {
                    _buffer.Insert(_cursor++, key.KeyChar);
                }
                break;
        }
        Redraw();
        return true;
    }

    private void Submit()
    {
        if (_secret is not null)
        {
            EndSecret(_buffer.ToString());
            return;
        }
        var line = _buffer.ToString();
        _buffer.Clear();
        _cursor = 0;
        // A line with a password is neither kept for Up nor shown as typed.
        var redacted = CommandParser.Redacted(line);
        if (line.Length > 0 && redacted is null && (_history.Count == 0 || _history[^1] != line))
        {
            _history.Add(line);
            if (_history.Count > HistoryLimit) _history.RemoveAt(0);
        }
        _historyIndex = _history.Count;
        // A command stays on screen so its answer makes sense; a plain line comes back from the server as a message.
        EraseEditArea();
        if (line.TrimStart().StartsWith('/')) _out.Write(SafeText.Clean(_prompt + (redacted ?? line)) + "\r\n");
        Redraw();
        _lines.Writer.TryWrite(line);
    }

    private void Recall(int step)
    {
        if (_history.Count == 0) return;
        _historyIndex = Math.Clamp(_historyIndex + step, 0, _history.Count);
        _buffer.Clear();
        if (_historyIndex < _history.Count) _buffer.Append(_history[_historyIndex]);
        _cursor = _buffer.Length;
    }

    /// <summary>Ctrl+D on an empty line: the prompt goes, and nothing is typed any more.</summary>
    private void EndInput()
    {
        EndSecret(null);
        EraseEditArea();
        _disposed = true;
        _out.Flush();
    }

    /// <summary>Moves to the first row of the prompt and erases it and everything below, however many rows it took.</summary>
    private void EraseEditArea()
    {
        if (_disposed) return;
        _out.Write(AnsiStyle.CursorUp(_cursorRow));
        _out.Write('\r');
        _out.Write(AnsiStyle.ClearToEnd);
        _cursorRow = 0;
    }

    /// <summary>
    /// Draws the prompt and the typed line from the first row of the edit area and puts the cursor where it edits.
    /// A terminal wraps a long line by itself; the arithmetic below only has to know where the cursor ends up.
    /// </summary>
    private void Redraw()
    {
        if (_disposed) return;
        EraseEditArea();
        var width = Math.Max(1, _width());
        // A secret being typed shows nothing: not even how long it is. A /register or /password line shows *** for its
        // passwords, with the cursor at its end.
        var typed = _buffer.ToString();
        var redacted = _secret is null ? CommandParser.Redacted(typed) : "";
        var text = redacted ?? SafeText.Clean(typed);
        var cursor = redacted is not null ? text.Length : _cursor;
        _out.Write(_prompt);
        _out.Write(text);
        var length = _prompt.Length + text.Length;
        // Text that ends exactly at the right margin leaves the cursor there until the next character: with the
        // cursor at the end, move it to the next row so that it stands where the next character will go.
        var endRow = length / width;
        if (length > 0 && length % width == 0)
        {
            if (cursor == text.Length) _out.Write("\r\n");
            else endRow--;
        }
        var position = _prompt.Length + cursor;
        var row = position / width;
        _out.Write(AnsiStyle.CursorUp(endRow - row));
        _out.Write('\r');
        _out.Write(AnsiStyle.CursorRight(position % width));
        _cursorRow = row;
        _out.Flush();
    }
}
