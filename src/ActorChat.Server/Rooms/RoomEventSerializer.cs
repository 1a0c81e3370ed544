using System.Text.Json.Serialization;
using ActorChat.Server.Persistence;
using Akka.Actor;

namespace ActorChat.Server.Rooms;

/// <summary>Stores room events and snapshots (see <see cref="JsonManifestSerializer"/>).</summary>
public sealed class RoomEventSerializer(ExtendedActorSystem system) : JsonManifestSerializer(system, "a room event",
    ("posted.v1", RoomEventJsonContext.Default.MessagePosted),
    ("room-snapshot.v1", RoomEventJsonContext.Default.RoomSnapshot),
    ("room-created.v1", RoomEventJsonContext.Default.RoomCreated),
    ("room-privacy.v1", RoomEventJsonContext.Default.RoomPrivacySet),
    ("room-dropped.v1", RoomEventJsonContext.Default.RoomDropped))
{
    public const int SerializerId = 1601;

    public override int Identifier => SerializerId;
}

// Fields left null (a message that is no reply, no action) are left out, so plain messages stay as small as before.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MessagePosted))]
[JsonSerializable(typeof(RoomSnapshot))]
[JsonSerializable(typeof(RoomCreated))]
[JsonSerializable(typeof(RoomPrivacySet))]
[JsonSerializable(typeof(RoomDropped))]
internal sealed partial class RoomEventJsonContext : JsonSerializerContext;
