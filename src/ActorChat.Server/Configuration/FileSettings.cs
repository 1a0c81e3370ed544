namespace ActorChat.Server.Configuration;

/// <summary>
/// File sharing: uploads over HTTP (<c>POST /api/files</c>), attached to messages, downloaded by who can read them.
/// </summary>
/// <param name="MaxUploadBytes">The largest one upload may be; the server stops reading there and answers 413.</param>
/// <param name="QuotaBytes">What one user's uploads may add up to (those not yet deleted).</param>
/// <param name="UnattachedLifetime">An upload no message ever referred to is deleted after this long.</param>
/// <param name="MaxAttachments">Attachments one message may carry.</param>
public sealed record FileSettings(long MaxUploadBytes, long QuotaBytes, TimeSpan UnattachedLifetime, int MaxAttachments = FileSettings.DefaultMaxAttachments)
{
    public const int DefaultMaxAttachments = 10;

    public static readonly FileSettings Default = new(25L << 20, 500L << 20, TimeSpan.FromHours(24));
}
