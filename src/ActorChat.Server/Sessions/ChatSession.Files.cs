using ActorChat.Messages;

namespace ActorChat.Server.Sessions;

/// <summary>File sharing on the session's side: upload tokens, and the attachments of say and dm.</summary>
public sealed partial class ChatSession
{
    /// <summary>A token for <c>Authorization: Bearer</c> on <c>POST /api/files</c>, standing for this user.</summary>
    private void OnUploadToken(ClientFrame frame)
    {
        if (_services.Files is not { } files)
        {
            Reply(frame, new ErrorFrame(ErrorCodes.UnknownType, "This server shares no files (its web port is off)."));
            return;
        }
        Reply(frame, new UploadTokenFrame(files.UploadTokens.Issue(UserName!), files.UploadUrl));
    }

    /// <summary>At most <c>files.max-attachments</c> ids, each of a file this user uploaded; anything else is no_such_file.</summary>
    private ErrorFrame? AttachmentProblem(IReadOnlyList<string>? ids)
    {
        if (ids is not { Count: > 0 }) return null;
        if (_services.Files is not { } files)
            return new ErrorFrame(ErrorCodes.NoSuchFile, "This server shares no files.");
        if (ids.Count > files.Settings.MaxAttachments)
            return new ErrorFrame(ErrorCodes.BadRequest, $"A message carries at most {files.Settings.MaxAttachments} files.");
        return files.Attachable(UserName!, ids) is null
            ? new ErrorFrame(ErrorCodes.NoSuchFile, "An attachment is no file you uploaded: upload it first (POST /api/files) and send its id.")
            : null;
    }

    /// <summary>The attachments of ids <see cref="AttachmentProblem"/> let through.</summary>
    private IReadOnlyList<FileAttachment>? AttachmentsOf(IReadOnlyList<string>? ids) =>
        ids is { Count: > 0 } && _services.Files is { } files ? files.Attachable(UserName!, ids) : null;
}
