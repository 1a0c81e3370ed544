using System.Text;

namespace ActorChat.Server.Files;

/// <summary>
/// The MIME type of a file from its first bytes. What the client said the type was is never asked: an HTML page
/// uploaded as "image/png" is still text to this.
/// </summary>
public static class FileSniffer
{
    /// <summary>How many leading bytes <see cref="Sniff"/> looks at.</summary>
    public const int PrefixLength = 512;

    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Gif = "image/gif";
    public const string WebP = "image/webp";
    public const string Pdf = "application/pdf";
    public const string Zip = "application/zip";
    public const string PlainText = "text/plain";
    public const string Binary = "application/octet-stream";

    /// <summary>The types a browser may show inline (as an image); everything else downloads as an attachment.</summary>
    public static bool IsImage(string type) => type is Png or Jpeg or Gif or WebP;

    public static string Sniff(ReadOnlySpan<byte> prefix)
    {
        if (prefix.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return Png;
        if (prefix.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return Jpeg;
        if (prefix.StartsWith("GIF87a"u8) || prefix.StartsWith("GIF89a"u8)) return Gif;
        if (prefix.Length >= 12 && prefix.StartsWith("RIFF"u8) && prefix[8..12].SequenceEqual("WEBP"u8)) return WebP;
        if (prefix.StartsWith("%PDF-"u8)) return Pdf;
        if (prefix.StartsWith((ReadOnlySpan<byte>)[(byte)'P', (byte)'K', 3, 4]) || prefix.StartsWith((ReadOnlySpan<byte>)[(byte)'P', (byte)'K', 5, 6])) return Zip;
        return prefix.Length > 0 && IsText(prefix) ? PlainText : Binary;
    }

    /// <summary>UTF-8 without control characters other than tab, line breaks and form feed; a sequence cut at the end is forgiven.</summary>
    private static bool IsText(ReadOnlySpan<byte> prefix)
    {
        var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
        var chars = new char[prefix.Length];
        int count;
        try
        {
            count = decoder.GetChars(prefix, chars, flush: false);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        foreach (var c in chars.AsSpan(0, count))
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r' or '\f')) return false;
        }
        return true;
    }
}
