using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ActorChat.Server.Transport.Web;

/// <summary>
/// The chat page's session cookie. After signing in with a password over the WebSocket the page gets a token in
/// its welcome (or registered) frame and trades it here, once, for an HttpOnly, SameSite=Strict cookie that page
/// script cannot read; later WebSocket upgrades carry the cookie. <c>GET /api/session</c> names the account the
/// cookie stands for; <c>POST /api/session/delete</c> revokes the token and clears the cookie.
/// </summary>
public static class WebSessionEndpoints
{
    private const int MaxBodyBytes = 1024;

    public static void Map(IEndpointRouteBuilder app, OriginPolicy origins, WebSessionTokens tokens)
    {
        app.MapGet("/api/session", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            var name = tokens.SignedIn(context.Request);
            return Results.Json(new SessionName(name), WebSessionJsonContext.Default.SessionName);
        });
        app.MapPost("/api/session", context => SetCookieAsync(context, origins, tokens));
        app.MapPost("/api/session/delete", context => DeleteAsync(context, origins, tokens));
    }

    /// <summary>The cookie only comes from the page's own origin (or an allowed one): another site cannot plant one.</summary>
    private static bool FromAllowedOrigin(HttpContext context, OriginPolicy origins) => origins.Allows(context.Request);

    private static async Task SetCookieAsync(HttpContext context, OriginPolicy origins, WebSessionTokens tokens)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!FromAllowedOrigin(context, origins))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        var token = await ReadTokenAsync(context.Request);
        if (token is null || tokens.Resolve(token) is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("Send {\"token\":\"…\"} with a live session token from a welcome or registered frame.\n");
            return;
        }
        context.Response.Cookies.Append(WebSessionTokens.CookieName, token, CookieOptions(context, tokens.Lifetime));
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static Task DeleteAsync(HttpContext context, OriginPolicy origins, WebSessionTokens tokens)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!FromAllowedOrigin(context, origins))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }
        tokens.Revoke(context.Request.Cookies[WebSessionTokens.CookieName]);
        context.Response.Cookies.Delete(WebSessionTokens.CookieName, CookieOptions(context, lifetime: null));
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static CookieOptions CookieOptions(HttpContext context, TimeSpan? lifetime) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        Secure = context.Request.IsHttps,
        MaxAge = lifetime,
        IsEssential = true,
    };

    private static async Task<string?> ReadTokenAsync(HttpRequest request)
    {
        if (request.ContentLength is > MaxBodyBytes) return null;
        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), request.HttpContext.RequestAborted)) > 0)
            length += read;
        if (length > MaxBodyBytes) return null;
        try
        {
            using var json = JsonDocument.Parse(buffer.AsMemory(0, length));
            return json.RootElement.ValueKind == JsonValueKind.Object
                   && json.RootElement.TryGetProperty("token", out var token) && token.ValueKind == JsonValueKind.String
                ? token.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What <c>GET /api/session</c> answers: the signed-in account's name, or null.</summary>
public sealed record SessionName(string? Name);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(SessionName))]
internal sealed partial class WebSessionJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
