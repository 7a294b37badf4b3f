using System.Net.Sockets;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Engine;

/// <summary>
/// The pass-through loop as the CLI runs it, where what waits on a loop goes on on the loop's own thread: the
/// timing in which a connection is handed from one loop to another differs from in-process.
/// </summary>
public sealed class PassThroughLoopProcessTests : IDisposable
{
    private const int Transfer = 32 * 1024 * 1024;
    private readonly ScratchDirectory _scratch = new();

    [Fact(Timeout = 180_000)]
    public async Task BulkTransfersOneAfterAnother_NoneStalls()
    {
        // Each bulk connection moves once to the next loop in turn. A race in that move (both loops' threads
        // changing the connection's epoll registrations) left about one transfer in 25 stalled for good.
        using var server = Peers.Listen();
        var scenario = _scratch.Write("bulk.yaml", $"proxies:\n  - name: web\n    listen: 127.0.0.1:0\n    upstream: {server.LocalEndPoint}\n");
        using var chaos = ChaosProcess.Start("run", scenario);
        var address = await chaos.ProxyAddressAsync("web");
        var chunk = new byte[1024 * 1024];
        for (var i = 0; i < 100; i++)
        {
            using var client = await Peers.ConnectAsync(address);
            using var accepted = await server.AcceptAsync();
            using var stalled = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var draining = CountUntilAsync(accepted, Transfer, stalled.Token);
            for (var sent = 0; sent < Transfer; sent += chunk.Length)
            {
                await Peers.SendAllAsync(client, chunk).WaitAsync(stalled.Token);
            }
            Assert.Equal(Transfer, await draining);
        }
    }

    /// <summary>Reads and drops bytes until <paramref name="count"/> have come.</summary>
    private static async Task<long> CountUntilAsync(Socket socket, long count, CancellationToken stalled)
    {
        var buffer = new byte[1024 * 1024];
        long read = 0;
        while (read < count)
        {
            var got = await socket.ReceiveAsync(buffer, SocketFlags.None, stalled);
            Assert.True(got > 0, $"the stream ended after {read} of {count} bytes");
            read += got;
        }
        return read;
    }

    public void Dispose() => _scratch.Dispose();
}
