using Microsoft.AspNetCore.Http;

namespace ActorChat.Server.Transport.Web;

/// <summary>
/// Which web pages may open the chat WebSocket. Browsers let any page open a WebSocket to any server and send
/// the page's origin along; without this check a page on another site could chat in the name of whoever
/// visits it (cross-site WebSocket hijacking). Allowed: the origin the chat page itself was served on (the
/// request's scheme and Host header), the origins configured as allowed, and requests with no Origin at all,
/// which come from programs rather than browsers (a browser always sends one on a WebSocket upgrade).
/// </summary>
public sealed class OriginPolicy
{
    private readonly HashSet<string> _allowed;
    private readonly Func<string, bool>? _alsoAllowed;

    /// <param name="allowedOrigins">Origins such as "https://chat.example.org" that may connect besides the server's own.</param>
    /// <param name="alsoAllowed">Asked of a normalized origin not otherwise allowed (in cluster mode: the other nodes' web chats).</param>
    public OriginPolicy(IEnumerable<string> allowedOrigins, Func<string, bool>? alsoAllowed = null)
    {
        _alsoAllowed = alsoAllowed;
        _allowed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var origin in allowedOrigins)
            _allowed.Add(Normalize(origin) ?? throw new ArgumentException($"'{origin}' is not an origin such as https://chat.example.org."));
    }

    /// <summary>
    /// True when a WebSocket upgrade with this Origin header may go ahead on a request that came in with this
    /// scheme ("http", "https") and Host header.
    /// </summary>
    public bool Allows(string? origin, string requestScheme, string? requestHost)
    {
        if (origin is null) return true;
        var normalized = Normalize(origin);
        if (normalized is null) return false; // "null" (sandboxed frames, files) and anything malformed
        if (_allowed.Contains(normalized) || _alsoAllowed?.Invoke(normalized) == true) return true;
        return !string.IsNullOrEmpty(requestHost) && normalized == Normalize($"{requestScheme}://{requestHost}");
    }

    /// <summary>
    /// True when the request's Origin header (at most one) may go ahead on it: the WebSocket upgrade, and every
    /// POST that signs in, signs out or acts as an operator, which another site's page must not be able to send.
    /// </summary>
    public bool Allows(HttpRequest request)
    {
        var origin = request.Headers.Origin;
        return origin.Count <= 1 && Allows(origin.Count == 1 ? origin[0] : null, request.Scheme, request.Host.Value);
    }

    /// <summary>
    /// An origin as "scheme://host:port", lower case with the port always written out, so that
    /// "HTTP://Example.org" and "http://example.org:80" compare equal; null when it is not an http(s) origin
    /// (a path, query, user name or anything else beyond scheme, host and port is not an origin; a bare
    /// trailing "/" is forgiven).
    /// </summary>
    public static string? Normalize(string origin)
    {
        if (!Uri.TryCreate(origin.Trim(), UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme is not ("http" or "https")) return null;
        if (uri.PathAndQuery != "/" || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0) return null;
        return $"{uri.Scheme}://{uri.IdnHost.ToLowerInvariant()}:{uri.Port}";
    }
}
