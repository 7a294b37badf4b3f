using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;
using Chaos.Proxy.Toxics;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.Reliability;

/// <summary>One failing part (a toxic, a sink) never takes down the others: issue 10, failure isolation.</summary>
public sealed class FailureIsolationTests
{
    [Fact(Timeout = 30_000)]
    public async Task Relay_ToxicThrowsOnOneConnection_OnlyThatConnectionResetAndReportedOnce()
    {
        await using var proxies = await TestProxies.StartAsync(null, TestProxies.ToBuiltin("web", BuiltinUpstream.Echo));
        var spec = TestProxies.Toxic("{name: broken, type: first_byte_delay, stream: upstream, attributes: {delay: 1}, where: {connections: \"1\"}}");
        proxies.Runtime.Registry.Find("web")!.Context.Toxics.Publish(
            ImmutableArray.Create(new ActiveToxic(-1, spec, LifecyclePoint.FirstByte, new ThrowingToxic())));

        using (var first = await Peers.ConnectAsync(proxies["web"]))
        {
            await Peers.SendAllAsync(first, "hello"u8.ToArray());
            Assert.Equal(SocketError.ConnectionReset, await Peers.ReceiveErrorAsync(first));
        }
        using var second = await Peers.ConnectAsync(proxies["web"]);
        await Peers.SendAllAsync(second, "still here"u8.ToArray());
        second.Shutdown(SocketShutdown.Send);

        Assert.Equal("still here", Encoding.ASCII.GetString(await Peers.ReadToEndAsync(second)));
        var fault = Assert.Single(proxies.Events.OfType<ConnectionFaulted>());
        Assert.Equal(1, fault.Connection);
        Assert.Contains("planted failure", fault.Error, StringComparison.Ordinal);
        var closed = await proxies.Events.WaitForAsync<ConnectionClosed>(c => c.Connection == 1);
        Assert.Equal(CloseReason.Error, closed.Reason);
    }

    [Fact(Timeout = 30_000)]
    public async Task Relay_EventsFileOnFullDisk_RelayGoesOnAndSinkDetachedOnce()
    {
        var log = new EventLog();
        using var file = new EventsFile("/dev/full");
        var spec = TestProxies.ToBuiltin("web", BuiltinUpstream.Echo);
        var runtime = await ChaosRuntime.StartAsync(
            TestProxies.ScenarioOf(spec), [file, log], new RelayOptions(), TimeProvider.System);
        try
        {
            var address = runtime.Registry.Find("web")!.ListenEndPoint!;
            for (var i = 0; i < 3; i++)
            {
                using var client = await Peers.ConnectAsync(address);
                await Peers.SendAllAsync(client, "ping"u8.ToArray());
                client.Shutdown(SocketShutdown.Send);
                Assert.Equal("ping", Encoding.ASCII.GetString(await Peers.ReadToEndAsync(client)));
            }
        }
        finally
        {
            await runtime.DisposeAsync(); // the file sink is a queued subscriber: disposing delivers all it was sent
        }

        Assert.Equal(3, log.OfType<ConnectionClosed>().Count());
        var detached = Assert.Single(log.OfType<SubscriberDetached>());
        Assert.Equal(nameof(EventsFile), detached.Subscriber);
    }

    [Fact(Timeout = 30_000)]
    public async Task Relay_ClientResetsWhileFirstByteHangHolds_ServerGetsRstAndConnectionCloses()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: first_byte_hang, stream: upstream}");
        var client = await Peers.ConnectAsync(proxies["web"]);
        using var upstream = await server.AcceptAsync();
        await Peers.SendAllAsync(client, "held"u8.ToArray());
        await proxies.Events.WaitForAsync<ToxicActed>();

        Peers.Reset(client);

        Assert.Equal(SocketError.ConnectionReset, await Peers.ReceiveErrorAsync(upstream));
        var closed = await proxies.Events.WaitForAsync<ConnectionClosed>();
        Assert.Equal(CloseReason.ClientReset, closed.Reason);
    }

    [Fact(Timeout = 30_000)]
    public async Task Relay_ClientResetsWhileAcceptHangHolds_ConnectionCloses()
    {
        await using var proxies = await TestProxies.StartAsync(null,
            TestProxies.ToBuiltin("web", BuiltinUpstream.Echo) with { Toxics = [TestProxies.Toxic("{type: accept_hang}")] });
        var client = await Peers.ConnectAsync(proxies["web"]);
        await proxies.Events.WaitForAsync<ToxicActed>();

        Peers.Reset(client);

        var closed = await proxies.Events.WaitForAsync<ConnectionClosed>();
        Assert.Equal(CloseReason.ClientReset, closed.Reason);
    }

    private sealed class ThrowingToxic : IFirstByteToxic
    {
        public Decision OnFirstByte() => throw new InvalidOperationException("planted failure");
    }
}
