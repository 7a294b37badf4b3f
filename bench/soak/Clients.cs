using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Chaos.Soak;

/// <summary>What the clients did, summed over all of them.</summary>
internal sealed class Tally
{
    public long Verified;
    public long BytesVerified;
    public long Corrupt;
    public long Failed;
    public readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Misbehaved = new();
    public readonly System.Collections.Concurrent.ConcurrentQueue<string> Failures = new();
}

/// <summary>
/// Well-behaved clients come from 127.0.0.1: they send a random payload, half-close, read the echo to EOF and
/// compare SHA-256 digests. Misbehaving clients come from 127.0.0.2, the only address the scenario's faults select.
/// </summary>
internal static class Clients
{
    private static readonly IPAddress Misbehaving = IPAddress.Parse("127.0.0.2");

    public static async Task WellBehavedAsync(IPEndPoint proxy, Tally tally, CancellationToken stop)
    {
        var random = new Random();
        while (!stop.IsCancellationRequested)
        {
            var payload = new byte[random.Next(1, 256 * 1024)];
            random.NextBytes(payload);
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await socket.ConnectAsync(proxy, deadline.Token);
                var sending = SendAllAsync(socket, payload, deadline.Token);
                var received = await ReadToEndAsync(socket, deadline.Token);
                await sending;
                if (SHA256.HashData(received).AsSpan().SequenceEqual(SHA256.HashData(payload)))
                {
                    Interlocked.Increment(ref tally.Verified);
                    Interlocked.Add(ref tally.BytesVerified, payload.Length);
                }
                else
                {
                    Interlocked.Increment(ref tally.Corrupt);
                    tally.Failures.Enqueue($"corrupt: sent {payload.Length} B, got {received.Length} B");
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                Interlocked.Increment(ref tally.Failed);
                tally.Failures.Enqueue($"well-behaved connection failed: {ex.GetType().Name} {ex.Message}");
            }
            await Task.Delay(random.Next(0, 50), CancellationToken.None);
        }
    }

    public static async Task MisbehavingAsync(IPEndPoint proxy, Tally tally, CancellationToken stop)
    {
        var random = new Random();
        (string Name, Func<Socket, Random, Task> Act)[] kinds =
        [
            ("rst_mid_request", RstMidRequestAsync),
            ("half_close_keep_reading", HalfCloseKeepReadingAsync),
            ("never_read", NeverReadAsync),
            ("slowloris", SlowlorisAsync),
            ("connect_and_vanish", (_, _) => Task.CompletedTask),
        ];
        while (!stop.IsCancellationRequested)
        {
            var (name, act) = kinds[random.Next(kinds.Length)];
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(Misbehaving, 0));
                await socket.ConnectAsync(proxy, stop);
                await act(socket, random);
                tally.Misbehaved.AddOrUpdate(name, 1, (_, n) => n + 1);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                tally.Misbehaved.AddOrUpdate(name + " (cut short by a fault)", 1, (_, n) => n + 1);
            }
            finally
            {
                socket.Dispose();
            }
            await Task.Delay(random.Next(0, 100), CancellationToken.None);
        }
    }

    /// <summary>Holds connections on a proxy with a small max_connections, so some are turned away.</summary>
    public static async Task CrowdAsync(IPEndPoint proxy, CancellationToken stop)
    {
        var random = new Random();
        while (!stop.IsCancellationRequested)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(Misbehaving, 0));
                await socket.ConnectAsync(proxy, stop);
                await Task.Delay(random.Next(100, 1000), stop);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                // Turned away, or the soak ended.
            }
        }
    }

    private static async Task RstMidRequestAsync(Socket socket, Random random)
    {
        await socket.SendAsync(new byte[random.Next(1, 32 * 1024)], SocketFlags.None);
        await Task.Delay(random.Next(0, 50));
        socket.LingerState = new LingerOption(true, 0);
    }

    private static async Task HalfCloseKeepReadingAsync(Socket socket, Random random)
    {
        socket.Shutdown(SocketShutdown.Send);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await ReadToEndAsync(socket, deadline.Token);
    }

    private static async Task NeverReadAsync(Socket socket, Random random)
    {
        // More than the socket buffers hold, so the echo backs up through the proxy; then it leaves without reading.
        using var stalled = new CancellationTokenSource(TimeSpan.FromSeconds(random.Next(2, 6)));
        try
        {
            await SendAllAsync(socket, new byte[16 * 1024 * 1024], stalled.Token);
        }
        catch (OperationCanceledException)
        {
            // Expected: the sender blocks once every buffer on the way is full.
        }
    }

    private static async Task SlowlorisAsync(Socket socket, Random random)
    {
        for (var i = random.Next(5, 30); i > 0; i--)
        {
            await socket.SendAsync(new byte[] { (byte)'x' }, SocketFlags.None);
            await Task.Delay(200);
        }
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancel)
    {
        while (!data.IsEmpty)
        {
            data = data[await socket.SendAsync(data, SocketFlags.None, cancel)..];
        }
        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancel)
    {
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel)) > 0)
        {
            received.Write(buffer, 0, read);
        }
        return received.ToArray();
    }
}
