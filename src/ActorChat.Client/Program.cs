using ActorChat.Client.Cli;
using ActorChat.Client.Discovery;

var (options, error, output) = ClientOptions.Parse(args);
if (output is not null)
{
    Console.WriteLine(output);
    return 0;
}
if (options is null)
{
    Console.Error.WriteLine($"actorchat-client: {error} Run with --help for the options.");
    return 2;
}

if (options.ListServers)
{
    var servers = await ServerFinder.FindAsync(options.DiscoveryPort, options.DiscoveryWindow, options.DiscoveryTargets);
    foreach (var server in servers) Console.WriteLine($"{server.Name}\t{server.Address}:{server.TcpPort}");
    if (servers.Count == 0) Console.Error.WriteLine(ChatClient.NoServerFoundMessage(options.DiscoveryPort));
    return servers.Count > 0 ? 0 : 1;
}

// A terminal gets the line editor and colour; a pipe or a file gets plain lines without control codes.
var noColour = Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 } || Environment.GetEnvironmentVariable("TERM") == "dumb";
var outputIsTerminal = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";
using IChatConsole console = !Console.IsInputRedirected && outputIsTerminal
    ? new TerminalConsole(Console.Out, colour: !noColour)
    : new PlainConsole(Console.In, Console.Out, colour: outputIsTerminal && !noColour, interactive: !Console.IsInputRedirected,
        terminalOutput: outputIsTerminal);
var client = new ChatClient(options, console, new Renderer());

Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // quit cleanly: tell the server, then exit
    client.RequestQuit();
};

return await client.RunAsync();
