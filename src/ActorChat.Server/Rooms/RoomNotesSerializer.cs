using System.Text.Json.Serialization;
using ActorChat.Server.Persistence;
using Akka.Actor;

namespace ActorChat.Server.Rooms;

/// <summary>Stores reactions and edits (see <see cref="JsonManifestSerializer"/>), as <see cref="RoomRulesSerializer"/> does for rules.</summary>
public sealed class RoomNotesSerializer(ExtendedActorSystem system) : JsonManifestSerializer(system, "a room notes event",
    ("reaction.v1", RoomNotesJsonContext.Default.ReactionToggled),
    ("edited.v1", RoomNotesJsonContext.Default.MessageEdited),
    ("notes-snapshot.v1", RoomNotesJsonContext.Default.NotesSnapshot))
{
    public const int SerializerId = 1604;

    public override int Identifier => SerializerId;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ReactionToggled))]
[JsonSerializable(typeof(MessageEdited))]
[JsonSerializable(typeof(NotesSnapshot))]
internal sealed partial class RoomNotesJsonContext : JsonSerializerContext;
