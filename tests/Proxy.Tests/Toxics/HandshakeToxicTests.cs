using System.Diagnostics;
using System.Net.Sockets;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Toxics;

/// <summary>accept_* and connect_*: the client's connect() succeeds (the kernel did the handshake); then what each peer sees.</summary>
public sealed class HandshakeToxicTests
{
    [Theory(Timeout = 30_000)]
    [InlineData("{type: accept_reset}")]
    [InlineData("{type: connect_fail}")]
    [InlineData("{type: connect_fail, attributes: {with: reset}}")]
    public async Task Reset_BeforeDial_ClientGetsResetAndServerNeverSeesIt(string toxic)
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, toxic);

        Assert.Equal(SocketError.ConnectionReset, await Peers.ConnectAndReceiveErrorAsync(proxies["web"]));
        await AssertNeverAcceptedAsync(server);
        Assert.Equal(CloseReason.ToxicReset, (await proxies.Events.WaitForAsync<ConnectionClosed>()).Reason);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("{type: accept_close}")]
    [InlineData("{type: connect_fail, attributes: {with: close}}")]
    public async Task Close_BeforeDial_ClientReadsEofAndServerNeverSeesIt(string toxic)
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, toxic);
        using var client = await Peers.ConnectAsync(proxies["web"]);
        await Peers.SendAllAsync(client, "unread request"u8.ToArray());

        Assert.Empty(await Peers.ReadToEndAsync(client)); // FIN, not RST, although the request was never read
        await AssertNeverAcceptedAsync(server);
        Assert.Contains(proxies.Events.OfType<ToxicActed>(), e => e.Decision == "close (FIN)");
    }

    [Theory(Timeout = 30_000)]
    [InlineData("{type: accept_reset, attributes: {delay: 400}}")]
    [InlineData("{type: accept_close, attributes: {delay: 400}}")]
    public async Task EndWithDelay_ClientConnectedThenEndsAfterTheDelay(string toxic)
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, toxic);
        var clock = Stopwatch.StartNew();
        using var client = await Peers.ConnectAsync(proxies["web"]);

        await Peers.ReceiveErrorAsync(client);

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(380), TimeSpan.FromSeconds(5));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("{type: accept_delay, attributes: {delay: 2000}}")]
    [InlineData("{type: connect_delay, attributes: {delay: 2000}}")]
    public async Task Delay_BeforeDial_ServerSeesTheConnectionLate(string toxic)
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, toxic);
        var clock = Stopwatch.StartNew();
        using var client = await Peers.ConnectAsync(proxies["web"]);
        var connected = clock.Elapsed;

        using var accepted = await server.AcceptAsync();

        // A long delay keeps "the client did not wait for it" distinguishable on a loaded machine.
        Assert.True(connected < TimeSpan.FromMilliseconds(1500), $"the client's connect took {connected}");
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(1950), TimeSpan.FromSeconds(8));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("{name: stuck, type: accept_hang}")]
    [InlineData("{name: stuck, type: connect_hang}")]
    public async Task Hang_UntilRemoved_ThenTheConnectionIsServed(string toxic)
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, toxic);
        using var client = await Peers.ConnectAsync(proxies["web"]);
        await Peers.SendAllAsync(client, "held"u8.ToArray());
        await AssertNeverAcceptedAsync(server);
        await proxies.Events.WaitForAsync<ToxicActed>(e => e.Toxic == "stuck");

        await proxies.Runtime.Registry.RemoveToxicAsync("web", "stuck");

        using var accepted = await server.AcceptAsync();
        var buffer = new byte[4];
        Assert.Equal(4, await accepted.ReceiveAsync(buffer, SocketFlags.None));
        Assert.Equal("held"u8.ToArray(), buffer);
        await proxies.Events.WaitForAsync<ToxicReleased>(e => e.Toxic == "stuck");
    }

    [Fact(Timeout = 30_000)]
    public async Task Hang_ProxyStops_HungClientGetsFin()
    {
        using var server = Peers.Listen();
        var proxies = await TestProxies.InFrontOfAsync(server, "{type: accept_hang}");
        using var client = await Peers.ConnectAsync(proxies["web"]);
        await proxies.Events.WaitForAsync<ToxicActed>();

        await proxies.DisposeAsync();

        Assert.Empty(await Peers.ReadToEndAsync(client));
    }

    /// <summary>No connection reaches the server within 300 ms. Poll looks at the accept queue without taking from it.</summary>
    internal static async Task AssertNeverAcceptedAsync(Socket server) =>
        Assert.False(await Task.Run(() => server.Poll(TimeSpan.FromMilliseconds(300), SelectMode.SelectRead)), "the server saw a connection");
}
