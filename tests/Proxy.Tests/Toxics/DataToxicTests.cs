using System.Diagnostics;
using System.Net.Sockets;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Toxics;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Toxics;

/// <summary>Toxiproxy's data toxics, measured at the receiving peer.</summary>
public sealed class DataToxicTests
{
    [Fact(Timeout = 30_000)]
    public async Task Latency_Downstream_EachReplyArrivesLateButBytesIntact()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: latency, attributes: {latency: 300, jitter: 20}}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();

        var clock = Stopwatch.StartNew();
        await Peers.SendAllAsync(accepted, "delayed reply"u8.ToArray());
        var received = await ReceiveExactlyAsync(client, 13);

        Assert.Equal("delayed reply"u8.ToArray(), received);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(275), TimeSpan.FromSeconds(5));
        var acted = await proxies.Events.WaitForAsync<ToxicActed>();
        Assert.Equal(Direction.Downstream, acted.Stream);
    }

    [Theory]
    [InlineData("{type: latency, attributes: {latency: 100}}", false)]
    [InlineData("{type: latency, attributes: {latency: 100, jitter: 10}}", true)]
    [InlineData("{type: slicer, attributes: {average_size: 64}}", false)]
    [InlineData("{type: slicer, attributes: {average_size: 64, size_variation: 16}}", true)]
    [InlineData("{type: bandwidth, attributes: {rate: 100}}", false)]
    public void Stage_MakesItsSeededGeneratorOnlyWhereItDrawsFromIt(string toxic, bool draws)
    {
        // Each generator is about 300 bytes a direction, held as long as an idle connection lives.
        var made = false;
        var behaviour = (IDataToxic)ToxicFactory.Create(TestProxies.Toxic(toxic));

        behaviour.CreateStage(() =>
        {
            made = true;
            return new Random(1);
        });

        Assert.Equal(draws, made);
    }

    [Fact(Timeout = 60_000)]
    public async Task Latency_BulkTransfer_DelayLineDoesNotCapThroughput()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: latency, stream: upstream, attributes: {latency: 100}}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();
        var payload = new byte[32 * 1024 * 1024];
        Random.Shared.NextBytes(payload);

        var clock = Stopwatch.StartNew();
        var sending = Task.Run(async () =>
        {
            await Peers.SendAllAsync(client, payload);
            client.Shutdown(SocketShutdown.Send);
        });
        var received = await Peers.ReadToEndAsync(accepted);
        await sending;

        // A per-chunk sleep (Toxiproxy's latency) would need ~256 chunks x 100 ms = 25 s for this.
        Assert.Equal(payload, received);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), $"32 MiB took {clock.Elapsed}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Bandwidth_RateLimited_TransferTakesSizeOverRate()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: bandwidth, stream: upstream, attributes: {rate: 100}}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();

        var clock = Stopwatch.StartNew();
        await Peers.SendAllAsync(client, new byte[60_000]);
        client.Shutdown(SocketShutdown.Send);
        var received = await Peers.ReadToEndAsync(accepted);

        Assert.Equal(60_000, received.Length);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(550), TimeSpan.FromSeconds(6)); // 60 KB at 100 KB/s
    }

    [Fact(Timeout = 30_000)]
    public async Task Slicer_SmallSlicesWithDelay_ArriveIntactAndSpreadOut()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server,
            "{type: slicer, stream: upstream, attributes: {average_size: 100, size_variation: 20, delay: 50000}}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();
        var payload = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();

        var clock = Stopwatch.StartNew();
        await Peers.SendAllAsync(client, payload);
        client.Shutdown(SocketShutdown.Send);
        var reads = 0;
        using var received = new MemoryStream();
        var buffer = new byte[4096];
        int count;
        while ((count = await accepted.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            reads++;
            received.Write(buffer, 0, count);
        }

        Assert.Equal(payload, received.ToArray());
        Assert.True(reads >= 5, $"only {reads} reads: the slices were not spread out");
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(6)); // ~8 slices, 50 ms apart
    }

    [Fact(Timeout = 30_000)]
    public async Task LimitData_Downstream_ExactlyThatManyBytesThenEof()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: limit_data, attributes: {bytes: 1000}}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();

        await Peers.SendAllAsync(accepted, new byte[5000]);

        Assert.Equal(1000, (await Peers.ReadToEndAsync(client)).Length);
        Assert.Empty(await Peers.ReadToEndAsync(accepted)); // the server got a FIN too
        client.Shutdown(SocketShutdown.Send);
        accepted.Shutdown(SocketShutdown.Send);
        var closed = await proxies.Events.WaitForAsync<ConnectionClosed>(timeout: TimeSpan.FromSeconds(2));
        Assert.Equal((CloseReason.ToxicClosed, 1000), (closed.Reason, closed.BytesDownstream));
    }

    [Fact(Timeout = 30_000)]
    public async Task Timeout_Downstream_DataDroppedThenClosedAfterTimeout()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: timeout, attributes: {timeout: 500}}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();

        var clock = Stopwatch.StartNew();
        await Peers.SendAllAsync(accepted, "never seen"u8.ToArray());

        Assert.Empty(await Peers.ReadToEndAsync(client));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(480), TimeSpan.FromSeconds(5));
    }

    [Fact(Timeout = 30_000)]
    public async Task ResetPeer_Upstream_BothSidesResetAfterTimeout()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: reset_peer, stream: upstream, attributes: {timeout: 300}}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();

        var clock = Stopwatch.StartNew();
        await Peers.SendAllAsync(client, "request"u8.ToArray());

        Assert.Equal(SocketError.ConnectionReset, await Peers.ReceiveErrorAsync(client));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(280), TimeSpan.FromSeconds(5));
        Assert.Equal(SocketError.ConnectionReset, await Peers.ReceiveErrorAsync(accepted));
    }

    [Fact(Timeout = 30_000)]
    public async Task SlowClose_ServerCloses_ClientSeesEofLate()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: slow_close, attributes: {delay: 400}}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();

        var clock = Stopwatch.StartNew();
        accepted.Shutdown(SocketShutdown.Send);

        Assert.Empty(await Peers.ReadToEndAsync(client));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(380), TimeSpan.FromSeconds(5));
    }

    [Fact(Timeout = 30_000)]
    public async Task Noop_Selected_DataUnchangedAndTheToxicIsReported()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{name: count-me, type: noop}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();

        await Peers.SendAllAsync(accepted, "same"u8.ToArray());

        Assert.Equal("same"u8.ToArray(), await ReceiveExactlyAsync(client, 4));
        Assert.Equal("count-me", (await proxies.Events.WaitForAsync<ToxicActed>()).Toxic);
    }

    [Fact(Timeout = 30_000)]
    public async Task Latency_RemovedWhileDataHeld_HeldDataIsDeliveredAtOnce()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{name: slow, type: latency, attributes: {latency: 20000}}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();
        await Peers.SendAllAsync(accepted, "held"u8.ToArray());
        await proxies.Events.WaitForAsync<ToxicActed>();

        var clock = Stopwatch.StartNew();
        await proxies.Runtime.Registry.RemoveToxicAsync("web", "slow");

        Assert.Equal("held"u8.ToArray(), await ReceiveExactlyAsync(client, 4));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"released data took {clock.Elapsed}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Latency_UpdatedWhileConnectionOpen_OpenConnectionFollowsTheNewValue()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{name: slow, type: latency, attributes: {latency: 3000}}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();
        await Peers.SendAllAsync(accepted, "a"u8.ToArray());
        await ReceiveExactlyAsync(client, 1);

        await proxies.Runtime.Registry.UpdateToxicAsync("web", TestProxies.Toxic("{name: slow, type: latency, attributes: {latency: 10}}"));
        var clock = Stopwatch.StartNew();
        await Peers.SendAllAsync(accepted, "b"u8.ToArray());
        await ReceiveExactlyAsync(client, 1);

        // Well under the old 3 s, with room for a loaded machine (1.07 s was seen under load against a 1.5 s latency).
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(2500), $"the open connection still took {clock.Elapsed}");
    }

    internal static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int length)
    {
        var buffer = new byte[length];
        for (var read = 0; read < length;)
        {
            var count = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            Assert.NotEqual(0, count);
            read += count;
        }
        return buffer;
    }
}
