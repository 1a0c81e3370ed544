namespace ActorChat.Server.Configuration;

/// <summary>Whether the server has accounts, and whether guests may chat beside them.</summary>
public enum AccountMode
{
    /// <summary>No accounts: any free name, no passwords (register is refused, a password in hello is ignored).</summary>
    Open,

    /// <summary>Registered names need their password; guests may use any name nobody registered (the default).</summary>
    Optional,

    /// <summary>Only accounts: a hello without a password gets auth_required.</summary>
    Required,
}

/// <summary>Accounts, operators, and what guessing passwords costs.</summary>
/// <param name="Operators">Account names that may kill and ban (compared ignoring case); they must sign in with their password.</param>
/// <param name="HashIterations">PBKDF2-HMAC-SHA512 iterations for new hashes; stored hashes keep their own count.</param>
/// <param name="FailedSignInDelay">The answer to the first failed sign-in of a name or address waits this long; each further failure doubles it.</param>
/// <param name="MaxSignInDelay">The most a failed sign-in waits.</param>
/// <param name="ConcurrentHashes">Password hashes computed at once, on the thread pool.</param>
/// <param name="QueuedHashes">Hashes that may wait for one of those; past that, the request gets busy.</param>
/// <param name="MaxAccounts">Accounts the server may have; past that, register gets too_many_accounts.</param>
/// <param name="RegistrationsPerAddress">Registrations one source address may make within <paramref name="RegistrationWindow"/> (0: no limit); addresses exempt from the connection limits are exempt here too.</param>
/// <param name="RegistrationWindow">The window of <paramref name="RegistrationsPerAddress"/>.</param>
public sealed record AccountSettings(
    AccountMode Mode,
    IReadOnlyList<string> Operators,
    int HashIterations = Accounts.PasswordHasher.DefaultIterations,
    TimeSpan? FailedSignInDelay = null,
    TimeSpan? MaxSignInDelay = null,
    int ConcurrentHashes = 2,
    int QueuedHashes = 64,
    int SnapshotEvery = 100,
    int MaxAccounts = AccountSettings.DefaultMaxAccounts,
    int RegistrationsPerAddress = 3,
    TimeSpan? RegistrationWindow = null,
    int MaxUnreadDirect = AccountSettings.DefaultMaxUnreadDirect)
{
    /// <summary>No accounts, as a server without the accounts feature: what sessions get unless told otherwise.</summary>
    public static readonly AccountSettings Open = new(AccountMode.Open, []);

    public const int DefaultMaxAccounts = 100_000;

    /// <summary>Kept direct messages one account may have unread in one conversation; past that, a dm to it is too_many_unread.</summary>
    public const int DefaultMaxUnreadDirect = 1000;

    public TimeSpan RegistrationPeriod => RegistrationWindow ?? TimeSpan.FromMinutes(10);

    public TimeSpan FirstDelay => FailedSignInDelay ?? TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxDelay => MaxSignInDelay ?? TimeSpan.FromSeconds(30);

    public bool IsOperator(string name) => Operators.Any(o => string.Equals(o, name, StringComparison.OrdinalIgnoreCase));
}
