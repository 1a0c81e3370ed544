using System.Text.Json.Serialization;
using ActorChat.Messages;
using ActorChat.Server.Files;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace ActorChat.Server.Transport.Web;

/// <summary>
/// File sharing over HTTP. <c>POST /api/files?name=FILE</c> takes the file as the raw body, or as the first file
/// of a multipart/form-data body; <c>GET /api/files/{id}/{name}</c> serves it to whoever may read a message that
/// carries it (and its uploader), to anyone else 404 as if it did not exist. Both answer to the page's session
/// cookie (from the page's own origin or an allowed one only), to <c>Authorization: Bearer TOKEN</c> with a token
/// from an uploadToken frame, and (downloads only, for <c>&lt;img&gt;</c>) to <c>?token=TOKEN</c>.
/// </summary>
public static class FileEndpoints
{
    // A sandboxed document with nothing allowed: an uploaded HTML or SVG page opened here runs no script and
    // loads nothing, and being sandboxed it has an opaque origin, never the chat's.
    private const string DownloadPolicy = "sandbox; default-src 'none'";

    public static void Map(WebApplication app, OriginPolicy origins, WebSessionTokens sessions, FileStore files)
    {
        app.MapPost("/api/files", context => UploadAsync(context, origins, sessions, files));
        app.MapGet("/api/files/{id}/{name}", (HttpContext context, string id) => Download(context, id, origins, sessions, files));
    }

    /// <summary>
    /// Who the request stands for: a bearer token first, then (downloads) a token in the query, then the cookie,
    /// which counts only on a request from an allowed origin (a page elsewhere cannot upload in a visitor's name).
    /// </summary>
    private static string? UserOf(HttpContext context, OriginPolicy origins, WebSessionTokens sessions, FileStore files, bool queryToken)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return files.UploadTokens.Resolve(authorization["Bearer ".Length..].Trim());
        if (queryToken && context.Request.Query["token"] is { Count: 1 } token) return files.UploadTokens.Resolve(token[0]);
        var origin = context.Request.Headers.Origin;
        if (origin.Count > 1 || !origins.Allows(origin.Count == 1 ? origin[0] : null, context.Request.Scheme, context.Request.Host.Value))
            return null;
        return sessions.Resolve(context.Request.Cookies[WebSessionTokens.CookieName]);
    }

    private static async Task UploadAsync(HttpContext context, OriginPolicy origins, WebSessionTokens sessions, FileStore files)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (UserOf(context, origins, sessions, files, queryToken: false) is not { } user)
        {
            await ErrorAsync(context, StatusCodes.Status401Unauthorized, "unauthorized",
                "Sign in on the chat page, or send Authorization: Bearer TOKEN with a token from an uploadToken frame.");
            return;
        }
        var limit = files.Settings.MaxUploadBytes;
        var request = context.Request;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            bodySize.MaxRequestBodySize = null; // the store stops reading at the limit itself, Content-Length or not
        var multipart = MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
                        && contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
        if (!multipart && request.ContentLength > limit)
        {
            await TooLargeAsync(context, UploadResult.TooLarge(limit));
            return;
        }
        string? name = request.Query["name"];
        Stream body = request.Body;
        if (multipart)
        {
            var boundary = HeaderUtilities.RemoveQuotes(contentType!.Boundary).Value;
            if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
            {
                await ErrorAsync(context, StatusCodes.Status400BadRequest, "bad_request", "A multipart body needs a boundary.");
                return;
            }
            var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024 };
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(context.RequestAborted)) is not null)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.IsFileDisposition())
                    break;
            }
            if (section is null)
            {
                await ErrorAsync(context, StatusCodes.Status400BadRequest, "bad_request", "The multipart body holds no file.");
                return;
            }
            ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var file);
            name ??= HeaderUtilities.RemoveQuotes(file!.FileNameStar.HasValue ? file.FileNameStar : file.FileName).Value;
            body = section.Body;
        }
        UploadResult result;
        try
        {
            result = await files.SaveAsync(user, name, body, context.RequestAborted);
        }
        catch (BadHttpRequestException)
        {
            return; // the client broke off or sent a malformed body; nobody is left to answer
        }
        catch (IOException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        if (result.File is not { } stored)
        {
            await TooLargeAsync(context, result);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status201Created;
        await context.Response.WriteAsJsonAsync(stored, FileJsonContext.Default.FileAttachment);
    }

    private static Task TooLargeAsync(HttpContext context, UploadResult result)
    {
        // Past the limit nothing more is read; the connection closes after the answer rather than reading the rest.
        context.Response.Headers.Connection = "close";
        var message = result.Problem == UploadResult.QuotaProblem
            ? $"Your uploads would come to more than your quota of {Bytes(result.Limit)} (--upload-quota); delete messages with files to make room."
            : $"A file may be at most {Bytes(result.Limit)} (--max-upload).";
        return ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, result.Problem!, message, result.Limit);
    }

    private static IResult Download(HttpContext context, string id, OriginPolicy origins, WebSessionTokens sessions, FileStore files)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = DownloadPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "private, no-cache";
        if (UserOf(context, origins, sessions, files, queryToken: true) is not { } user || files.Readable(id, user) is not { } found)
            return Results.NotFound();
        var (file, path) = found;
        var type = file.Type == FileSniffer.PlainText ? "text/plain; charset=utf-8" : file.Type;
        var disposition = new ContentDispositionHeaderValue(FileSniffer.IsImage(file.Type) ? "inline" : "attachment");
        disposition.SetHttpFileName(file.Name);
        headers.ContentDisposition = disposition.ToString();
        return Results.File(path, type, enableRangeProcessing: true);
    }

    private static Task ErrorAsync(HttpContext context, int status, string error, string message, long? limit = null)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new FileError(error, message, limit), FileJsonContext.Default.FileError);
    }

    private static string Bytes(long bytes) =>
        bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : bytes % 1024 == 0 ? $"{bytes >> 10} KiB" : $"{bytes} bytes";
}

/// <summary>A refused upload: <see cref="Error"/> is unauthorized, too_large, quota_exceeded or bad_request; <see cref="Limit"/> the limit in bytes.</summary>
public sealed record FileError(string Error, string Message, long? Limit = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FileAttachment))]
[JsonSerializable(typeof(FileError))]
internal sealed partial class FileJsonContext : JsonSerializerContext;
