using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ActorChat.Server.Rooms;

/// <summary>
/// Ids for messages: version 7 GUIDs (time-ordered, 74 random bits) as 32 hex digits, the same as
/// <see cref="Guid.CreateVersion7()"/> gives. The random bits come from the operating system's generator a page at a
/// time and are handed out from a buffer per thread, because <see cref="Guid.CreateVersion7()"/> asks the kernel once
/// per id: under load that read was about 1.5 % of the server's CPU (docs/benchmarks.md).
/// </summary>
public static class MessageIds
{
    private const int IdBytes = 16;
    private const int BufferBytes = 4096;

    [ThreadStatic] private static byte[]? _random;
    [ThreadStatic] private static int _used;

    public static string Next() => Next(DateTimeOffset.UtcNow);

    public static string Next(DateTimeOffset now)
    {
        Span<byte> id = stackalloc byte[IdBytes];
        TakeRandom(id);
        // RFC 9562: 48 bits of Unix milliseconds, big-endian, then the version nibble and the variant bits.
        var milliseconds = now.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteUInt16BigEndian(id, (ushort)(milliseconds >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(id[2..], (uint)milliseconds);
        id[6] = (byte)(0x70 | (id[6] & 0x0F));
        id[8] = (byte)(0x80 | (id[8] & 0x3F));
        return new Guid(id, bigEndian: true).ToString("N");
    }

    private static void TakeRandom(Span<byte> into)
    {
        var random = _random ??= new byte[BufferBytes];
        if (_used == 0 || _used + into.Length > BufferBytes)
        {
            RandomNumberGenerator.Fill(random);
            _used = 0;
        }
        random.AsSpan(_used, into.Length).CopyTo(into);
        _used += into.Length;
    }
}
