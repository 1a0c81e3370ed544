using System.Threading.Channels;

namespace ActorChat.Client.Cli;

/// <summary>
/// Line in, line out: for input from a pipe or a file, or output that is not a terminal. Writes no control codes
/// unless told the output is a terminal that takes colour.
/// </summary>
public sealed class PlainConsole : IChatConsole
{
    private readonly TextReader _input;
    private readonly TextWriter _output;
    private readonly bool _colour;
    private readonly bool _terminalOutput;
    private readonly object _writeLock = new();
    private readonly Channel<bool> _quit = Channel.CreateBounded<bool>(1);

    public PlainConsole(TextReader input, TextWriter output, bool colour = false, bool interactive = false, bool terminalOutput = false)
    {
        _terminalOutput = terminalOutput;
        _input = input;
        _output = output;
        _colour = colour;
        IsInteractive = interactive;
    }

    public bool IsInteractive { get; }

    public void Write(OutputLine line)
    {
        lock (_writeLock)
        {
            // The bell only where a person reads a terminal: a pipe or a file gets the text alone.
            _output.WriteLine(AnsiStyle.Paint(line, _colour) + (line.Bell && IsInteractive && _terminalOutput ? AnsiStyle.Bell : ""));
            _output.Flush();
        }
    }

    public void SetPrompt(string prompt)
    {
    }

    public void Clear()
    {
        if (!_terminalOutput) return; // a pipe or a file keeps everything
        lock (_writeLock)
        {
            _output.Write(AnsiStyle.ClearScreen);
            _output.Flush();
        }
    }

    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        if (_quit.Reader.TryRead(out _)) return "/quit";
        var read = _input.ReadLineAsync(cancellationToken).AsTask();
        var quit = _quit.Reader.WaitToReadAsync(cancellationToken).AsTask();
        if (await Task.WhenAny(read, quit) == quit && _quit.Reader.TryRead(out _)) return "/quit";
        return await read;
    }

    public void RequestQuit() => _quit.Writer.TryWrite(true);

    public void Dispose()
    {
    }
}
