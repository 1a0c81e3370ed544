using ActorChat.Server.Configuration;
using ActorChat.Server.Hosting;
using Microsoft.Extensions.Hosting;

if (args is ["bench", .. var benchArgs]) return await ActorChat.Server.Benchmarks.PersistenceBenchmark.RunAsync(benchArgs);

var load = SettingsLoader.Load(args);
if (load.Output is not null)
{
    Console.WriteLine(load.Output);
    return 0;
}
if (load.Error is not null)
{
    Console.Error.WriteLine($"actorchat: {load.Error} Run with --help for the options.");
    return 2;
}

RunningChatServer server;
try
{
    server = await ChatServerHost.StartAsync(load.Settings!, load.Config!, load.LogLevel);
}
catch (ServerStartException e)
{
    Console.Error.WriteLine($"actorchat: {e.Message}");
    return 1;
}

// Ctrl+C or SIGTERM stops the host; coordinated shutdown lets every client go with a clean close.
await server.Host.WaitForShutdownAsync();
server.Host.Dispose();
server.ReleaseStore();
return 0;
