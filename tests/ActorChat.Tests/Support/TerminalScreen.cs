using System.Text;

namespace ActorChat.Tests.Support;

/// <summary>
/// What a terminal of a given width shows for a program's output: printable characters wrap at the right margin
/// (xterm style: the cursor waits in the last column until the next character), carriage return, line feed,
/// backspace, and the escape codes a line editor uses (cursor up/down/left/right, erase line, erase to the end
/// of the screen, erase the screen). Colours and modes are read and ignored. Rows never scroll away.
/// </summary>
public sealed class TerminalScreen
{
    private readonly List<StringBuilder> _rows = [new()];
    private readonly int _width;
    private int _row;
    private int _column;
    private bool _wrapPending;

    private TerminalScreen(int width) => _width = width;

    /// <summary>The rows shown after the output, trailing blanks removed.</summary>
    public static IReadOnlyList<string> Render(string output, int width)
    {
        var screen = new TerminalScreen(width);
        screen.Feed(output);
        return screen._rows.Select(r => r.ToString().TrimEnd()).ToList();
    }

    private void Feed(string output)
    {
        for (var i = 0; i < output.Length; i++)
        {
            var c = output[i];
            switch (c)
            {
                case '\u001b':
                    i = Escape(output, i);
                    break;
                case '\r':
                    _column = 0;
                    _wrapPending = false;
                    break;
                case '\n':
                    MoveTo(_row + 1, _column);
                    break;
                case '\b':
                    MoveTo(_row, Math.Max(0, _column - 1));
                    break;
                case '\u0007':
                    break;
                default:
                    if (!char.IsControl(c)) Print(c);
                    break;
            }
        }
    }

    private void Print(char c)
    {
        if (_wrapPending) MoveTo(_row + 1, 0);
        var row = _rows[_row];
        while (row.Length <= _column) row.Append(' ');
        row[_column] = c;
        if (_column == _width - 1) _wrapPending = true;
        else _column++;
    }

    private void MoveTo(int row, int column)
    {
        _row = Math.Max(0, row);
        while (_rows.Count <= _row) _rows.Add(new StringBuilder());
        _column = Math.Clamp(column, 0, _width - 1);
        _wrapPending = false;
    }

    /// <summary>Reads one escape sequence starting at <paramref name="start"/>; the index of its last character.</summary>
    private int Escape(string output, int start)
    {
        if (start + 1 >= output.Length) return start;
        var kind = output[start + 1];
        if (kind == ']') // operating system command, up to BEL or ESC \
        {
            var end = start + 2;
            while (end < output.Length && output[end] != '\u0007' && !(output[end] == '\u001b' && end + 1 < output.Length && output[end + 1] == '\\')) end++;
            return output.Length > end && output[end] == '\u001b' ? end + 1 : end;
        }
        if (kind != '[') return start + 1; // a two-character sequence such as ESC = or ESC >
        var i = start + 2;
        var parameters = new StringBuilder();
        while (i < output.Length && output[i] is >= '\u0030' and <= '\u003f') parameters.Append(output[i++]);
        while (i < output.Length && output[i] is >= '\u0020' and <= '\u002f') i++;
        if (i >= output.Length) return output.Length - 1;
        var text = parameters.ToString();
        var count = int.TryParse(text, out var n) && n > 0 ? n : 1;
        var mode = int.TryParse(text, out var m) ? m : 0;
        switch (output[i])
        {
            case 'A': MoveTo(_row - count, _column); break;
            case 'B': MoveTo(_row + count, _column); break;
            case 'C': MoveTo(_row, _column + count); break;
            case 'D': MoveTo(_row, _column - count); break;
            case 'G': MoveTo(_row, count - 1); break;
            case 'H': MoveTo(0, 0); break;
            case 'K':
                var line = _rows[_row];
                if (mode == 2) line.Clear();
                else if (mode == 0 && line.Length > _column) line.Length = _column;
                break;
            case 'J':
                if (text.StartsWith('?')) break;
                if (mode is 2 or 3)
                {
                    foreach (var r in _rows) r.Clear();
                    if (mode == 3) { _rows.Clear(); _rows.Add(new StringBuilder()); MoveTo(0, 0); }
                }
                else if (mode == 0)
                {
                    if (_rows[_row].Length > _column) _rows[_row].Length = _column;
                    _rows.RemoveRange(_row + 1, _rows.Count - _row - 1);
                }
                break;
        }
        return i;
    }
}
