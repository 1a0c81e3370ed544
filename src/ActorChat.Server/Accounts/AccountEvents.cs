namespace ActorChat.Server.Accounts;

/// <summary>
/// What the account book (<c>~accounts</c>) and the ban list (<c>~bans</c>) write to the journal and the snapshot
/// store. Stored data: add fields only with defaults, and give a changed shape a new manifest in
/// <see cref="AccountEventSerializer"/>. Passwords are never in them, only their salted hashes.
/// </summary>
public interface IAccountEvent;

/// <summary>An account was created: <see cref="Key"/> is the lowercase name, <see cref="Name"/> its spelling; salt and hash in base64.</summary>
public sealed record AccountRegistered(string Key, string Name, string Algorithm, int Iterations, string Salt, string Hash) : IAccountEvent
{
    public static AccountRegistered Of(string key, string name, PasswordHash hash) =>
        new(key, name, hash.Algorithm, hash.Iterations, Convert.ToBase64String(hash.Salt), Convert.ToBase64String(hash.Hash));

    public PasswordHash ToHash() => new(Algorithm, Iterations, Convert.FromBase64String(Salt), Convert.FromBase64String(Hash));
}

/// <summary>The account's password was changed; the new salted hash replaces the old one.</summary>
public sealed record PasswordChanged(string Key, string Algorithm, int Iterations, string Salt, string Hash) : IAccountEvent
{
    public static PasswordChanged Of(string key, PasswordHash hash) =>
        new(key, hash.Algorithm, hash.Iterations, Convert.ToBase64String(hash.Salt), Convert.ToBase64String(hash.Hash));

    public PasswordHash ToHash() => new(Algorithm, Iterations, Convert.FromBase64String(Salt), Convert.FromBase64String(Hash));
}

/// <summary>Every account at one point, as registered events with the current hashes.</summary>
public sealed record AccountBookSnapshot(IReadOnlyList<AccountRegistered> Accounts) : IAccountEvent;

/// <summary>
/// A ban was placed on an account (<see cref="Kind"/> <c>account</c>, <see cref="Target"/> the lowercase name) or an
/// address range (<c>address</c>, a CIDR such as 10.0.0.0/8 or 192.0.2.7/32). <see cref="UntilUnixMs"/> null: for good.
/// </summary>
public sealed record BanPlaced(string Kind, string Target, long? UntilUnixMs, string Reason, string By) : IAccountEvent;

public sealed record BanLifted(string Kind, string Target) : IAccountEvent;

/// <summary>The bans in force at one point.</summary>
public sealed record BanListSnapshot(IReadOnlyList<BanPlaced> Bans) : IAccountEvent;
