using System.Net.Sockets;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.Engine;

public sealed class ShutdownTests
{
    [Fact(Timeout = 30_000)]
    public async Task Stop_OpenIdleConnection_ClientGetsFinAndListenerIsClosed()
    {
        var proxies = await TestProxies.StartAsync(null, TestProxies.ToBuiltin("web", BuiltinUpstream.Echo));
        var address = proxies["web"];
        using var client = await Peers.ConnectAsync(address);
        await proxies.Events.WaitForAsync<UpstreamConnected>();

        await proxies.DisposeAsync();

        Assert.Empty(await Peers.ReadToEndAsync(client));
        var refused = await Assert.ThrowsAsync<SocketException>(() => Peers.ConnectAsync(address));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        var closed = Assert.Single(proxies.Events.OfType<ConnectionClosed>());
        Assert.Equal(CloseReason.ProxyStopped, closed.Reason);
        Assert.Contains(proxies.Events.OfType<ProxyStopped>(), e => e.Proxy == "web");
    }
}
