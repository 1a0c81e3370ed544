using System.Text.Json.Serialization;

namespace ActorChat.Messages;

/// <summary>
/// The source-generated JSON context of LAN discovery, apart from <see cref="FrameJsonContext"/> so the datagram
/// format does not follow changes made for frames. An answer must stay small (see
/// <see cref="DiscoveryCodec.MaxAmplification"/>): a null web port is left out, and reads back as null.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DiscoveryAnnouncement))]
internal sealed partial class DiscoveryJsonContext : JsonSerializerContext;
