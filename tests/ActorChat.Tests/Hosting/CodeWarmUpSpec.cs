using System.Runtime;
using ActorChat.Server.Hosting;

namespace ActorChat.Tests.Hosting;

/// <summary>
/// The code every message passes through is compiled before the first client (docs/benchmarks.md, "The first message
/// after a start"), so the first message does not wait for the compiler.
/// </summary>
public sealed class CodeWarmUpSpec
{
    /// <summary>Called by nothing but the warm-up.</summary>
    private sealed class NeverCalled
    {
        public int Twice(int value) => value * 2;

        public static string Named(string name) => $"[{name}]";

        public sealed class Inner
        {
            public int Three() => 3;
        }
    }

    [Fact]
    public void Compiling_a_type_compiles_its_methods_constructors_and_nested_types_on_the_spot()
    {
        CodeWarmUp.Compile([]); // the warm-up's own code compiled first, so that only what it compiles is counted
        var before = JitInfo.GetCompiledMethodCount(currentThread: true);

        var compiled = CodeWarmUp.Compile([typeof(NeverCalled)]);

        // Twice, Named, the constructor; Inner's Three and constructor.
        Assert.Equal(5, compiled);
        Assert.True(JitInfo.GetCompiledMethodCount(currentThread: true) - before >= 5, "the methods were not compiled");
    }

    [Fact]
    public void The_message_path_from_socket_to_socket_is_compiled_ahead()
    {
        Assert.Contains(typeof(ActorChat.Server.Rooms.RoomActor), CodeWarmUp.MessagePath);
        Assert.Contains(typeof(ActorChat.Server.Sessions.ChatSession), CodeWarmUp.MessagePath);
        Assert.Contains(typeof(ActorChat.Server.Transport.ConnectionCore), CodeWarmUp.MessagePath);
        Assert.True(CodeWarmUp.Compile(CodeWarmUp.MessagePath) > 10 * CodeWarmUp.MessagePath.Length);
    }
}
