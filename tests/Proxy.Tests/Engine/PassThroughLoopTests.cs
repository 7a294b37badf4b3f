using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Engine.PassThrough;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Engine;

/// <summary>
/// Connections of a proxy with no toxics, or only latency toxics, go through the pass-through loop (Linux) and
/// move to the managed pumps when the toxics change, mid-stream, without losing or reordering a byte or cutting
/// a delay short.
/// </summary>
public sealed class PassThroughLoopTests
{
    private const int Bulk = 16 * 1024 * 1024;

    [Fact(Timeout = 30_000)]
    public async Task NoToxics_ConnectionIsRelayedByTheLoop_AndLeavesItWhenAToxicIsPublished()
    {
        Assert.NotEmpty(PassThroughLoop.All); // the tests run on Linux x64 or arm64, where the loop runs
        await using var pair = await ProxiedPair.StartAsync();
        var (proxies, client, accepted) = (pair.Proxies, pair.Client, pair.Accepted);
        await Echo(client, accepted, "through the loop"u8.ToArray());

        await WaitUntilAsync(() => Listener(proxies).PassingThrough == 1);
        Publish(proxies, "{type: latency, stream: downstream, attributes: {latency: 0}}");
        await WaitUntilAsync(() => Listener(proxies).PassingThrough == 0);

        await Echo(client, accepted, "through the pumps"u8.ToArray());
        Assert.Equal(1, Listener(proxies).Live);
    }

    [Fact(Timeout = 60_000)]
    public async Task ToxicPublishedWhileTheReceiverIsFull_HeldBytesHandedOverInOrder_AndTheToxicShapesWhatFollows()
    {
        Assert.NotEmpty(PassThroughLoop.All); // the tests run on Linux x64 or arm64, where the loop runs
        await using var pair = await ProxiedPair.StartAsync();
        var (proxies, client, accepted) = (pair.Proxies, pair.Client, pair.Accepted);
        var payload = RandomNumberGenerator.GetBytes(Bulk);

        // The client reads nothing yet: the loop fills the client's socket buffer and holds the rest of a chunk.
        var sending = Peers.SendAllAsync(accepted, payload);
        await WaitUntilStalledAsync(() => Relayed(proxies).Downstream);
        Publish(proxies, "{type: latency, stream: downstream, attributes: {latency: 300}}");
        await WaitUntilAsync(() => Listener(proxies).PassingThrough == 0);

        var received = await ReadExactlyAsync(client, Bulk);
        await sending;
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(received));

