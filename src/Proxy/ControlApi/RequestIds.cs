using System.Security.Cryptography;

namespace Chaos.Proxy.ControlApi;

/// <summary>
/// Request ids in the shape Toxiproxy's <c>X-Toxiproxy-Request-Id</c> has (an xid: 12 bytes, 20 base32hex
/// characters, time first so they sort by time).
/// </summary>
internal static class RequestIds
{
    public const string Header = "X-Toxiproxy-Request-Id";

    private const string Alphabet = "0123456789abcdefghijklmnopqrstuv";
    private static readonly byte[] Process = RandomNumberGenerator.GetBytes(5);
    private static int _counter = RandomNumberGenerator.GetInt32(1 << 24);

    public static string Next(TimeProvider time)
    {
        Span<byte> id = stackalloc byte[13]; // 12 bytes of id, one of padding for the last 5-bit group
        var seconds = (uint)time.GetUtcNow().ToUnixTimeSeconds();
        var counter = Interlocked.Increment(ref _counter);
        id[0] = (byte)(seconds >> 24);
        id[1] = (byte)(seconds >> 16);
        id[2] = (byte)(seconds >> 8);
        id[3] = (byte)seconds;
        Process.CopyTo(id[4..]);
        id[9] = (byte)(counter >> 16);
        id[10] = (byte)(counter >> 8);
        id[11] = (byte)counter;
        Span<char> text = stackalloc char[20];
        for (var i = 0; i < text.Length; i++)
        {
            var bit = i * 5;
            var pair = (id[bit / 8] << 8) | id[(bit / 8) + 1];
            text[i] = Alphabet[(pair >> (11 - (bit % 8))) & 31];
        }
        return new string(text);
    }
}
