namespace ActorChat.Tests.Support;

/// <summary>Where the built server, client and bench are: the test project references them, so they sit beside the tests.</summary>
public static class BuiltApps
{
    public static string ClientDll => Find("ActorChat.Client.dll");

    public static string ServerDll => Find("ActorChat.Server.dll");

    public static string BenchDll => Find("ActorChat.Bench.dll");

    private static string Find(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, file);
        if (!File.Exists(path)) throw new FileNotFoundException($"{file} is not beside the tests; build the test project.", path);
        var runtimeConfig = Path.ChangeExtension(path, ".runtimeconfig.json");
        if (!File.Exists(runtimeConfig)) throw new FileNotFoundException($"{runtimeConfig} is missing; 'dotnet {file}' cannot run.", runtimeConfig);
        return path;
    }
}
