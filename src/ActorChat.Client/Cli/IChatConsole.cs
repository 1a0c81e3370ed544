namespace ActorChat.Client.Cli;

/// <summary>
/// Where the chat client reads the user's lines and shows its own. A terminal gets a line editor that keeps the
/// line being typed intact while messages arrive; a pipe gets plain lines without control codes.
/// </summary>
public interface IChatConsole : IDisposable
{
    /// <summary>True when a person types at a terminal (ask for missing things, show a prompt); false for a pipe.</summary>
    bool IsInteractive { get; }

    /// <summary>Shows a line; safe to call from any thread.</summary>
    void Write(OutputLine line);

    /// <summary>The prompt shown in front of the line being typed (a terminal only).</summary>
    void SetPrompt(string prompt);

    /// <summary>Clears the screen when it is a terminal; does nothing on a pipe or a file.</summary>
    void Clear();

    /// <summary>The next line the user entered, or null when input ended.</summary>
    Task<string?> ReadLineAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Asks for a secret (a password) without showing what is typed, nor keeping it in the line history; null when
    /// this console cannot hide input (a pipe) or input ended.
    /// </summary>
    Task<string?> ReadSecretAsync(string prompt, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>
    /// Calls <paramref name="edited"/> with the line being typed each time a key changes it. Only a console that
    /// sees keystrokes (the terminal's line editor) does; one that is handed whole lines (a pipe) never calls it.
    /// </summary>
    void OnEdit(Action<string> edited) { }

    /// <summary>Asks the user to end the session as /quit would (Ctrl+C).</summary>
    void RequestQuit();
}
