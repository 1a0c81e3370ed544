using System.Text.Json.Serialization;
using ActorChat.Server.Persistence;
using Akka.Actor;

namespace ActorChat.Server.Accounts;

/// <summary>Stores account and ban events as rooms do (see <see cref="JsonManifestSerializer"/>).</summary>
public sealed class AccountEventSerializer(ExtendedActorSystem system) : JsonManifestSerializer(system, "an account event",
    ("account-registered.v1", AccountEventJsonContext.Default.AccountRegistered),
    ("password-changed.v1", AccountEventJsonContext.Default.PasswordChanged),
    ("accounts-snapshot.v1", AccountEventJsonContext.Default.AccountBookSnapshot),
    ("ban-placed.v1", AccountEventJsonContext.Default.BanPlaced),
    ("ban-lifted.v1", AccountEventJsonContext.Default.BanLifted),
    ("bans-snapshot.v1", AccountEventJsonContext.Default.BanListSnapshot))
{
    public const int SerializerId = 1602;

    public override int Identifier => SerializerId;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AccountRegistered))]
[JsonSerializable(typeof(PasswordChanged))]
[JsonSerializable(typeof(AccountBookSnapshot))]
[JsonSerializable(typeof(BanPlaced))]
[JsonSerializable(typeof(BanLifted))]
[JsonSerializable(typeof(BanListSnapshot))]
internal sealed partial class AccountEventJsonContext : JsonSerializerContext;
