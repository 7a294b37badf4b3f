using System.Diagnostics;
using System.Net.Sockets;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Toxics;

/// <summary>first_byte, fin and close toxics on a connection that is already relaying.</summary>
public sealed class StreamToxicTests
{
    [Fact(Timeout = 30_000)]
    public async Task FirstByteDelay_Upstream_OnlyTheFirstChunkIsLate()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: first_byte_delay, stream: upstream, attributes: {delay: 2000}}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();

        var first = await TimeOneByteAsync(client, accepted);
        var second = await TimeOneByteAsync(client, accepted);

        Assert.InRange(first, TimeSpan.FromMilliseconds(1950), TimeSpan.FromSeconds(8));
        Assert.True(second < TimeSpan.FromMilliseconds(1500), $"the second chunk took {second}");
    }

    [Fact(Timeout = 30_000)]
    public async Task FirstByteHang_Downstream_ChunkHeldUntilRemovedWhileUpstreamFlows()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{name: mute, type: first_byte_hang}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();
        await Peers.SendAllAsync(accepted, "answer"u8.ToArray());

        var receive = client.ReceiveAsync(new byte[16], SocketFlags.None);
        Assert.NotSame(receive, await Task.WhenAny(receive, Task.Delay(400)));
        await Peers.SendAllAsync(client, "q"u8.ToArray());
        Assert.Equal(1, await accepted.ReceiveAsync(new byte[1], SocketFlags.None));

        await proxies.Runtime.Registry.RemoveToxicAsync("web", "mute");
        Assert.Equal(6, await receive);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("first_byte_reset", SocketError.ConnectionReset)]
    [InlineData("first_byte_close", SocketError.Success)]
    public async Task FirstByteEnd_Upstream_BothSidesEndAndTheChunkIsNotForwarded(string type, SocketError bothSee)
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, $"{{type: {type}, stream: upstream}}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();

        await Peers.SendAllAsync(client, "request"u8.ToArray());

        Assert.Equal(bothSee, await Peers.ReceiveErrorAsync(client));
        Assert.Equal(bothSee, await Peers.ReceiveErrorAsync(accepted)); // Success here means EOF: nothing of the request arrived
    }

    [Fact(Timeout = 30_000)]
    public async Task FinDelay_ClientHalfCloses_ServerSeesEofLateAndCanStillReply()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: fin_delay, stream: upstream, attributes: {delay: 400}}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();
        var clock = Stopwatch.StartNew();

        client.Shutdown(SocketShutdown.Send);
        Assert.Empty(await Peers.ReadToEndAsync(accepted));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(380), TimeSpan.FromSeconds(5));

        await Peers.SendAllAsync(accepted, "late reply"u8.ToArray());
        accepted.Shutdown(SocketShutdown.Send);
        Assert.Equal("late reply"u8.ToArray(), await Peers.ReadToEndAsync(client));
    }

    [Fact(Timeout = 30_000)]
    public async Task FinDrop_ClientHalfCloses_ServerStaysHalfOpenUntilRemoved()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{name: keep-open, type: fin_drop, stream: upstream}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();

        client.Shutdown(SocketShutdown.Send);
        var eof = accepted.ReceiveAsync(new byte[1], SocketFlags.None);
        Assert.NotSame(eof, await Task.WhenAny(eof, Task.Delay(500)));
        await Peers.SendAllAsync(accepted, "still flowing"u8.ToArray());
        var buffer = new byte[13];
        Assert.Equal(13, await client.ReceiveAsync(buffer, SocketFlags.None));

        await proxies.Runtime.Registry.RemoveToxicAsync("web", "keep-open");
        Assert.Equal(0, await eof);
    }

    [Fact(Timeout = 30_000)]
    public async Task FinReset_ClientHalfCloses_ServerGetsResetAndClientGetsFin()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: fin_reset, stream: upstream}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();

        client.Shutdown(SocketShutdown.Send);

        Assert.Equal(SocketError.ConnectionReset, await Peers.ReceiveErrorAsync(accepted));
        Assert.Empty(await Peers.ReadToEndAsync(client));
        Assert.Equal(CloseReason.ToxicReset, (await proxies.Events.WaitForAsync<ConnectionClosed>()).Reason);
    }

    [Fact(Timeout = 30_000)]
    public async Task CloseReset_ServerClosesNormally_BothSidesGetReset()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: close_reset}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        var accepted = await server.AcceptAsync();
        await Peers.SendAllAsync(accepted, "bye"u8.ToArray());
        await Task.Delay(100);

        accepted.Shutdown(SocketShutdown.Send);

        var buffer = new byte[3];
        Assert.Equal(3, await client.ReceiveAsync(buffer, SocketFlags.None)); // data sent before the close still arrives
        Assert.Equal(SocketError.ConnectionReset, await Peers.ReceiveErrorAsync(client));
        Assert.Equal(SocketError.ConnectionReset, await Peers.ReceiveErrorAsync(accepted));
        accepted.Dispose();
    }

    [Fact(Timeout = 30_000)]
    public async Task CloseReset_NotSelected_OtherConnectionsCloseWithFin()
    {
        // Toxiproxy #603: an RST-on-close setting leaked to connections the toxic did not select.
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: close_reset, where: {connections: \"1\"}}");
        using var first = await Peers.ConnectAsync(proxies["web"]);
        using (var accepted = await server.AcceptAsync())
        {
            accepted.Shutdown(SocketShutdown.Send);
            Assert.Equal(SocketError.ConnectionReset, await Peers.ReceiveErrorAsync(first));
        }
        using var second = await Peers.ConnectAsync(proxies["web"]);
        using var acceptedSecond = await server.AcceptAsync();

        acceptedSecond.Shutdown(SocketShutdown.Send);

        Assert.Empty(await Peers.ReadToEndAsync(second));
    }

    private static async Task<TimeSpan> TimeOneByteAsync(Socket from, Socket to)
    {
        var clock = Stopwatch.StartNew();
        await Peers.SendAllAsync(from, "x"u8.ToArray());
        Assert.Equal(1, await to.ReceiveAsync(new byte[1], SocketFlags.None));
        return clock.Elapsed;
    }
}
