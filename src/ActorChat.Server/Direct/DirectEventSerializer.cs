using System.Text.Json.Serialization;
using ActorChat.Server.Persistence;
using Akka.Actor;

namespace ActorChat.Server.Direct;

/// <summary>Stores direct-message conversation events and snapshots (see <see cref="JsonManifestSerializer"/>).</summary>
public sealed class DirectEventSerializer(ExtendedActorSystem system) : JsonManifestSerializer(system, "a direct-message event",
    ("dm-kept.v1", DirectEventJsonContext.Default.DirectMessageKept),
    ("dm-snapshot.v1", DirectEventJsonContext.Default.DirectSnapshot))
{
    public const int SerializerId = 1606;

    public override int Identifier => SerializerId;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DirectMessageKept))]
[JsonSerializable(typeof(DirectSnapshot))]
internal sealed partial class DirectEventJsonContext : JsonSerializerContext;
