using System.Diagnostics;
using System.Net.Sockets;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.Toxics;

public sealed class TimelineTests
{
    [Fact(Timeout = 30_000)]
    public async Task Timeline_AddThenRemoveThenDisableThenEnable_AppliedAtTheirOffsets()
    {
        using var server = Peers.Listen();
        var scenario = ScenarioLoader.LoadText($$"""
            proxies:
              - name: web
                listen: 127.0.0.1:0
                upstream: {{server.LocalEndPoint}}
            timeline:
              - at: 300ms
                add: { proxy: web, toxic: { name: cut, type: accept_reset } }
              - at: 2500ms
                remove: { proxy: web, toxic: cut }
              - at: 3000ms
                disable: web
              - at: 4500ms
                enable: web
            """, "timeline.yaml").Scenario!;
        var clock = Stopwatch.StartNew();
        await using var proxies = await TestProxies.StartAsync(scenario);
        var address = proxies["web"];

        using (var before = await Peers.ConnectAsync(address))
        {
            (await server.AcceptAsync()).Dispose();
        }
        await proxies.Events.WaitForAsync<TimelineStepApplied>(e => e.Step.StartsWith("add", StringComparison.Ordinal));
        Assert.Equal(SocketError.ConnectionReset, await Peers.ConnectAndReceiveErrorAsync(address));

        await proxies.Events.WaitForAsync<TimelineStepApplied>(e => e.Step == "disable");
        Assert.Equal(SocketError.ConnectionRefused, await Peers.ConnectAndReceiveErrorAsync(address));

        await proxies.Events.WaitForAsync<TimelineStepApplied>(e => e.Step == "enable");
        using var after = await Peers.ConnectAsync(address);
        (await server.AcceptAsync()).Dispose();
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(4500), TimeSpan.FromSeconds(25));
        var started = proxies.Events.OfType<ProxyStarted>().First().Time;
        Assert.All(proxies.Events.OfType<TimelineStepApplied>(), e =>
        {
            Assert.Null(e.Error);
            Assert.InRange(e.Time - started, e.At - TimeSpan.FromMilliseconds(20), e.At + TimeSpan.FromSeconds(2));
        });
        Assert.Equal(4, proxies.Events.OfType<TimelineStepApplied>().Count());
    }
}
