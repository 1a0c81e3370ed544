using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace ActorChat.Server.Accounts;

/// <summary>Stores account and ban events as compact JSON with short, stable manifests, as rooms do.</summary>
public sealed class AccountEventSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 1602;

    private const string RegisteredManifest = "account-registered.v1";
    private const string PasswordManifest = "password-changed.v1";
    private const string AccountsSnapshotManifest = "accounts-snapshot.v1";
    private const string BanPlacedManifest = "ban-placed.v1";
    private const string BanLiftedManifest = "ban-lifted.v1";
    private const string BansSnapshotManifest = "bans-snapshot.v1";

    private static AccountEventJsonContext Json => AccountEventJsonContext.Default;

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        AccountRegistered => RegisteredManifest,
        PasswordChanged => PasswordManifest,
        AccountBookSnapshot => AccountsSnapshotManifest,
        BanPlaced => BanPlacedManifest,
        BanLifted => BanLiftedManifest,
        BanListSnapshot => BansSnapshotManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not an account event.", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        AccountRegistered e => JsonSerializer.SerializeToUtf8Bytes(e, Json.AccountRegistered),
        PasswordChanged e => JsonSerializer.SerializeToUtf8Bytes(e, Json.PasswordChanged),
        AccountBookSnapshot e => JsonSerializer.SerializeToUtf8Bytes(e, Json.AccountBookSnapshot),
        BanPlaced e => JsonSerializer.SerializeToUtf8Bytes(e, Json.BanPlaced),
        BanLifted e => JsonSerializer.SerializeToUtf8Bytes(e, Json.BanLifted),
        BanListSnapshot e => JsonSerializer.SerializeToUtf8Bytes(e, Json.BanListSnapshot),
        _ => throw new ArgumentException($"{obj.GetType()} is not an account event.", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        RegisteredManifest => JsonSerializer.Deserialize(bytes, Json.AccountRegistered)!,
        PasswordManifest => JsonSerializer.Deserialize(bytes, Json.PasswordChanged)!,
        AccountsSnapshotManifest => JsonSerializer.Deserialize(bytes, Json.AccountBookSnapshot)!,
        BanPlacedManifest => JsonSerializer.Deserialize(bytes, Json.BanPlaced)!,
        BanLiftedManifest => JsonSerializer.Deserialize(bytes, Json.BanLifted)!,
        BansSnapshotManifest => JsonSerializer.Deserialize(bytes, Json.BanListSnapshot)!,
        _ => throw new SerializationException($"Unknown account event manifest '{manifest}'."),
    };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AccountRegistered))]
[JsonSerializable(typeof(PasswordChanged))]
[JsonSerializable(typeof(AccountBookSnapshot))]
[JsonSerializable(typeof(BanPlaced))]
[JsonSerializable(typeof(BanLifted))]
[JsonSerializable(typeof(BanListSnapshot))]
internal sealed partial class AccountEventJsonContext : JsonSerializerContext;
