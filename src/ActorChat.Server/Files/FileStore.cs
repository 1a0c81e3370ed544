using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActorChat.Messages;
using ActorChat.Server.Configuration;

namespace ActorChat.Server.Files;

/// <summary>
/// The uploaded files. Bytes are content-addressed by SHA-256 under <c>files/ab/abcdef…</c>, one copy however often
/// they are uploaded; each upload is a record of its own (random id, owner, name, size, sniffed type, created, the
/// messages that refer to it), all kept in <c>files/index.json</c>, rewritten whole on each change. Thread-safe: the
/// HTTP endpoints, sessions and the <see cref="FileKeeper"/> use it at once.
/// </summary>
public sealed class FileStore : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private const string IndexFile = "index.json";

    private readonly string _directory;
    private readonly bool _temporary;
    private readonly FileSettings _settings;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, FileRecord> _files = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <param name="directory">Where the files live; created if missing.</param>
    /// <param name="temporary">Delete the directory when the store is disposed (the in-memory server).</param>
    public FileStore(string directory, FileSettings settings, bool temporary = false, TimeProvider? clock = null)
    {
        _directory = Path.GetFullPath(directory);
        _temporary = temporary;
        _settings = settings;
        _clock = clock ?? TimeProvider.System;
        Directory.CreateDirectory(Path.Combine(_directory, "tmp"));
        foreach (var stale in Directory.EnumerateFiles(Path.Combine(_directory, "tmp"))) File.Delete(stale); // uploads cut by a stop
        var index = Path.Combine(_directory, IndexFile);
        if (File.Exists(index))
        {
            foreach (var record in JsonSerializer.Deserialize(File.ReadAllBytes(index), FileStoreJsonContext.Default.ListFileRecord) ?? [])
                _files[record.Id] = record;
        }
    }

    /// <summary>A store in a new temporary directory, deleted again when disposed.</summary>
    public static FileStore Temporary(FileSettings settings) =>
        new(Path.Combine(Path.GetTempPath(), "actorchat-files-" + Guid.NewGuid().ToString("N")), settings, temporary: true);

    public FileSettings Settings => _settings;

    /// <summary>The tokens TCP clients get from an uploadToken frame, for <c>Authorization: Bearer</c>.</summary>
    public Transport.Web.WebSessionTokens UploadTokens { get; } = new(TimeSpan.FromHours(12));

    /// <summary>Where clients POST their files (<c>http://host:port/api/files</c>), once the web port is bound; null without one.</summary>
    public string? UploadUrl { get; set; }

    public int Count
    {
        get { lock (_lock) return _files.Count; }
    }

    /// <summary>How many bytes the user's uploads (not yet deleted) add up to.</summary>
    public long UsedBy(string owner)
    {
        var key = Protocol.Key(owner);
        lock (_lock) return _files.Values.Where(f => f.Owner == key).Sum(f => f.Size);
    }

    /// <summary>
    /// Reads the upload to its end or to the limit (the smaller of --max-upload and what is left of the user's quota),
    /// into a temporary file while hashing; never more than one buffer in memory.
    /// </summary>
    public async Task<UploadResult> SaveAsync(string owner, string? name, Stream body, CancellationToken cancel)
    {
        var left = _settings.QuotaBytes - UsedBy(owner);
        var limit = Math.Min(_settings.MaxUploadBytes, Math.Max(0, left));
        var temp = Path.Combine(_directory, "tmp", Guid.NewGuid().ToString("N"));
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var prefix = new byte[FileSniffer.PrefixLength];
            var prefixLength = 0;
            long size = 0;
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await body.ReadAsync(buffer, cancel)) > 0)
                {
                    size += read;
                    if (size > limit) return Refused(size, left);
                    if (prefixLength < prefix.Length)
                    {
                        var take = Math.Min(read, prefix.Length - prefixLength);
                        buffer.AsSpan(0, take).CopyTo(prefix.AsSpan(prefixLength));
                        prefixLength += take;
                    }
                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancel);
                }
            }
            var digest = Convert.ToHexStringLower(hash.GetHashAndReset());
            var record = new FileRecord(Guid.NewGuid().ToString("N"), Protocol.Key(owner), FileNames.Sanitize(name), size,
                FileSniffer.Sniff(prefix.AsSpan(0, prefixLength)), digest, _clock.GetUtcNow());
            lock (_lock)
            {
                // Uploads side by side may each have fitted alone; the quota holds for what is kept.
                if (_files.Values.Where(f => f.Owner == record.Owner).Sum(f => f.Size) + size > _settings.QuotaBytes)
                    return UploadResult.OverQuota(_settings.QuotaBytes);
                var blob = BlobPath(digest);
                if (File.Exists(blob))
                    File.Delete(temp);
                else
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
                    File.Move(temp, blob);
                }
                _files[record.Id] = record;
                SaveIndex();
            }
            return new UploadResult(record.Attachment, null, 0);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private UploadResult Refused(long size, long quotaLeft) =>
        size > _settings.MaxUploadBytes || quotaLeft >= _settings.MaxUploadBytes
            ? UploadResult.TooLarge(_settings.MaxUploadBytes)
            : UploadResult.OverQuota(_settings.QuotaBytes);

    /// <summary>The attachments for these ids when every one is a file the owner uploaded; null otherwise (no_such_file).</summary>
    public IReadOnlyList<FileAttachment>? Attachable(string owner, IReadOnlyList<string> ids)
    {
        var key = Protocol.Key(owner);
        var found = new List<FileAttachment>(ids.Count);
        lock (_lock)
        {
            foreach (var id in ids)
            {
                if (id is null || !_files.TryGetValue(id, out var record) || record.Owner != key) return null;
                found.Add(record.Attachment);
            }
        }
        return found;
    }

    /// <summary>A stored message refers to the files; <paramref name="readers"/> null means anyone signed in may read it (a public room).</summary>
    public void Attach(string conversation, string messageId, IReadOnlyList<string> ids, IReadOnlyList<string>? readers)
    {
        var reference = new FileReference(conversation, messageId, readers?.Select(Protocol.Key).Distinct().ToArray());
        lock (_lock)
        {
            foreach (var id in ids)
            {
                if (_files.TryGetValue(id, out var record) && !record.References.Contains(reference))
                    _files[id] = record with { References = [.. record.References, reference], Attached = true };
            }
            SaveIndex();
        }
    }

    /// <summary>A message is gone (deleted): its references go, and a file nothing refers to any more is deleted.</summary>
    public void Detach(string conversation, string messageId) =>
        RemoveReferences(r => r.Conversation == conversation && r.MessageId == messageId);

    /// <summary>A room is gone (dropped): every reference of its messages goes.</summary>
    public void DetachConversation(string conversation) => RemoveReferences(r => r.Conversation == conversation);

    /// <summary>Deletes the uploads no message ever referred to that are older than the unattached lifetime; returns how many.</summary>
    public int SweepUnattached()
    {
        var cutoff = _clock.GetUtcNow() - _settings.UnattachedLifetime;
        lock (_lock)
        {
            var stale = _files.Values.Where(f => !f.Attached && f.Created <= cutoff).ToList();
            foreach (var record in stale) Remove(record);
            if (stale.Count > 0) SaveIndex();
            return stale.Count;
        }
    }

    /// <summary>
    /// The file and where its bytes are, when <paramref name="user"/> may read it: its uploader, anyone signed in for a
    /// file in a public room, a reader of the private room or direct message it was posted in. Null otherwise.
    /// </summary>
    public (FileAttachment File, string Path)? Readable(string id, string user)
    {
        var key = Protocol.Key(user);
        lock (_lock)
        {
            if (!_files.TryGetValue(id, out var record)) return null;
            var allowed = record.Owner == key || record.References.Any(r => r.Readers is null || r.Readers.Contains(key));
            return allowed ? (record.Attachment, BlobPath(record.Hash)) : null;
        }
    }

    /// <summary>Whether the bytes of this content hash are stored (tests look behind the store with it).</summary>
    public bool HasBlob(string id)
    {
        lock (_lock) return _files.TryGetValue(id, out var record) && File.Exists(BlobPath(record.Hash));
    }

    /// <summary>Where the bytes of an upload are, whoever asks (tests).</summary>
    public string? BlobPathOf(string id)
    {
        lock (_lock) return _files.TryGetValue(id, out var record) ? BlobPath(record.Hash) : null;
    }

    private void RemoveReferences(Func<FileReference, bool> gone)
    {
        lock (_lock)
        {
            var changed = false;
            foreach (var record in _files.Values.Where(f => f.References.Any(gone)).ToList())
            {
                changed = true;
                var left = record.References.Where(r => !gone(r)).ToArray();
                if (left.Length == 0) Remove(record);
                else _files[record.Id] = record with { References = left };
            }
            if (changed) SaveIndex();
        }
    }

    /// <summary>Forgets the upload, and deletes its bytes when no other upload has the same content.</summary>
    private void Remove(FileRecord record)
    {
        _files.Remove(record.Id);
        if (_files.Values.Any(f => f.Hash == record.Hash)) return;
        var blob = BlobPath(record.Hash);
        if (File.Exists(blob)) File.Delete(blob);
    }

    private string BlobPath(string hash) => Path.Combine(_directory, hash[..2], hash);

    /// <summary>Written beside and moved over the old one, so a crash leaves the old index or the new, never half of one.</summary>
    private void SaveIndex()
    {
        var path = Path.Combine(_directory, IndexFile);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(_files.Values.ToList(), FileStoreJsonContext.Default.ListFileRecord));
        File.Move(temp, path, overwrite: true);
    }

    public void Dispose()
    {
        if (!_temporary) return;
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A download still open; the temp directory is the system's to clean then.
        }
    }
}

