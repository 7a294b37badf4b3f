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
              - at: 900ms
                remove: { proxy: web, toxic: cut }
              - at: 1200ms
                disable: web
              - at: 1500ms
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
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(1500), TimeSpan.FromSeconds(20));
        Assert.All(proxies.Events.OfType<TimelineStepApplied>(), e => Assert.Null(e.Error));
    }
}
