using System.Security.Cryptography;
using System.Text;

namespace ActorChat.Server.Accounts;

/// <summary>
/// A stored password: the algorithm and its iteration count travel with the salt and the hash, so the count can be
/// raised later without making the stored ones unreadable.
/// </summary>
public sealed record PasswordHash(string Algorithm, int Iterations, byte[] Salt, byte[] Hash)
{
    // Hash bytes are not for logs.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Algorithm = {Algorithm}, Iterations = {Iterations}");
        return true;
    }
}

/// <summary>
/// Salted slow hashes of passwords: PBKDF2-HMAC-SHA512 with a random 16-byte salt, compared in constant time.
/// Slow on purpose (about a tenth of a second): callers run it on the thread pool, never on an actor's thread.
/// </summary>
public sealed class PasswordHasher(int iterations = PasswordHasher.DefaultIterations)
{
    public const string Pbkdf2Sha512 = "pbkdf2-sha512";

    /// <summary>OWASP's figure for PBKDF2-HMAC-SHA512 (2023).</summary>
    public const int DefaultIterations = 210_000;

    public const int MinLength = 8;

    /// <summary>Bounds the work one hash costs (PBKDF2 hashes a long password first, but reading it is not free either).</summary>
    public const int MaxLength = 1024;

    private const int SaltBytes = 16;
    private const int HashBytes = 64;

    /// <summary>A hash no password matches, checked against when a name has no account, so both cost the same.</summary>
    private static readonly Lazy<PasswordHash> Dummy = new(() => new PasswordHasher().Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))));

    public int Iterations { get; } = iterations > 0 ? iterations : throw new ArgumentOutOfRangeException(nameof(iterations));

    /// <summary>Why <paramref name="password"/> cannot be a password, or null when it can.</summary>
    public static string? Weakness(string password)
    {
        var length = password.EnumerateRunes().Count();
        if (length < MinLength) return $"A password is at least {MinLength} characters.";
        if (length > MaxLength) return $"A password is at most {MaxLength} characters.";
        return null;
    }

    public PasswordHash Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new PasswordHash(Pbkdf2Sha512, Iterations, salt, Derive(password, salt, Iterations, HashBytes));
    }

    /// <summary>Whether <paramref name="password"/> matches; the comparison takes the same time wherever the bytes differ.</summary>
    public static bool Verify(string password, PasswordHash stored)
    {
        if (stored.Algorithm != Pbkdf2Sha512 || stored.Iterations <= 0 || stored.Hash.Length == 0) return false;
        var computed = Derive(password, stored.Salt, stored.Iterations, stored.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(computed, stored.Hash);
    }

    /// <summary>Costs what a real check costs and fails: for names without an account.</summary>
    public static bool VerifyNothing(string password)
    {
        Verify(password, Dummy.Value);
        return false;
    }

    private static byte[] Derive(string password, byte[] salt, int iterations, int length) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, length);
}