/// <summary>What an upload came to: the file, or why it was refused (<see cref="Limit"/> names the limit in bytes).</summary>
public sealed record UploadResult(FileAttachment? File, string? Problem, long Limit)
{
    public const string TooLargeProblem = "too_large";
    public const string QuotaProblem = "quota_exceeded";

    public static UploadResult TooLarge(long limit) => new(null, TooLargeProblem, limit);
    public static UploadResult OverQuota(long quota) => new(null, QuotaProblem, quota);
}

/// <summary>One upload as the index keeps it. <see cref="Attached"/>: some message referred to it once.</summary>
public sealed record FileRecord(string Id, string Owner, string Name, long Size, string Type, string Hash, DateTimeOffset Created)
{
    public IReadOnlyList<FileReference> References { get; init; } = [];

    public bool Attached { get; init; }

    [JsonIgnore]
    public FileAttachment Attachment => new(Id, Name, Size, Type);
}

/// <summary>A message that carries a file. <see cref="Readers"/>: name keys that may read it, or null for anyone signed in.</summary>
public sealed record FileReference(string Conversation, string MessageId, IReadOnlyList<string>? Readers)
{
    public bool Equals(FileReference? other) =>
        other is not null && Conversation == other.Conversation && MessageId == other.MessageId;

    public override int GetHashCode() => HashCode.Combine(Conversation, MessageId);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<FileRecord>))]
internal sealed partial class FileStoreJsonContext : JsonSerializerContext;
