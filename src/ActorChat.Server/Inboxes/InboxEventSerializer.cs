using System.Text.Json.Serialization;
using ActorChat.Server.Persistence;
using Akka.Actor;

namespace ActorChat.Server.Inboxes;

/// <summary>Stores mentions and read markers (see <see cref="JsonManifestSerializer"/>).</summary>
public sealed class InboxEventSerializer(ExtendedActorSystem system) : JsonManifestSerializer(system, "an inbox event",
    ("mention.v1", InboxJsonContext.Default.MentionStored),
    ("read.v1", InboxJsonContext.Default.ReadMarked),
    ("dm-touched.v1", InboxJsonContext.Default.DirectTouched),
    ("inbox-snapshot.v1", InboxJsonContext.Default.InboxSnapshot))
{
    public const int SerializerId = 1605;

    public override int Identifier => SerializerId;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MentionStored))]
[JsonSerializable(typeof(ReadMarked))]
[JsonSerializable(typeof(DirectTouched))]
[JsonSerializable(typeof(InboxSnapshot))]
internal sealed partial class InboxJsonContext : JsonSerializerContext;
