using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Docs;

/// <summary>docs/protocol.md shows every frame type the codec knows, in either direction, as a <c>"type":"…"</c> example.</summary>
public sealed class FrameGuideSpec
{
    private static readonly string Guide = RepositoryFiles.Read("docs/protocol.md");

    private static string[] Undocumented(IEnumerable<string> types) =>
        [.. types.Where(type => !Guide.Contains($"\"type\":\"{type}\"", StringComparison.Ordinal))];

    [Fact]
    public void Every_client_frame_type_is_shown_in_the_protocol_guide()
    {
        Assert.Contains("hello", FrameCodec.ClientFrameTypes);
        Assert.Empty(Undocumented(FrameCodec.ClientFrameTypes));
    }

    [Fact]
    public void Every_server_frame_type_is_shown_in_the_protocol_guide()
    {
        Assert.Contains("welcome", FrameCodec.ServerFrameTypes);
        Assert.Empty(Undocumented(FrameCodec.ServerFrameTypes));
    }
}
