using System.Text.Json.Serialization;

namespace ActorChat.Messages;

/// <summary>
/// The source-generated JSON context of LAN discovery. A sibling of <see cref="FrameJsonContext"/> because here
/// null values are written out (<c>"webPort":null</c>), while frames leave them out.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DiscoveryAnnouncement))]
internal sealed partial class DiscoveryJsonContext : JsonSerializerContext;
