using System.Text.Json.Serialization;
using ActorChat.Server.Persistence;
using Akka.Actor;

namespace ActorChat.Server.Rooms;

/// <summary>
/// Stores the events and snapshots of room rules (see <see cref="JsonManifestSerializer"/>), as
/// <see cref="RoomEventSerializer"/> does for messages.
/// </summary>
public sealed class RoomRulesSerializer(ExtendedActorSystem system) : JsonManifestSerializer(system, "a room rules event",
    ("role.v1", RoomRulesJsonContext.Default.RoleGiven),
    ("topic.v1", RoomRulesJsonContext.Default.TopicSet),
    ("mode.v1", RoomRulesJsonContext.Default.ModeSet),
    ("invited.v1", RoomRulesJsonContext.Default.UserInvited),
    ("banned.v1", RoomRulesJsonContext.Default.UserBanned),
    ("unbanned.v1", RoomRulesJsonContext.Default.UserUnbanned),
    ("deleted.v1", RoomRulesJsonContext.Default.MessageDeleted),
    ("rules-snapshot.v1", RoomRulesJsonContext.Default.RulesSnapshot))
{
    public const int SerializerId = 1603;

    public override int Identifier => SerializerId;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RoleGiven))]
[JsonSerializable(typeof(TopicSet))]
[JsonSerializable(typeof(ModeSet))]
[JsonSerializable(typeof(UserInvited))]
[JsonSerializable(typeof(UserBanned))]
[JsonSerializable(typeof(UserUnbanned))]
[JsonSerializable(typeof(MessageDeleted))]
[JsonSerializable(typeof(RulesSnapshot))]
internal sealed partial class RoomRulesJsonContext : JsonSerializerContext;
