using System.Net;
using System.Net.Sockets;
using System.Text;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.Engine;

/// <summary>Applying a changed scenario through the registry: new connections see the change, live ones are not dropped.</summary>
public sealed class ReloadTests
{
    [Fact(Timeout = 30_000)]
    public async Task Apply_UpstreamChanged_LiveConnectionKeepsOldUpstreamAndNewOnesUseNew()
    {
        var echo = TestProxies.ToBuiltin("web", BuiltinUpstream.Echo);
        await using var proxies = await TestProxies.StartAsync(null, echo);
        var address = proxies["web"];
        using var live = await Peers.ConnectAsync(address);
        await proxies.Events.WaitForAsync<UpstreamConnected>(); // accepted and dialled before the change

        var problems = await proxies.Runtime.Registry.ApplyAsync([echo with { Upstream = UpstreamSpec.Of(BuiltinUpstream.Http) }]);

        Assert.Empty(problems);
        Assert.Equal(address, proxies["web"]);
        Assert.Equal("still echoing", await EchoAsync(live, "still echoing"));
        using var http = new HttpClient();
        Assert.Equal("builtin:http connection 1, request 1: GET /\n", await http.GetStringAsync($"http://{address}/"));
        Assert.Equal(2, proxies.Runtime.Registry.Find("web")!.ConnectionsAccepted);
    }

    [Fact(Timeout = 30_000)]
    public async Task Apply_ListenChanged_OldAddressRefusesButLiveConnectionContinues()
    {
        var spec = TestProxies.ToBuiltin("web", BuiltinUpstream.Echo);
        await using var proxies = await TestProxies.StartAsync(null, spec);
        var oldAddress = proxies["web"];
        using var live = await Peers.ConnectAsync(oldAddress);

        await proxies.Runtime.Registry.ApplyAsync([spec with { Listen = new HostPort("::1", 0) }]);

        Assert.Equal(IPAddress.IPv6Loopback, proxies["web"].Address);
        Assert.Equal(SocketError.ConnectionRefused, await Peers.ConnectAndReceiveErrorAsync(oldAddress));
        Assert.Equal("kept", await EchoAsync(live, "kept"));
        using var fresh = await Peers.ConnectAsync(proxies["web"]);
        Assert.Equal("over v6", await EchoAsync(fresh, "over v6"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Apply_ProxyAddedRemovedAndDisabled_RegistryMatchesTheNewScenario()
    {
        var a = TestProxies.ToBuiltin("a", BuiltinUpstream.Echo);
        var b = TestProxies.ToBuiltin("b", BuiltinUpstream.Echo);
        await using var proxies = await TestProxies.StartAsync(null, a, b);
        var bAddress = proxies["b"];
        using var onA = await Peers.ConnectAsync(proxies["a"]);
        await proxies.Events.WaitForAsync<UpstreamConnected>(e => e.Proxy == "a");

        var c = TestProxies.ToBuiltin("c", BuiltinUpstream.Http);
        await proxies.Runtime.Registry.ApplyAsync([a with { Enabled = false }, c]);

        Assert.Equal(["a", "c"], proxies.Runtime.Registry.Proxies.Select(p => p.Name).Order());
        Assert.Null(proxies.Runtime.Registry.Find("a")!.ListenEndPoint);
        Assert.Empty(await Peers.ReadToEndAsync(onA)); // disabling closes live connections with FIN, as Toxiproxy does
        Assert.Equal(SocketError.ConnectionRefused, await Peers.ConnectAndReceiveErrorAsync(bAddress));
        using var onC = await Peers.ConnectAsync(proxies["c"]);
        Assert.Contains(proxies.Events.OfType<ProxyStopped>(), e => e.Proxy == "b");
    }

    [Fact(Timeout = 30_000)]
    public async Task Apply_ToxicAdded_NewConnectionsMeetItWithoutRestart()
    {
        var spec = TestProxies.ToBuiltin("web", BuiltinUpstream.Echo);
        await using var proxies = await TestProxies.StartAsync(null, spec);
        var address = proxies["web"];
        using var live = await Peers.ConnectAsync(address);
        // Until the proxy has accepted it, the connection waits in the kernel's queue and would meet the new toxic.
        await proxies.Events.WaitForAsync<UpstreamConnected>();

        await proxies.Runtime.Registry.ApplyAsync([spec with { Toxics = [TestProxies.Toxic("{type: accept_reset}")] }]);

        Assert.Equal(address, proxies["web"]);
        Assert.Equal(SocketError.ConnectionReset, await Peers.ConnectAndReceiveErrorAsync(address));
        Assert.Equal("untouched", await EchoAsync(live, "untouched")); // accept toxics act on new connections only
    }

    [Fact(Timeout = 30_000)]
    public async Task Apply_NewListenAddressTaken_ReportsOneLineAndKeepsTheProxyAsItWas()
    {
        using var taken = Peers.Listen();
        var spec = TestProxies.ToBuiltin("web", BuiltinUpstream.Echo);
        await using var proxies = await TestProxies.StartAsync(null, spec);
        var address = proxies["web"];

        var takenAt = (IPEndPoint)taken.LocalEndPoint!;
        var problems = await proxies.Runtime.Registry.ApplyAsync([spec with { Listen = new HostPort("127.0.0.1", takenAt.Port) }]);

        Assert.Equal($"proxy 'web' cannot listen on {takenAt}: address already in use", Assert.Single(problems));
        Assert.Equal(address, proxies["web"]);
        using var client = await Peers.ConnectAsync(address);
        Assert.Equal("alive", await EchoAsync(client, "alive"));
    }

    private static async Task<string> EchoAsync(Socket socket, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        await Peers.SendAllAsync(socket, bytes);
        var buffer = new byte[bytes.Length];
        var read = 0;
        while (read < buffer.Length)
        {
            var count = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            Assert.NotEqual(0, count);
            read += count;
        }
        return Encoding.ASCII.GetString(buffer);
    }
}
