using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace ActorChat.CommandLine;

/// <summary>Reads one value from its text; false when the text is not a value of the option.</summary>
internal delegate bool ValueReader<T>(string text, [MaybeNullWhen(false)] out T value);

/// <summary>
/// What a command line asked for: an <see cref="Error"/> to report (exit code 2), an <see cref="Output"/> to print
/// (help or version, exit code 0), or neither: the <see cref="Result"/> holds the values to run with.
/// </summary>
internal sealed record CommandLineOutcome(ParseResult Result, string? Error, string? Output);

/// <summary>
/// One program's command line on System.CommandLine, with ActorChat's wording: an unknown option and a stray word are
/// named as such, and every value error names its flag and the form it accepts. Compiled into each program (server,
/// client, bench), so that their command lines behave alike.
/// </summary>
internal sealed class CommandLineDefinition
{
    private readonly bool _passOnTheRest;
    private readonly Command? _top;

    /// <param name="name">The program's name as help and --version show it.</param>
    /// <param name="versionOf">An assembly of the program; its informational version is what --version prints.</param>
    /// <param name="passOnTheRest">Leave unknown words to the caller (in <see cref="ParseResult.UnmatchedTokens"/>) rather than report them.</param>
    /// <param name="program">For a subcommand (<paramref name="name"/>, e.g. "bench"): the program it belongs to.</param>
    public CommandLineDefinition(string name, string description, Assembly versionOf, bool passOnTheRest = false, string? program = null)
    {
        _passOnTheRest = passOnTheRest;
        // A plain command rather than RootCommand: its name and version come from the program, not from whichever
        // process hosts it (a test runner), and it has no directives such as [suggest].
        Root = new Command(name, description) { TreatUnmatchedTokensAsErrors = !passOnTheRest };
        if (program is not null)
        {
            _top = new Command(program);
            _top.Subcommands.Add(Root);
        }
        Root.Options.Add(new System.CommandLine.Help.HelpOption());
        var version = versionOf.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                      ?? versionOf.GetName().Version?.ToString() ?? "unknown";
        Root.Options.Add(new VersionOption { Action = new PrintText($"{program ?? name} {version}") });
    }

    /// <summary>The command the options belong to: the program's, or the subcommand's.</summary>
    public Command Root { get; }

    /// <summary>
    /// An option that takes one value, as <c>--flag VALUE</c> or <c>--flag=VALUE</c>. Given more than once, the last
    /// one counts, so that a later argument overrides an earlier one (as a script that adds flags expects).
    /// </summary>
    /// <param name="expected">The accepted form for error messages, e.g. "a port number from 0 to 65535".</param>
    public Option<T> Value<T>(string flag, string helpName, string description, string expected, ValueReader<T> read)
    {
        var option = new Option<T>(flag)
        {
            Description = description,
            HelpName = helpName,
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        option.CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                result.AddError($"{flag}: expected {expected}, got nothing.");
                return default!;
            }
            var text = result.Tokens[^1].Value;
            if (read(text, out var value)) return value;
            result.AddError($"{flag}: expected {expected}, got '{text}'.");
            return default!;
        };
        Root.Options.Add(option);
        return option;
    }

    /// <summary>An option that may be given several times, one value each time; all of them count, in order.</summary>
    public Option<IReadOnlyList<T>> Repeatable<T>(string flag, string helpName, string description, string expected, ValueReader<T> read)
    {
        var option = new Option<IReadOnlyList<T>>(flag)
        {
            Description = description,
            HelpName = helpName,
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        option.CustomParser = result =>
        {
            if (result.Tokens.Count == 0) result.AddError($"{flag}: expected {expected}, got nothing.");
            var values = new List<T>();
            foreach (var token in result.Tokens)
            {
                if (read(token.Value, out var value)) values.Add(value);
                else
                {
                    result.AddError($"{flag}: expected {expected}, got '{token.Value}'.");
                    break;
                }
            }
            return values;
        };
        Root.Options.Add(option);
        return option;
    }

    /// <summary>An option that takes text as it is (any text but the empty one).</summary>
    public Option<string> Text(string flag, string helpName, string description, string expected) =>
        Value(flag, helpName, description, expected, (string text, [MaybeNullWhen(false)] out string value) =>
        {
            value = text;
            return text.Length > 0;
        });

    /// <summary>An option without a value: present or not.</summary>
    public Option<bool> Switch(string flag, string description)
    {
        var option = new Option<bool>(flag) { Description = description, Arity = ArgumentArity.Zero };
        Root.Options.Add(option);
        return option;
    }

    /// <summary>Whether the option was on the command line.</summary>
    /// <remarks>Not the same as having a result: an option with a default value (a switch) has an implicit one.</remarks>
    public static bool Given(ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    /// <summary>Parses the command line; the first problem, in the order a user would look for it, becomes the error.</summary>
    public CommandLineOutcome Parse(IReadOnlyList<string> args)
    {
        // No response files: an argument that starts with @ is a value like any other.
        var configuration = new ParserConfiguration { ResponseFileTokenReplacer = null };
        var result = _top is null ? Root.Parse(args, configuration) : _top.Parse([Root.Name, .. args], configuration);
        if (result.Action is not null and not ParseErrorAction)
        {
            // --help or --version: printed into a text, so that the caller decides where it goes.
            using var output = new StringWriter();
            result.Invoke(new InvocationConfiguration { Output = output, Error = output });
            return new CommandLineOutcome(result, null, output.ToString().TrimEnd());
        }
        if (result.UnmatchedTokens.Count > 0 && !_passOnTheRest)
        {
            var token = result.UnmatchedTokens[0];
            var isOption = token.StartsWith('-') && token.Length > 1;
            // "--prot=1" names the option "--prot"; the value is not part of its name.
            var name = isOption && token.IndexOf('=') is > 1 and var equals ? token[..equals] : token;
            var error = isOption ? $"unknown option '{name}'." : $"unexpected argument '{token}'.";
            return new CommandLineOutcome(result, error, null);
        }
        // Errors of unknown words were reported above, by name; the rest are the options' own, in their wording.
        if (result.Errors.Count > 0) return new CommandLineOutcome(result, result.Errors[0].Message, null);
        return new CommandLineOutcome(result, null, null);
    }

    /// <summary>Prints a fixed text: the version.</summary>
    private sealed class PrintText(string text) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(text);
            return 0;
        }
    }
}
