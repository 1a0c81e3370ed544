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
        ["ping"] = _ => PingRequest.Instance,
        ["quit"] = _ => QuitRequest.Instance,
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
        ["pong"] = _ => PongFrame.Instance,
        ["error"] = json => Read(json, Context.ErrorFrame),
        ["bye"] = json => Read(json, Context.ByeFrame),
    };

    [ThreadStatic] private static ArrayBufferWriter<byte>? _buffer;
    [ThreadStatic] private static Utf8JsonWriter? _writer;

    /// <summary>The frame as one JSON line: UTF-8 JSON followed by '\n'.</summary>
    public static byte[] EncodeLine(ServerFrame frame) => Encode(frame, Context.ServerFrame);

    /// <summary>The frame as one JSON line: UTF-8 JSON followed by '\n'.</summary>
    public static byte[] EncodeLine(ClientFrame frame) => Encode(frame, Context.ClientFrame);

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
        if (!Utf8.IsValid(json))
            return DecodeResult<TFrame>.Fail(ErrorCodes.BadJson, "The frame is not valid UTF-8.");

        var scan = ScanType(json, out var type);
        if (scan is not null) return DecodeResult<TFrame>.Fail(scan.Code, scan.Message);
        if (!types.TryGetValue(type!, out var read))
            return DecodeResult<TFrame>.Fail(ErrorCodes.UnknownType, $"Unknown frame type '{Shorten(type!)}'.");

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
                : $"The field '{field}' of the '{type}' frame has the wrong type.");
        }

        var missing = frame switch
        {
            ClientFrame client => client.MissingField(),
            null => "?",
            _ => null,
        };
        if (missing is not null)
            return DecodeResult<TFrame>.Fail(ErrorCodes.BadRequest, $"The '{type}' frame needs a '{missing}' field.");
        return DecodeResult<TFrame>.Ok(frame!);
    }

    /// <summary>Checks that the JSON is one object and finds its top-level "type" string.</summary>
    private static ProtocolError? ScanType(ReadOnlySpan<byte> json, out string? type)
    {
        type = null;
        var typeHasWrongKind = false;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read())
                return new ProtocolError(ErrorCodes.BadJson, "The frame is empty.");
            if (reader.TokenType != JsonTokenType.StartObject)
                return new ProtocolError(ErrorCodes.BadJson, "A frame must be a JSON object.");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType)
                {
                    if (reader.TokenType == JsonTokenType.String) type = reader.GetString();
                    else typeHasWrongKind = true;
                }
                reader.Skip();
            }
            // Anything after the object (a second value, garbage) makes the line invalid JSON.
            if (reader.Read())
                return new ProtocolError(ErrorCodes.BadJson, "A frame must be exactly one JSON object.");
        }
        catch (JsonException)
        {
            return new ProtocolError(ErrorCodes.BadJson, "The frame is not valid JSON.");
        }

        if (typeHasWrongKind)
            return new ProtocolError(ErrorCodes.BadRequest, "The field 'type' must be a string.");
        if (type is null)
            return new ProtocolError(ErrorCodes.BadRequest, "The frame needs a 'type' field.");
        return null;
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
