using System.Reflection;
using Akka.Event;
using System.Runtime.CompilerServices;

namespace ActorChat.Server.Hosting;

/// <summary>
/// Compiles ahead the code every message passes through, before the TCP port is bound. Tiered compilation is off, so a
/// method is otherwise compiled, fully optimised, on its first call while a client waits (docs/benchmarks.md, "The
/// first message after a start"). Only these types: compiling all of the server's methods took 5.5–6.2 s at every
/// start. Methods of generic types and generic methods are left to their first call (compiled per type argument).
/// </summary>
public static class CodeWarmUp
{
    /// <summary>What a message passes through, from the socket to the other members' sockets.</summary>
    public static readonly Type[] MessagePath =
    [
        typeof(Transport.Tcp.TcpConnectionActor), typeof(Transport.ConnectionCore), typeof(Transport.OutboundQueue),
        typeof(Transport.FloodGate), typeof(Transport.TokenBucket), typeof(Sessions.ChatSession),
        typeof(Rooms.RoomActor), typeof(Cluster.MemberMail), typeof(Status.ChatStatistics),
        typeof(Operations.ChatMetrics), typeof(Operations.DashboardCounters),
        typeof(Messages.FrameCodec), typeof(Messages.LineFramer), typeof(Messages.Protocol),
    ];

    private static int _compiled;

    /// <summary>Compiles <see cref="MessagePath"/> the first time a server of this process starts (about 0.2 s).</summary>
    public static void CompileMessagePathOnce(Akka.Actor.ActorSystem system)
    {
        if (Interlocked.Exchange(ref _compiled, 1) == 1) return;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var methods = Compile(MessagePath);
        Akka.Event.Logging.GetLogger(system, typeof(CodeWarmUp)).Debug("Compiled {0} methods of the message path in {1} ms", methods, clock.ElapsedMilliseconds);
    }

    /// <summary>Compiles the non-generic methods and constructors of <paramref name="types"/> and their nested types; returns how many.</summary>
    public static int Compile(IEnumerable<Type> types)
    {
        const BindingFlags everyMember = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic |
                                         BindingFlags.Instance | BindingFlags.Static;
        var compiled = 0;
        foreach (var type in types.SelectMany(WithNested))
        {
            if (type.ContainsGenericParameters || type.IsInterface) continue;
            foreach (var method in type.GetMethods(everyMember).Cast<MethodBase>().Concat(type.GetConstructors(everyMember)))
            {
                if (method.IsAbstract || method.ContainsGenericParameters) continue;
                if ((method.MethodImplementationFlags & MethodImplAttributes.CodeTypeMask) != MethodImplAttributes.IL) continue;
                try
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                    compiled++;
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
                {
                    // not compiled ahead; compiled on its first call, as without the warm-up
                }
            }
        }
        return compiled;
    }

    private static IEnumerable<Type> WithNested(Type type) =>
        new[] { type }.Concat(type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).SelectMany(WithNested));
}
