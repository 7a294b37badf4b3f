using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Tests.Support;
using Xunit.Abstractions;

namespace Chaos.Proxy.Tests.Reliability;

/// <summary>
/// A fast sender and a receiver that never reads must not grow Chaos's memory without bound. Measured on the real
/// executable's resident memory (kernel socket buffers are not in it): the growth per stalled connection stays
/// under the relay's documented cap, one receive buffer (128 KiB) on the pass-through path and the delay line's
/// 32 queued chunks plus two in hand (4.25 MiB) with a data toxic.
/// </summary>
public sealed class StalledReceiverTests(ITestOutputHelper output) : IDisposable
{
    private const int Connections = 6;
    // Resident memory is a noisy measure (GC heap growth, thread stacks): one run measured 5.3 MiB against a
    // 4.25 MiB cap. An unbounded relay is still told apart: its sender never stalls, it grows by all it is sent.
    private const long Slack = 2 * 1024 * 1024;
    private readonly ScratchDirectory _scratch = new();

    [Theory(Timeout = 120_000)]
    [InlineData("", 128 * 1024)]
    [InlineData("    toxics: [{ type: latency, stream: upstream, attributes: { latency: 20 } }]\n", 34 * 128 * 1024)]
    [InlineData("    toxics: [{ type: bandwidth, stream: upstream, attributes: { rate: 100000 } }]\n", 34 * 128 * 1024)]
    public async Task Relay_FastSenderStalledReceiver_MemoryPerConnectionUnderCap(string toxics, long cap)
    {
        using var server = Peers.Listen();
        var scenario = _scratch.Write("stall.yaml",
            $"proxies:\n  - name: web\n    listen: 127.0.0.1:0\n    upstream: {server.LocalEndPoint}\n{toxics}");
        using var chaos = ChaosProcess.Start("run", scenario);
        var address = await chaos.ProxyAddressAsync("web");
        var accepted = new List<Socket>();
        try
        {
            // The first stalled connection warms up what is paid once (JIT, thread pool); then the baseline.
            await StallAsync(address, server, accepted);
            var before = chaos.ResidentBytes;
            var pushed = await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => StallAsync(address, server, accepted)));
            await Task.Delay(500);
            var perConnection = (chaos.ResidentBytes - before) / Connections;

            output.WriteLine($"pushed per connection before the sender stalled: {pushed.Average() / 1048576:F1} MiB; " +
                $"resident growth per connection: {perConnection / 1024} KiB; cap {cap / 1024} KiB");
            Assert.True(perConnection < cap + Slack, $"{perConnection} bytes per stalled connection");
        }
        finally
        {
            accepted.ForEach(socket => socket.Dispose());
        }
    }

    /// <summary>Connects, then sends until the send has made no progress for a while; the receiving end never reads.</summary>
    private static async Task<long> StallAsync(IPEndPoint address, Socket server, List<Socket> accepted)
    {
        var client = await Peers.ConnectAsync(address);
        var upstream = await server.AcceptAsync();
        lock (accepted)
        {
            accepted.Add(client);
            accepted.Add(upstream);
        }
        var chunk = new byte[64 * 1024];
        long sent = 0;
        while (true)
        {
            using var stalled = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                sent += await client.SendAsync(chunk, SocketFlags.None, stalled.Token);
            }
            catch (OperationCanceledException)
            {
                return sent;
            }
        }
    }

    public void Dispose() => _scratch.Dispose();
}
