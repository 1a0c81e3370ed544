using System.Text;
using System.Text.Json;

namespace ActorChat.Messages;

/// <summary>
/// The datagrams of LAN discovery, shared by server and client. A client sends <c>DISCOVER</c> to UDP port
/// <see cref="DefaultUdpPort"/> (broadcast or unicast); a server answers with <c>CHAT_SERVER_FOUND </c> followed by
/// a <see cref="DiscoveryAnnouncement"/> as JSON. Reading never throws: what does not parse is not an answer.
/// </summary>
public static class DiscoveryCodec
{
    public const int DefaultUdpPort = 12345;
    public const string Request = "DISCOVER";
    public const string ReplyPrefix = "CHAT_SERVER_FOUND ";

    /// <summary>Discovery datagrams are small; anything longer is neither a request nor an answer of ours.</summary>
    public const int MaxDatagramBytes = 512;

    private static readonly byte[] RequestBytes = Encoding.ASCII.GetBytes(Request);
    private static readonly byte[] ReplyPrefixBytes = Encoding.ASCII.GetBytes(ReplyPrefix);

    /// <summary>The request datagram a client sends.</summary>
    public static byte[] EncodeRequest() => (byte[])RequestBytes.Clone();

    /// <summary>True when the datagram is exactly <c>DISCOVER</c>, trailing white space (e.g. a newline) allowed.</summary>
    public static bool IsRequest(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length > 64 || !datagram.StartsWith(RequestBytes)) return false;
        foreach (var b in datagram[RequestBytes.Length..])
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        }
        return true;
    }

    /// <summary>The answer datagram: prefix, then the announcement as JSON, as UTF-8.</summary>
    public static byte[] EncodeReply(DiscoveryAnnouncement announcement)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(announcement, DiscoveryJsonContext.Default.DiscoveryAnnouncement);
        var datagram = new byte[ReplyPrefixBytes.Length + json.Length];
        ReplyPrefixBytes.CopyTo(datagram, 0);
        json.CopyTo(datagram, ReplyPrefixBytes.Length);
        return datagram;
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
