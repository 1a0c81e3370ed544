using System.Text.Json.Serialization;

namespace ActorChat.Messages;

/// <summary>The one source-generated JSON context of the protocol; <see cref="FrameCodec"/> is its only user.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClientFrame))]
[JsonSerializable(typeof(ServerFrame))]
internal sealed partial class FrameJsonContext : JsonSerializerContext;