        var clock = Stopwatch.StartNew();
        await Peers.SendAllAsync(accepted, "late"u8.ToArray());
        Assert.Equal("late"u8.ToArray(), await ReadExactlyAsync(client, 4));
        Assert.InRange(clock.ElapsedMilliseconds, 250, 5_000);
    }

    [Fact(Timeout = 60_000)]
    public async Task LatencyToxics_DelayEachWayOnTheLoop_AndTheFinComesAfterTheHeldData()
    {
        await using var pair = await ProxiedPair.StartAsync(toxics:
        [
            "{name: up, type: latency, stream: upstream, attributes: {latency: 200}}",
            "{name: down, type: latency, stream: downstream, attributes: {latency: 200}}",
        ]);
        var (proxies, client, accepted) = (pair.Proxies, pair.Client, pair.Accepted);

        var clock = Stopwatch.StartNew();
        await Echo(client, accepted, "delayed twice"u8.ToArray());
        Assert.InRange(clock.ElapsedMilliseconds, 395, 5_000);
        Assert.Equal(1, Listener(proxies).PassingThrough);

        // 16 MiB and the server's FIN at once: the loop holds many delayed chunks, then the FIN behind them.
        var payload = RandomNumberGenerator.GetBytes(Bulk);
        clock.Restart();
        var sending = SendThenFinAsync(accepted, payload);
        var received = await Peers.ReadToEndAsync(client);
        await sending;
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(received));
        Assert.InRange(clock.ElapsedMilliseconds, 195, 30_000);

        var shaping = proxies.Events.OfType<ToxicActed>().Where(acted => acted.Decision.StartsWith("shapes data", StringComparison.Ordinal));
        Assert.Equal(["down", "up"], shaping.Select(acted => acted.Toxic).Order());
    }

    [Fact(Timeout = 30_000)]
    public async Task ToxicsChangeWhileTheLoopHoldsADelayedChunk_ItStillGoesWhenItsDelayEnds()
    {
        const string Latency = "{name: slow, type: latency, stream: downstream, attributes: {latency: 2000}}";
        await using var pair = await ProxiedPair.StartAsync(toxics: [Latency]);
        var (proxies, client, accepted) = (pair.Proxies, pair.Client, pair.Accepted);

        var clock = Stopwatch.StartNew();
        await Peers.SendAllAsync(accepted, "held"u8.ToArray());
        await Task.Delay(1_500);
        // A toxic the loop cannot run: the connection, with its held chunk, goes to the managed relay.
        Publish(proxies, Latency, "{name: thin, type: bandwidth, stream: upstream, attributes: {rate: 1000}}");
        await WaitUntilAsync(() => Listener(proxies).PassingThrough == 0);

        Assert.Equal("held"u8.ToArray(), await ReadExactlyAsync(client, 4));
        // Delayed from when the loop read it (2 s), not anew from the hand-over (3.5 s).
        Assert.InRange(clock.ElapsedMilliseconds, 1_950, 3_000);
    }

    [Fact(Timeout = 30_000)]
    public async Task LatencyRemovedWhileTheLoopHoldsAChunk_ItIsDeliveredAtOnce()
    {
        await using var pair = await ProxiedPair.StartAsync(toxics: ["{type: latency, stream: downstream, attributes: {latency: 10000}}"]);
        var (proxies, client, accepted) = (pair.Proxies, pair.Client, pair.Accepted);

        var clock = Stopwatch.StartNew();
        await Peers.SendAllAsync(accepted, "held"u8.ToArray());
        await Task.Delay(300);
        Publish(proxies);

        Assert.Equal("held"u8.ToArray(), await ReadExactlyAsync(client, 4));
        Assert.InRange(clock.ElapsedMilliseconds, 250, 5_000);
    }

    [Fact(Timeout = 60_000)]
    public async Task KeptAliveRequestResponseConnections_AreRelayedOnEveryLoop()
    {
        // Such traffic never fills the buffer. Before, every connection stayed on the loop that accepted it, so
        // eight busy ones shared one thread while the other loops idled.
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server);
        var pairs = new List<(Socket Client, Socket Accepted)>();
        for (var i = 0; i < 8; i++)
        {
            var client = await Peers.ConnectAsync(proxies["web"]);
            pairs.Add((client, await server.AcceptAsync()));
        }
        var before = LoopThreadCpu();

        await Task.WhenAll(pairs.Select(pair => Task.Run(async () =>
        {
            for (var exchange = 0; exchange < 3_000; exchange++)
            {
                await Echo(pair.Client, pair.Accepted, "request"u8.ToArray());
            }
        })));

        var after = LoopThreadCpu();
        pairs.ForEach(pair => { pair.Client.Dispose(); pair.Accepted.Dispose(); });
        Assert.Equal(Environment.ProcessorCount, after.Count);
        Assert.All(after, thread => Assert.True(thread.Value > before.GetValueOrDefault(thread.Key), $"loop thread {thread.Key} did no work"));
    }

    [Fact(Timeout = 60_000)]
    public async Task ShortConnections_AreAcceptedAndRelayedOnEveryLoop()
    {
        // Before, one loop accepted, dialled and relayed every new connection while the others idled.
        using var server = Peers.Listen();
        using var stopServing = new CancellationTokenSource();
        var serving = AnswerEachConnectionOnceAsync(server, stopServing.Token);
        await using var proxies = await TestProxies.InFrontOfAsync(server);
        var before = LoopThreadCpu();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                using var client = await Peers.ConnectAsync(proxies["web"]);
                await Peers.SendAllAsync(client, "request"u8.ToArray());
                Assert.Equal("request"u8.ToArray(), await ReadExactlyAsync(client, 7));
            }
        })));

        var after = LoopThreadCpu();
        await stopServing.CancelAsync();
        await serving;
        Assert.Equal(Environment.ProcessorCount, after.Count);
        Assert.All(after, thread => Assert.True(thread.Value > before.GetValueOrDefault(thread.Key), $"loop thread {thread.Key} did no work"));
    }

    [Fact(Timeout = 30_000)]
    public async Task ConnectionsTakenByDifferentLoops_AreNumberedInTheOrderTheyConnected()
    {
        // Connection numbers are what ordinal selectors (every: 3, first: 2) count; every loop accepts.
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server);
        var clients = new List<Socket>();
        for (var i = 0; i < 60; i++)
        {
            clients.Add(await Peers.ConnectAsync(proxies["web"]));
        }

        await WaitUntilAsync(() => proxies.Events.OfType<ConnectionAccepted>().Count() == clients.Count);
        var numberOf = proxies.Events.OfType<ConnectionAccepted>().ToDictionary(accepted => accepted.Client, accepted => accepted.Connection);
        var numbers = clients.Select(client => numberOf[client.LocalEndPoint!]).ToList();
        clients.ForEach(client => client.Dispose());
        server.Dispose(); // resets the upstream connections it never accepted, so the proxy's stop need not wait for them
        Assert.Equal(numbers.Order(), numbers);
    }

    [Fact(Timeout = 30_000)]
    public async Task Ipv6_UpstreamDialledAndRelayedByTheLoop()
    {
        await using var pair = await ProxiedPair.StartAsync(address: IPAddress.IPv6Loopback);

        await Echo(pair.Client, pair.Accepted, "over ::1"u8.ToArray());

        Assert.Equal(1, Listener(pair.Proxies).PassingThrough);
        var connected = await pair.Proxies.Events.WaitForAsync<UpstreamConnected>();
        Assert.Equal(IPAddress.IPv6Loopback, ((IPEndPoint)connected.Local).Address);
        Assert.Equal(pair.Accepted.RemoteEndPoint, connected.Local);
    }

    [Fact(Timeout = 30_000)]
    public async Task InProcess_CodeAwaitingAProxyStopDoesNotGoOnOnTheLoopThread()
    {
        Assert.Equal(TaskCreationOptions.RunContinuationsAsynchronously, PassThroughLoop.Continuations);
        var pair = await ProxiedPair.StartAsync();
        await Echo(pair.Client, pair.Accepted, "open while stopping"u8.ToArray());
        pair.Client.Shutdown(SocketShutdown.Send);
        pair.Accepted.Shutdown(SocketShutdown.Send);

        await pair.DisposeAsync();

        Assert.NotEqual("chaos pass-through", Thread.CurrentThread.Name);
    }

    [Fact(Timeout = 30_000)]
    public async Task LoopSwitchedOff_ConnectionStaysOnTheManagedPumps()
    {
        await using var pair = await ProxiedPair.StartAsync(new RelayOptions { PassThroughLoop = false });
        var (proxies, client, accepted) = (pair.Proxies, pair.Client, pair.Accepted);

        await Echo(client, accepted, "managed"u8.ToArray());

        Assert.Equal(1, Listener(proxies).Live);
        Assert.Equal(0, Listener(proxies).PassingThrough);
    }

    [Fact(Timeout = 30_000)]
    public async Task ClientResetsInTheLoop_ServerGetsRst_AndTheCloseSaysClientReset()
    {
        await using var pair = await ProxiedPair.StartAsync();
        var (proxies, client, accepted) = (pair.Proxies, pair.Client, pair.Accepted);
        await Echo(client, accepted, "before the reset"u8.ToArray());

        Peers.Reset(client);

        Assert.Equal(SocketError.ConnectionReset, await Peers.ReceiveErrorAsync(accepted));
        var closed = await proxies.Events.WaitForAsync<ConnectionClosed>();
        Assert.Equal(CloseReason.ClientReset, closed.Reason);
        Assert.Equal(16, closed.BytesUpstream);
    }

    /// <summary>A server socket of the test's, a proxy "web" in front of it, and one connection through it, seen from both ends.</summary>
    private sealed record ProxiedPair(Socket Server, TestProxies Proxies, Socket Client, Socket Accepted) : IAsyncDisposable
    {
        public static async Task<ProxiedPair> StartAsync(RelayOptions? options = null, IPAddress? address = null, string[]? toxics = null)
        {
            var server = Peers.Listen(address);
            var host = (address ?? IPAddress.Loopback).ToString();
            var proxy = TestProxies.To("web", (IPEndPoint)server.LocalEndPoint!, host) with { Toxics = [.. (toxics ?? []).Select(TestProxies.Toxic)] };
            var proxies = await TestProxies.StartAsync(options, proxy);
            var client = await Peers.ConnectAsync(proxies["web"]);
            return new ProxiedPair(server, proxies, client, await server.AcceptAsync());
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            Accepted.Dispose();
            await Proxies.DisposeAsync();
            Server.Dispose();
        }
    }

    /// <summary>Client to server and back, each read exactly.</summary>
    private static async Task Echo(Socket client, Socket server, byte[] message)
    {
        await Peers.SendAllAsync(client, message);
        Assert.Equal(message, await ReadExactlyAsync(server, message.Length));
        await Peers.SendAllAsync(server, message);
        Assert.Equal(message, await ReadExactlyAsync(client, message.Length));
    }

    private static async Task SendThenFinAsync(Socket socket, byte[] data)
    {
        await Peers.SendAllAsync(socket, data);
        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var got = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            Assert.True(got > 0, $"the stream ended after {read} of {count} bytes");
            read += got;
        }
        return buffer;
    }

    /// <summary>CPU time (nanoseconds, from /proc's schedstat) of each pass-through loop thread of this process.</summary>
    private static Dictionary<string, long> LoopThreadCpu()
    {
        var cpu = new Dictionary<string, long>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("chaos pass-thro", StringComparison.Ordinal))
                {
                    var schedstat = File.ReadAllText(Path.Combine(task, "schedstat"));
                    cpu[Path.GetFileName(task)] = long.Parse(schedstat.Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // A thread-pool thread that ended since the listing; loop threads never end.
            }
        }
        return cpu;
    }

    /// <summary>A server that answers each connection's 7-byte request with the same bytes, then closes it when the client does.</summary>
    private static async Task AnswerEachConnectionOnceAsync(Socket listener, CancellationToken stop)
    {
        var answering = new List<Task>();
        try
        {
            while (true)
            {
                var accepted = await listener.AcceptAsync(stop);
                answering.Add(Task.Run(async () =>
                {
                    using (accepted)
                    {
                        await Peers.SendAllAsync(accepted, await ReadExactlyAsync(accepted, 7));
                        await Peers.ReadToEndAsync(accepted);
                    }
                }, CancellationToken.None));
            }
        }
        catch (OperationCanceledException)
        {
            await Task.WhenAll(answering);
        }
    }

    private static ProxyListener Listener(TestProxies proxies) => proxies.Runtime.Registry.Find("web")!.Listener!;

    private static (long Upstream, long Downstream) Relayed(TestProxies proxies) => proxies.Runtime.Registry.Find("web")!.BytesRelayed();

    /// <summary>Replaces the proxy's toxics with these.</summary>
    private static void Publish(TestProxies proxies, params string[] toxics) =>
        proxies.Runtime.Registry.Find("web")!.Context.Toxics.Publish(toxics.Select(TestProxies.Toxic));

    /// <summary>Until the count is above 0 and has not moved for a while: the receiver's buffer is full and the relay is held.</summary>
    private static async Task WaitUntilStalledAsync(Func<long> count)
    {
        var last = -1L;
        await WaitUntilAsync(() =>
        {
            var now = count();
            var stalled = now > 0 && now == last;
            last = now;
            return stalled;
        }, poll: TimeSpan.FromMilliseconds(100));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? poll = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the condition did not come true within 10 s");
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(10));
        }
    }
}
