using System.Security.Cryptography;

namespace ActorChat.Server.Transport.Web;

/// <summary>
/// The web page's sign-in sessions: random tokens kept only here, each standing for one account until it expires
/// or is revoked. The page holds its token in an HttpOnly cookie, so a reload stays signed in without the password
/// being kept anywhere. Kept in memory: a server restart signs every page out. Thread-safe: the HTTP endpoints and
/// the connection actors use it at once.
/// </summary>
public sealed class WebSessionTokens
{
    /// <summary>The cookie that carries a token.</summary>
    public const string CookieName = "actorchat_session";

    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(7);
    public const int DefaultCapacity = 10_000;

    private readonly Dictionary<string, (string Account, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);
    private readonly TimeSpan _lifetime;
    private readonly int _capacity;
    private readonly TimeProvider _clock;

    public WebSessionTokens(TimeSpan? lifetime = null, int capacity = DefaultCapacity, TimeProvider? clock = null)
    {
        _lifetime = lifetime ?? DefaultLifetime;
        _capacity = capacity;
        _clock = clock ?? TimeProvider.System;
    }

    public TimeSpan Lifetime => _lifetime;

    public int Count
    {
        get { lock (_tokens) return _tokens.Count; }
    }

    /// <summary>A new token (32 random bytes, base64url) for the account. When full, the one expiring first goes.</summary>
    public string Issue(string account)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = _clock.GetUtcNow();
        lock (_tokens)
        {
            if (_tokens.Count >= _capacity) RemoveExpired(now);
            if (_tokens.Count >= _capacity) _tokens.Remove(_tokens.MinBy(entry => entry.Value.Expires).Key);
            _tokens[token] = (account, now + _lifetime);
        }
        return token;
    }

    /// <summary>The account the request's session cookie stands for, or null (none, unknown, revoked or expired).</summary>
    public string? SignedIn(Microsoft.AspNetCore.Http.HttpRequest request) => Resolve(request.Cookies[CookieName]);

    /// <summary>The account a live token stands for, or null (unknown, revoked or expired).</summary>
    public string? Resolve(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return null;
        lock (_tokens)
        {
            if (!_tokens.TryGetValue(token, out var entry)) return null;
            if (entry.Expires > _clock.GetUtcNow()) return entry.Account;
            _tokens.Remove(token);
            return null;
        }
    }

    /// <summary>Forgets the token: it signs nobody in any more. True when it was live.</summary>
    public bool Revoke(string? token)
    {
        if (string.IsNullOrEmpty(token)) return false;
        lock (_tokens) return _tokens.Remove(token);
    }

    /// <summary>
    /// Forgets every token of the account (names compared ignoring case): after a password change, a kill or a ban,
    /// no page stays signed in as it. Returns how many were live.
    /// </summary>
    public int RevokeAccount(string account)
    {
        lock (_tokens)
        {
            var tokens = _tokens.Where(entry => string.Equals(entry.Value.Account, account, StringComparison.OrdinalIgnoreCase))
                .Select(entry => entry.Key).ToList();
            foreach (var token in tokens) _tokens.Remove(token);
            return tokens.Count;
        }
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        foreach (var expired in _tokens.Where(entry => entry.Value.Expires <= now).Select(entry => entry.Key).ToList())
            _tokens.Remove(expired);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
