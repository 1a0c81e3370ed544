using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ActorChat.Messages;

/// <summary>
/// The datagrams of LAN discovery, shared by server and client. A client sends <c>DISCOVER</c>, padded with
/// spaces to <see cref="PaddedRequestBytes"/>, to UDP port <see cref="DefaultUdpPort"/> (broadcast or unicast);
/// a server answers with <c>CHAT_SERVER_FOUND </c> followed by a <see cref="DiscoveryAnnouncement"/> as compact
/// JSON, but only when that answer is at most <see cref="MaxAmplification"/> times the request it got, so that a
/// spoofed request cannot make the server send someone much more than the spoofer sent.
/// Reading never throws: what does not parse is not an answer.
/// </summary>
public static class DiscoveryCodec
{
    public const int DefaultUdpPort = 12345;
    public const string Request = "DISCOVER";
    public const string ReplyPrefix = "CHAT_SERVER_FOUND ";

    /// <summary>Discovery datagrams are small; anything longer is neither a request nor an answer of ours.</summary>
    public const int MaxDatagramBytes = 512;

    /// <summary>An answer is never more than this many times the bytes of the request it answers.</summary>
    public const int MaxAmplification = 4;

    /// <summary>
    /// What a client pads its request to: enough for any answer a client reads (<see cref="MaxDatagramBytes"/>),
    /// so an unpadded <c>DISCOVER</c> of 8 bytes, which allows no answer at all, is never needed.
    /// </summary>
    public const int PaddedRequestBytes = MaxDatagramBytes / MaxAmplification;

    private static readonly byte[] RequestBytes = Encoding.ASCII.GetBytes(Request);
    private static readonly byte[] ReplyPrefixBytes = Encoding.ASCII.GetBytes(ReplyPrefix);

    private static readonly JsonWriterOptions ReplyWriterOptions = new()
    {
        // A name with accents goes out as UTF-8 (2 bytes a letter), not as a 6-byte \u escape.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The request datagram a client sends: <c>DISCOVER</c> and spaces, <see cref="PaddedRequestBytes"/> in all.</summary>
    public static byte[] EncodeRequest()
    {
        var datagram = new byte[PaddedRequestBytes];
        datagram.AsSpan().Fill((byte)' ');
        RequestBytes.CopyTo(datagram, 0);
        return datagram;
    }

    /// <summary>
    /// True when the datagram is <c>DISCOVER</c> followed by nothing but padding (white space or NUL bytes),
    /// at most <see cref="MaxDatagramBytes"/> in all.
    /// </summary>
    public static bool IsRequest(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length > MaxDatagramBytes || !datagram.StartsWith(RequestBytes)) return false;
        foreach (var b in datagram[RequestBytes.Length..])
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0)) return false;
        }
        return true;
    }

    /// <summary>True when an answer of <paramref name="replyBytes"/> may be sent for a request of <paramref name="requestBytes"/>.</summary>
    public static bool ReplyFitsRequest(int requestBytes, int replyBytes) => replyBytes <= (long)requestBytes * MaxAmplification;

    /// <summary>The answer datagram: prefix, then the announcement as JSON without white space or nulls, as UTF-8.</summary>
    public static byte[] EncodeReply(DiscoveryAnnouncement announcement)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        buffer.Write(ReplyPrefixBytes);
        using (var writer = new Utf8JsonWriter(buffer, ReplyWriterOptions))
        {
            JsonSerializer.Serialize(writer, announcement, DiscoveryJsonContext.Default.DiscoveryAnnouncement);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads an answer; false when the datagram is not a well-formed answer.</summary>
    public static bool TryDecodeReply(ReadOnlySpan<byte> datagram, out DiscoveryAnnouncement? announcement)
    {
        announcement = null;
        if (datagram.Length > MaxDatagramBytes || !datagram.StartsWith(ReplyPrefixBytes)) return false;
        try
        {
            var read = JsonSerializer.Deserialize(datagram[ReplyPrefixBytes.Length..].TrimEnd("\r\n "u8),
                DiscoveryJsonContext.Default.DiscoveryAnnouncement);
            if (read is null || read.Name is null || read.TcpPort is < 1 or > 65535) return false;
            announcement = read;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
