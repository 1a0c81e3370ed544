using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace ActorChat.Messages;

/// <summary>
/// The one JSON codec of wire protocol v1: frames to UTF-8 JSON lines and back.
/// Decoding never throws; a bad frame becomes a <see cref="ProtocolError"/> that names what is wrong.
/// </summary>
public static class FrameCodec
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Emoji and other non-ASCII text go out as UTF-8, not as \u escapes; JSON stays valid either way.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly FrameJsonContext Context = FrameJsonContext.Default;

    private static readonly Dictionary<string, Func<ReadOnlySpan<byte>, ClientFrame?>> ClientTypes = new()
    {
        ["hello"] = json => Read(json, Context.HelloRequest),
        ["join"] = json => Read(json, Context.JoinRequest),
        ["say"] = json => Read(json, Context.SayRequest),
        ["leave"] = json => Read(json, Context.LeaveRequest),
        ["dm"] = json => Read(json, Context.DirectMessageRequest),
        ["rooms"] = json => Read(json, Context.RoomListRequest),
        ["who"] = json => Read(json, Context.WhoRequest),
        ["stats"] = json => Read(json, Context.StatsRequest),
        ["history"] = json => Read(json, Context.HistoryRequest),
        ["search"] = json => Read(json, Context.SearchRequest),
        ["ping"] = _ => PingRequest.Instance,
        ["pong"] = _ => PongRequest.Instance,
        ["quit"] = _ => QuitRequest.Instance,
        ["register"] = json => Read(json, Context.RegisterRequest),
        ["password"] = json => Read(json, Context.PasswordRequest),
        ["kill"] = json => Read(json, Context.KillRequest),
        ["ban"] = json => Read(json, Context.BanRequest),
        ["unban"] = json => Read(json, Context.UnbanRequest),
        ["topic"] = json => Read(json, Context.TopicRequest),
        ["mode"] = json => Read(json, Context.ModeRequest),
        ["invite"] = json => Read(json, Context.InviteRequest),
        ["role"] = json => Read(json, Context.RoleRequest),
        ["kick"] = json => Read(json, Context.KickRequest),
        ["room_ban"] = json => Read(json, Context.RoomBanRequest),
        ["room_unban"] = json => Read(json, Context.RoomUnbanRequest),
        ["delete"] = json => Read(json, Context.DeleteRequest),
        ["drop"] = json => Read(json, Context.DropRequest),
        ["react"] = json => Read(json, Context.ReactRequest),
        ["edit"] = json => Read(json, Context.EditRequest),
        ["typing"] = json => Read(json, Context.TypingRequest),
        ["mentions"] = json => Read(json, Context.MentionsRequest),
        ["dms"] = json => Read(json, Context.DmsRequest),
        ["read"] = json => Read(json, Context.ReadRequest),
        ["uploadToken"] = json => Read(json, Context.UploadTokenRequest),
    };

    private static readonly Dictionary<string, Func<ReadOnlySpan<byte>, ServerFrame?>> ServerTypes = new()
    {
        ["welcome"] = json => Read(json, Context.WelcomeFrame),
        ["joined"] = json => Read(json, Context.JoinedFrame),
        ["presence"] = json => Read(json, Context.PresenceFrame),
        ["message"] = json => Read(json, Context.MessageFrame),
        ["left"] = json => Read(json, Context.LeftFrame),
        ["dm"] = json => Read(json, Context.DirectMessageFrame),
        ["rooms"] = json => Read(json, Context.RoomListFrame),
        ["members"] = json => Read(json, Context.MembersFrame),
        ["stats"] = json => Read(json, Context.StatsFrame),
        ["history"] = json => Read(json, Context.HistoryFrame),
        ["searchResults"] = json => Read(json, Context.SearchResultsFrame),
        ["pong"] = _ => PongFrame.Instance,
        ["ping"] = _ => ServerPingFrame.Instance,
        ["error"] = json => Read(json, Context.ErrorFrame),
        ["bye"] = json => Read(json, Context.ByeFrame),
        ["registered"] = json => Read(json, Context.RegisteredFrame),
        ["done"] = json => Read(json, Context.DoneFrame),
        ["topic"] = json => Read(json, Context.TopicFrame),
        ["mode"] = json => Read(json, Context.ModeFrame),
        ["invited"] = json => Read(json, Context.InvitedFrame),
        ["role"] = json => Read(json, Context.RoleFrame),
        ["kicked"] = json => Read(json, Context.KickedFrame),
        ["room_banned"] = json => Read(json, Context.RoomBannedFrame),
        ["room_unbanned"] = json => Read(json, Context.RoomUnbannedFrame),
        ["deleted"] = json => Read(json, Context.DeletedFrame),
        ["dropped"] = json => Read(json, Context.DroppedFrame),
        ["reaction"] = json => Read(json, Context.ReactionFrame),
        ["edited"] = json => Read(json, Context.EditedFrame),
        ["typing"] = json => Read(json, Context.TypingFrame),
        ["mentions"] = json => Read(json, Context.MentionsFrame),
        ["dms"] = json => Read(json, Context.DmsFrame),
        ["uploadToken"] = json => Read(json, Context.UploadTokenFrame),
    };

    [ThreadStatic] private static ArrayBufferWriter<byte>? _buffer;
    [ThreadStatic] private static Utf8JsonWriter? _writer;

    /// <summary>The frame as one JSON line: UTF-8 JSON followed by '\n'.</summary>
    public static byte[] EncodeLine(ServerFrame frame) => Encode(frame, Context.ServerFrame);

    /// <summary>The frame as one JSON line: UTF-8 JSON followed by '\n'.</summary>
    public static byte[] EncodeLine(ClientFrame frame) => Encode(frame, Context.ClientFrame);

    /// <summary>
    /// Reads a line of every frame type once (each incomplete, so each is refused), which builds the codec's metadata
    /// for every type and compiles its code: a server calls it before its first client, whose first frames of each
    /// type would otherwise wait for that (docs/benchmarks.md, "The first message after a start"). Returns how many
    /// types it read.
    /// </summary>
    public static int WarmUp()
    {
        foreach (var type in ClientTypes.Keys) DecodeClientFrame(System.Text.Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\"}}"));
        foreach (var type in ServerTypes.Keys) DecodeServerFrame(System.Text.Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\"}}"));
        return ClientTypes.Count + ServerTypes.Count;
    }

    /// <summary>The <c>type</c> of every frame a client may send.</summary>
    public static IReadOnlyCollection<string> ClientFrameTypes => ClientTypes.Keys;

    /// <summary>The <c>type</c> of every frame the server sends.</summary>
    public static IReadOnlyCollection<string> ServerFrameTypes => ServerTypes.Keys;

    /// <summary>The JSON of an upload's answer (<c>POST /api/files</c>), or null when it is none.</summary>
    public static FileAttachment? DecodeFileAttachment(string json) =>
        System.Text.Json.JsonSerializer.Deserialize(json, Context.FileAttachment);

    /// <summary>Reads one client frame (the JSON of one line, without its terminator).</summary>
    public static DecodeResult<ClientFrame> DecodeClientFrame(ReadOnlySpan<byte> json) => Decode(json, ClientTypes);

    /// <summary>Reads one server frame (the JSON of one line, without its terminator).</summary>
    public static DecodeResult<ServerFrame> DecodeServerFrame(ReadOnlySpan<byte> json) => Decode(json, ServerTypes);

    private static byte[] Encode<T>(T frame, JsonTypeInfo<T> typeInfo)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = _writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        JsonSerializer.Serialize(writer, frame, typeInfo);
        writer.Flush();
        var written = buffer.WrittenSpan;
        var line = new byte[written.Length + 1];
        written.CopyTo(line);
        line[^1] = (byte)'\n';
        if (buffer.Capacity > 256 * 1024) _buffer = null; // do not pin a huge buffer to the thread for good
        return line;
    }

    private static DecodeResult<TFrame> Decode<TFrame>(
        ReadOnlySpan<byte> json, Dictionary<string, Func<ReadOnlySpan<byte>, TFrame?>> types) where TFrame : class
    {
        try
        {
            return DecodeChecked(json, types);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The scan below is meant to leave nothing for System.Text.Json to throw on; should it still throw,
            // the peer gets an error frame rather than the connection a crash.
            return DecodeResult<TFrame>.Fail(ErrorCodes.BadJson, "The frame could not be read as JSON.");
        }
    }

    private static DecodeResult<TFrame> DecodeChecked<TFrame>(
        ReadOnlySpan<byte> json, Dictionary<string, Func<ReadOnlySpan<byte>, TFrame?>> types) where TFrame : class
    {
        if (!Utf8.IsValid(json))
            return DecodeResult<TFrame>.Fail(ErrorCodes.BadJson, "The frame is not valid UTF-8.");

        var scan = ScanType(json, out var type, out var reference);
        if (scan is not null) return DecodeResult<TFrame>.Fail(scan.Code, scan.Message, reference);
        if (!types.TryGetValue(type!, out var read))
            return DecodeResult<TFrame>.Fail(ErrorCodes.UnknownType, $"Unknown frame type '{Shorten(type!)}'.", reference);

        TFrame? frame;
        try
        {
            frame = read(json);
        }
        catch (JsonException e)
        {
            var field = FieldOf(e.Path);
            return DecodeResult<TFrame>.Fail(ErrorCodes.BadRequest, field is null
                ? $"The '{type}' frame has a field of the wrong type."
                : $"The field '{Shorten(field)}' of the '{type}' frame has the wrong type.", reference);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            return DecodeResult<TFrame>.Fail(ErrorCodes.BadRequest, $"The '{type}' frame could not be read.", reference);
        }

        var missing = frame switch
        {
            ClientFrame client => client.MissingField(),
            null => "?",
            _ => null,
        };
        if (missing is not null)
            return DecodeResult<TFrame>.Fail(ErrorCodes.BadRequest, $"The '{type}' frame needs a '{missing}' field.", reference);
        // Frames without fields of their own are shared instances: the ref goes on a copy.
        if (reference is not null)
        {
            if (frame is ClientFrame { Ref: null } client) frame = (TFrame)(object)(client with { Ref = reference });
            else if (frame is ServerFrame { Ref: null } server) frame = (TFrame)(object)(server with { Ref = reference });
        }
        return DecodeResult<TFrame>.Ok(frame!);
    }

    [ThreadStatic] private static HashSet<string>? _seenFields;

    /// <summary>
    /// Checks that the JSON is one object, that every string in it is valid Unicode and that no top-level field
    /// comes twice, and finds its top-level "type" string and "ref" (a string of at most
    /// <see cref="Protocol.MaxRefLength"/>). After this, reading the frame cannot meet a string
    /// System.Text.Json refuses to turn into a .NET string.
    /// </summary>
    private static ProtocolError? ScanType(ReadOnlySpan<byte> json, out string? type, out string? reference)
    {
        type = null;
        reference = null;
        var typeHasWrongKind = false;
        var badRef = false;
        var seen = _seenFields ??= new HashSet<string>(StringComparer.Ordinal);
        seen.Clear();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read())
                return new ProtocolError(ErrorCodes.BadJson, "The frame is empty.");
            if (reader.TokenType != JsonTokenType.StartObject)
                return new ProtocolError(ErrorCodes.BadJson, "A frame must be a JSON object.");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                if (BadFieldName(ref reader) is { } badName) return badName;
                var field = reader.GetString()!;
                if (!seen.Add(field))
                    return new ProtocolError(ErrorCodes.BadRequest, $"The field '{Shorten(field)}' appears twice in the frame.");
                reader.Read();
                if (CheckValue(ref reader, field) is { } badValue) return badValue;
                if (field == "type")
                {
                    if (reader.TokenType == JsonTokenType.String) type = reader.GetString();
                    else typeHasWrongKind = true;
                }
                else if (field == "ref")
                {
                    var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    if (value is { Length: <= Protocol.MaxRefLength }) reference = value;
                    else badRef = reader.TokenType != JsonTokenType.Null;
                }
            }
            // Anything after the object (a second value, garbage) makes the line invalid JSON.
            if (reader.Read())
                return new ProtocolError(ErrorCodes.BadJson, "A frame must be exactly one JSON object.");
        }
        catch (JsonException)
        {
            return new ProtocolError(ErrorCodes.BadJson, "The frame is not valid JSON.");
        }
        finally
        {
            if (seen.Count > 64) _seenFields = null; // do not keep a huge set alive for the thread
        }

        if (badRef)
            return new ProtocolError(ErrorCodes.BadRequest, $"The field 'ref' must be a string of at most {Protocol.MaxRefLength} characters.");
        if (typeHasWrongKind)
            return new ProtocolError(ErrorCodes.BadRequest, "The field 'type' must be a string.");
        if (type is null)
            return new ProtocolError(ErrorCodes.BadRequest, "The frame needs a 'type' field.");
        return null;
    }

    /// <summary>
    /// Walks the value the reader is on (a scalar, or a whole object or array) and refuses any string or field
    /// name in it that is not valid Unicode. Leaves the reader on the value's last token, as Skip does.
    /// </summary>
    private static ProtocolError? CheckValue(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            return BadString(ref reader, field);
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType == JsonTokenType.PropertyName && BadFieldName(ref reader) is { } badName) return badName;
            if (reader.TokenType == JsonTokenType.String && BadString(ref reader, field) is { } badValue) return badValue;
        }
        return null;
    }

    private static ProtocolError? BadFieldName(ref Utf8JsonReader reader)
    {
        var lone = reader.ValueIsEscaped ? LoneSurrogate(reader.ValueSpan) : -1;
        return lone < 0 ? null : new ProtocolError(ErrorCodes.BadJson,
            $"A field name holds the escape \\u{lone:X4}, half of a surrogate pair without its other half, which is not valid Unicode.");
    }

    private static ProtocolError? BadString(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.ValueIsEscaped) return null;
        var lone = LoneSurrogate(reader.ValueSpan);
        return lone < 0 ? null : new ProtocolError(ErrorCodes.BadRequest,
            $"The field '{Shorten(field)}' holds the escape \\u{lone:X4}, half of a surrogate pair without its other half: " +
            "that is not a Unicode character, so it cannot be kept or sent on as UTF-8.");
    }

    /// <summary>
    /// The first \u escape in a raw (still escaped) JSON string that leaves a UTF-16 surrogate unpaired, or -1.
    /// Raw UTF-8 cannot hold surrogates (the frame passed <see cref="Utf8.IsValid"/>), so escapes are the only way in.
    /// </summary>
    internal static int LoneSurrogate(ReadOnlySpan<byte> raw)
    {
        var pendingHigh = -1;
        var i = 0;
        while (i < raw.Length)
        {
            if (raw[i] != (byte)'\\' || i + 1 >= raw.Length)
            {
                if (pendingHigh >= 0) return pendingHigh;
                i++;
                continue;
            }
            if (raw[i + 1] != (byte)'u' || i + 6 > raw.Length || !TryHex(raw.Slice(i + 2, 4), out var unit))
            {
                if (pendingHigh >= 0) return pendingHigh;
                i += 2;
                continue;
            }
            i += 6;
            if (pendingHigh >= 0)
            {
                if (unit is >= 0xDC00 and <= 0xDFFF) { pendingHigh = -1; continue; }
                return pendingHigh;
            }
            if (unit is >= 0xD800 and <= 0xDBFF) pendingHigh = unit;
            else if (unit is >= 0xDC00 and <= 0xDFFF) return unit;
        }
        return pendingHigh;
    }

    private static bool TryHex(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var b in digits)
        {
            var digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0) return false;
            value = value * 16 + digit;
        }
        return true;
    }

    private static T? Read<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo) => JsonSerializer.Deserialize(json, typeInfo);

    private static string? FieldOf(string? path)
    {
        // "$.room" or "$['room']" → room
        if (string.IsNullOrEmpty(path) || path == "$") return null;
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Trim('[', ']', '\'');
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
