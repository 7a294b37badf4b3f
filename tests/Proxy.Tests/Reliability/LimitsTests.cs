using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.Reliability;

/// <summary>Per-proxy max_connections and idle_timeout, and the drain deadline of a graceful stop.</summary>
public sealed class LimitsTests
{
    [Theory(Timeout = 30_000)]
    [InlineData(OverLimitAction.Reset)]
    [InlineData(OverLimitAction.Refuse)]
    public async Task Accept_AtMaxConnections_NewClientTurnedAwayAndReported(OverLimitAction action)
    {
        var spec = TestProxies.ToBuiltin("web", BuiltinUpstream.Echo) with { Limits = new ProxyLimits(2, action, null) };
        await using var proxies = await TestProxies.StartAsync(null, spec);
        using var first = await Peers.ConnectAsync(proxies["web"]);
        using var second = await Peers.ConnectAsync(proxies["web"]);
        await proxies.Events.WaitForAsync<UpstreamConnected>(e => e.Connection == 2);

        var turnedAway = await Peers.ConnectAndReceiveErrorAsync(proxies["web"]);

        Assert.Equal(action == OverLimitAction.Reset ? SocketError.ConnectionReset : SocketError.Success, turnedAway);
        var rejected = await proxies.Events.WaitForAsync<ConnectionRejected>();
        Assert.Equal((2, action == OverLimitAction.Reset ? "reset" : "refuse"), (rejected.Limit, rejected.Action));
        Assert.Equal(2, proxies.Events.OfType<ConnectionAccepted>().Count());
    }

    [Fact(Timeout = 30_000)]
    public async Task Accept_ConnectionClosedBelowLimit_NextClientServed()
    {
        var spec = TestProxies.ToBuiltin("web", BuiltinUpstream.Echo) with { Limits = new ProxyLimits(1, OverLimitAction.Reset, null) };
        await using var proxies = await TestProxies.StartAsync(null, spec);
        using (var first = await Peers.ConnectAsync(proxies["web"]))
        {
            first.Shutdown(SocketShutdown.Send);
            await Peers.ReadToEndAsync(first);
        }
        await proxies.Events.WaitForAsync<ConnectionClosed>(e => e.Connection == 1);
        await WaitUntilAsync(() => proxies.Runtime.Registry.Find("web")!.Listener!.Live == 0);

        using var next = await Peers.ConnectAsync(proxies["web"]);
        await Peers.SendAllAsync(next, "ok"u8.ToArray());
        next.Shutdown(SocketShutdown.Send);

        Assert.Equal("ok", Encoding.ASCII.GetString(await Peers.ReadToEndAsync(next)));
        Assert.Empty(proxies.Events.OfType<ConnectionRejected>());
    }

    [Fact(Timeout = 30_000)]
    public async Task Relay_IdleLongerThanIdleTimeout_BothSidesGetFinAndReasonIsIdle()
    {
        var spec = TestProxies.ToBuiltin("web", BuiltinUpstream.Echo) with
        {
            Limits = new ProxyLimits(null, OverLimitAction.Reset, TimeSpan.FromMilliseconds(400)),
        };
        await using var proxies = await TestProxies.StartAsync(null, spec);
        using var idle = await Peers.ConnectAsync(proxies["web"]);
        using var busy = await Peers.ConnectAsync(proxies["web"]);
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < 12; i++)
        {
            await Peers.SendAllAsync(busy, "x"u8.ToArray());
            Assert.Equal(1, await busy.ReceiveAsync(new byte[1], SocketFlags.None));
            await Task.Delay(100);
        }
        var closed = await proxies.Events.WaitForAsync<ConnectionClosed>(e => e.Connection == 1);

        Assert.Empty(await Peers.ReadToEndAsync(idle));
        Assert.Equal(CloseReason.IdleTimeout, closed.Reason);
        Assert.InRange(closed.Duration, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(10));
        Assert.True(watch.Elapsed > TimeSpan.FromSeconds(1), "the busy connection ran past the idle timeout");
        Assert.DoesNotContain(proxies.Events.OfType<ConnectionClosed>(), e => e.Connection == 2);
    }

    [Fact(Timeout = 30_000)]
    public async Task Stop_PeerIgnoresFin_ClosedHardAfterDrainTimeout()
    {
        using var server = Peers.Listen();
        var options = new RelayOptions { DrainTimeout = TimeSpan.FromMilliseconds(800) };
        var proxies = await TestProxies.StartAsync(options, TestProxies.To("web", (IPEndPoint)server.LocalEndPoint!));
        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var upstream = await server.AcceptAsync();
        await proxies.Events.WaitForAsync<UpstreamConnected>();
        var watch = Stopwatch.StartNew();

        await proxies.DisposeAsync();

        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(10));
        Assert.Empty(await Peers.ReadToEndAsync(client));
        var closed = Assert.Single(proxies.Events.OfType<ConnectionClosed>());
        Assert.Equal(CloseReason.ProxyStopped, closed.Reason);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition never held");
            await Task.Delay(10);
        }
    }
}
