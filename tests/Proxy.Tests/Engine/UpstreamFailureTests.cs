using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Engine;

/// <summary>When the upstream is not there, the client learns it at once (RST), and nothing else is held up.</summary>
public sealed class UpstreamFailureTests
{
    [Fact(Timeout = 30_000)]
    public async Task Refused_NothingListensUpstream_ClientGetsResetAndNextClientIsServed()
    {
        IPEndPoint upstream;
        using (var probe = Peers.Listen())
        {
            upstream = (IPEndPoint)probe.LocalEndPoint!;
        }
        await using var proxies = await TestProxies.StartAsync(null, TestProxies.To("web", upstream));

        Assert.Equal(SocketError.ConnectionReset, await Peers.ConnectAndReceiveErrorAsync(proxies["web"]));
        var failed = await proxies.Events.WaitForAsync<UpstreamFailed>();
        Assert.Equal(CloseReason.UpstreamRefused, failed.Reason);

        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(upstream);
        server.Listen();
        using var served = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();
        await Peers.SendAllAsync(served, "ping"u8.ToArray());
        var buffer = new byte[4];
        Assert.Equal(4, await accepted.ReceiveAsync(buffer, SocketFlags.None));
        Assert.Equal("ping"u8.ToArray(), buffer);
    }

    [Fact(Timeout = 60_000)]
    public async Task Blackhole_UpstreamNeverAnswersSyn_OtherProxiesAndClientsAreNotDelayed()
    {
        // Listen(0) plus one connection that is never accepted fills the accept queue: later SYNs are dropped.
        using var blackhole = Peers.Listen(backlog: 0);
        using var plug = await Peers.ConnectAsync(blackhole.LocalEndPoint!);
        using var echo = Peers.Listen();
        var options = new RelayOptions { ConnectTimeout = TimeSpan.FromSeconds(4) };
        await using var proxies = await TestProxies.StartAsync(options,
            TestProxies.To("stuck", (IPEndPoint)blackhole.LocalEndPoint!),
            TestProxies.To("fine", (IPEndPoint)echo.LocalEndPoint!));

        var stuckClients = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Peers.ConnectAsync(proxies["stuck"])));
        var clock = Stopwatch.StartNew();
        using var client = await Peers.ConnectAsync(proxies["fine"]);
        using var accepted = await echo.AcceptAsync();
        await Peers.SendAllAsync(client, "x"u8.ToArray());
        Assert.Equal(1, await accepted.ReceiveAsync(new byte[1], SocketFlags.None));
        var servedIn = clock.Elapsed;

        Assert.True(servedIn < TimeSpan.FromSeconds(2), $"the other proxy took {servedIn.TotalMilliseconds} ms");

        // Every stuck client is accepted (the accept loop does not wait for a dial) and dialling, long before the
        // dial timeout; not necessarily before the other proxy served its client, on a busy machine.
        await proxies.Events.WaitForAsync<UpstreamConnecting>(e => e.Proxy == "stuck" && e.Connection == 5, TimeSpan.FromSeconds(2));
        Assert.Equal(5, proxies.Events.OfType<UpstreamConnecting>().Count(e => e.Proxy == "stuck"));

        // After the connect timeout each stuck client gets an RST.
        foreach (var stuck in stuckClients)
        {
            Assert.Equal(SocketError.ConnectionReset, await Peers.ReceiveErrorAsync(stuck));
            stuck.Dispose();
        }
        Assert.All(proxies.Events.OfType<UpstreamFailed>(), f => Assert.Equal(CloseReason.UpstreamTimeout, f.Reason));
    }
}
