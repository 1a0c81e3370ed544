using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace ActorChat.Server.Rooms;

/// <summary>
/// Stores room events and snapshots as compact JSON with a short, stable manifest, so stored data does not
/// depend on .NET type names and can be read with any SQL tool.
/// </summary>
public sealed class RoomEventSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 1601;

    private const string PostedManifest = "posted.v1";
    private const string SnapshotManifest = "room-snapshot.v1";
    private const string CreatedManifest = "room-created.v1";
    private const string PrivacyManifest = "room-privacy.v1";

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        MessagePosted => PostedManifest,
        RoomSnapshot => SnapshotManifest,
        RoomCreated => CreatedManifest,
        RoomPrivacySet => PrivacyManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not a room event.", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        MessagePosted posted => JsonSerializer.SerializeToUtf8Bytes(posted, RoomEventJsonContext.Default.MessagePosted),
        RoomSnapshot snapshot => JsonSerializer.SerializeToUtf8Bytes(snapshot, RoomEventJsonContext.Default.RoomSnapshot),
        RoomCreated created => JsonSerializer.SerializeToUtf8Bytes(created, RoomEventJsonContext.Default.RoomCreated),
        RoomPrivacySet privacy => JsonSerializer.SerializeToUtf8Bytes(privacy, RoomEventJsonContext.Default.RoomPrivacySet),
        _ => throw new ArgumentException($"{obj.GetType()} is not a room event.", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        PostedManifest => JsonSerializer.Deserialize(bytes, RoomEventJsonContext.Default.MessagePosted)!,
        SnapshotManifest => JsonSerializer.Deserialize(bytes, RoomEventJsonContext.Default.RoomSnapshot)!,
        CreatedManifest => JsonSerializer.Deserialize(bytes, RoomEventJsonContext.Default.RoomCreated)!,
        PrivacyManifest => JsonSerializer.Deserialize(bytes, RoomEventJsonContext.Default.RoomPrivacySet)!,
        _ => throw new SerializationException($"Unknown room event manifest '{manifest}'."),
    };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MessagePosted))]
[JsonSerializable(typeof(RoomSnapshot))]
[JsonSerializable(typeof(RoomCreated))]
[JsonSerializable(typeof(RoomPrivacySet))]
internal sealed partial class RoomEventJsonContext : JsonSerializerContext;
