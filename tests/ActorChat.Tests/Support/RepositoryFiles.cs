namespace ActorChat.Tests.Support;

/// <summary>Files of the checkout the tests were built from (README.md, docs/), found by walking up from the test binaries.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ActorChat.sln"))) return directory.FullName;
        }
        throw new DirectoryNotFoundException($"no ActorChat.sln above {AppContext.BaseDirectory}");
    }
}
