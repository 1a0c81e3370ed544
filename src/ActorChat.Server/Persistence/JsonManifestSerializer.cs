using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using Akka.Serialization;

namespace ActorChat.Server.Persistence;

/// <summary>
/// Stores events and snapshots as compact, source-generated JSON under short, stable manifests, so stored data does
/// not depend on .NET type names and can be read with any SQL tool. A subclass lists its types, each with its
/// manifest; a manifest is stored data and never changes (a changed shape gets a new one).
/// </summary>
public abstract class JsonManifestSerializer : SerializerWithStringManifest
{
    private readonly string _what;
    private readonly Dictionary<Type, (string Manifest, JsonTypeInfo Json)> _byType = [];
    private readonly Dictionary<string, JsonTypeInfo> _byManifest = new(StringComparer.Ordinal);

    /// <param name="what">What the types are, for errors ("a room event").</param>
    protected JsonManifestSerializer(ExtendedActorSystem system, string what, params (string Manifest, JsonTypeInfo Json)[] types)
        : base(system)
    {
        _what = what;
        foreach (var (manifest, json) in types)
        {
            _byType.Add(json.Type, (manifest, json));
            _byManifest.Add(manifest, json);
        }
    }

    public override string Manifest(object o) =>
        _byType.TryGetValue(o.GetType(), out var entry) ? entry.Manifest : throw new ArgumentException($"{o.GetType()} is not {_what}.", nameof(o));

    public override byte[] ToBinary(object obj) =>
        _byType.TryGetValue(obj.GetType(), out var entry)
            ? JsonSerializer.SerializeToUtf8Bytes(obj, entry.Json)
            : throw new ArgumentException($"{obj.GetType()} is not {_what}.", nameof(obj));

    public override object FromBinary(byte[] bytes, string manifest) =>
        _byManifest.TryGetValue(manifest, out var json)
            ? JsonSerializer.Deserialize(bytes, json)!
            : throw new SerializationException($"Unknown manifest '{manifest}' for {_what}.");
}
