using System.Net.Sockets;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.Toxics;

/// <summary>Which connections a toxic acts on: selectors, and toxicity rolled once per connection from the seed.</summary>
public sealed class SelectionTests
{
    [Fact(Timeout = 60_000)]
    public async Task WhereConnections_EveryThird_OnlyThoseOrdinalsAreReset()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: accept_reset, where: {connections: \"every 3\"}}");

        var reset = await ResetOrdinalsAsync(proxies, server, connections: 7);

        Assert.Equal([3, 6], reset);
    }

    [Fact(Timeout = 30_000)]
    public async Task WhereClients_OtherNetwork_ToxicDoesNotAct()
    {
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.InFrontOfAsync(server, "{type: accept_reset, where: {clients: [10.0.0.0/8]}}");

        Assert.Empty(await ResetOrdinalsAsync(proxies, server, connections: 2));
    }

    [Fact(Timeout = 120_000)]
    public async Task Toxicity_SameSeed_SameConnectionsEveryRun()
    {
        var first = await ResetOrdinalsWithSeedAsync(seed: 42);
        var second = await ResetOrdinalsWithSeedAsync(seed: 42);
        var other = await ResetOrdinalsWithSeedAsync(seed: 7);

        Assert.Equal(first, second);
        Assert.InRange(first.Count, 3, 17); // 20 rolls at 0.5
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Toxicity_OtherToxicsChange_RollIsNotRedone()
    {
        var board = new ToxicBoard();
        var selection = new ToxicSelection(seed: 1, "web", ordinal: 1, System.Net.IPAddress.Loopback);
        var halfChance = TestProxies.Toxic("{name: maybe, type: noop, toxicity: 0.5}");
        var first = board.Publish([halfChance]).Toxics[0];
        var decided = selection.IsSelected(first);

        for (var i = 0; i < 20; i++)
        {
            var again = board.Publish([halfChance with { Toxicity = i % 2 }, TestProxies.Toxic($"{{name: other{i}, type: noop}}")]).Toxics[0];
            Assert.Equal(first.Id, again.Id);
            Assert.Equal(decided, selection.IsSelected(again));
        }
    }

    [Fact]
    public void Toxicity_DecidedOnSeveralThreadsAtOnce_EveryoneGoesByTheDecisionThatStuck()
    {
        // The same toxic at toxicity 0 and at toxicity 1 (an update between two chunks): whichever thread decides
        // first, every thread, then and later, must get that decision, not its own.
        var board = new ToxicBoard();
        var never = board.Publish([TestProxies.Toxic("{name: flip, type: noop, toxicity: 0}")]).Toxics[0];
        var always = board.Publish([TestProxies.Toxic("{name: flip, type: noop, toxicity: 1}")]).Toxics[0];
        Assert.Equal(never.Id, always.Id);

        for (var ordinal = 1; ordinal <= 300; ordinal++)
        {
            var selection = new ToxicSelection(seed: 1, "web", ordinal, System.Net.IPAddress.Loopback);
            var decisions = new bool[4];
            using var together = new Barrier(decisions.Length);
            // Threads of their own: four blocked pool threads on two cores would wait for the pool to grow.
            var threads = Enumerable.Range(0, decisions.Length).Select(thread => new Thread(() =>
            {
                together.SignalAndWait();
                decisions[thread] = selection.IsSelected(thread % 2 == 0 ? never : always);
            })).ToList();
            threads.ForEach(thread => thread.Start());
            threads.ForEach(thread => thread.Join());

            Assert.All(decisions, decision => Assert.Equal(decisions[0], decision));
            Assert.Equal(decisions[0], selection.IsSelected(never));
            Assert.Equal(decisions[0], selection.IsSelected(always));
        }
    }

    private static async Task<List<long>> ResetOrdinalsWithSeedAsync(long seed)
    {
        using var server = Peers.Listen();
        var spec = TestProxies.To("web", (System.Net.IPEndPoint)server.LocalEndPoint!) with
        {
            Toxics = [TestProxies.Toxic("{type: accept_reset, toxicity: 0.5}")],
        };
        await using var proxies = await TestProxies.StartAsync(null, seed, spec);
        return await ResetOrdinalsAsync(proxies, server, connections: 20);
    }

    /// <summary>Opens connections one after another; returns the ordinals the proxy reset instead of relaying.</summary>
    private static async Task<List<long>> ResetOrdinalsAsync(TestProxies proxies, Socket server, int connections)
    {
        for (var i = 0; i < connections; i++)
        {
            using var client = await Peers.TryConnectAsync(proxies["web"]);
            await proxies.Events.WaitForAsync<ChaosEvent>(e => e.Connection == i + 1 && e is UpstreamConnected or ResetSent);
            if (proxies.Events.OfType<UpstreamConnected>().Any(e => e.Connection == i + 1))
            {
                (await server.AcceptAsync()).Dispose();
            }
        }
        return [.. proxies.Events.OfType<ToxicActed>().Select(e => e.Connection).Order()];
    }
}
