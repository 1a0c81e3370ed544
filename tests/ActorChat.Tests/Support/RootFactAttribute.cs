using Xunit;

namespace ActorChat.Tests.Support;

/// <summary>A test that needs root on Linux (network namespaces); CI runs as root, elsewhere it is skipped with the reason.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "needs Linux network namespaces";
        else if (Environment.UserName != "root" && !IsUidZero()) Skip = "needs root to create network namespaces (CI runs as root)";
    }

    private static bool IsUidZero()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                    return line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[1] == "0";
            }
        }
        catch (IOException)
        {
        }
        return false;
    }
}
