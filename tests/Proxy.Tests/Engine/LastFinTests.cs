using System.Net;
using System.Net.Sockets;
using System.Text;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Engine.PassThrough;
using Chaos.Proxy.Observation.Reactions;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Engine;

/// <summary>
/// In a plain run the pass-through loop sends a connection's last FIN with the close instead of a shutdown of its
/// own. Each peer must still see a FIN, never an RST, and the half-close before it must still work.
/// </summary>
public sealed class LastFinTests
{
    private const int Connections = 40;

    [Theory(Timeout = 60_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LastFin_GoesWithTheClose_EachPeerReadsItsReplyThenAFin(bool clientFinishesFirst)
    {
        Assert.NotEmpty(PassThroughLoop.All); // the tests run on Linux x64 or arm64, where the loop runs
        using var server = Peers.Listen();
        var report = new ReactionTally();
        var scenario = TestProxies.ScenarioOf(TestProxies.To("web", (IPEndPoint)server.LocalEndPoint!));
        var plainRun = new RelayOptions { EventHistoryLimit = 0, SampleTcpState = false }; // nothing reads FIN-sent events or samples
        await using var runtime = await ChaosRuntime.StartAsync(scenario, [report], plainRun, TimeProvider.System);
        var listen = runtime.Registry.Find("web")!.ListenEndPoint!;

        for (var i = 0; i < Connections; i++)
        {
            using var client = await Peers.ConnectAsync(listen);
            using var accepted = await server.AcceptAsync();
            var (first, second) = clientFinishesFirst ? (client, accepted) : (accepted, client);

            // The first side says its piece and half-closes; the second reads to that FIN, answers and closes: its FIN
            // is the connection's last, which the loop forwards by closing.
            await Peers.SendAllAsync(first, Encoding.ASCII.GetBytes($"question {i}"));
            first.Shutdown(SocketShutdown.Send);
            Assert.Equal($"question {i}", Encoding.ASCII.GetString(await Peers.ReadToEndAsync(second)));
            await Peers.SendAllAsync(second, Encoding.ASCII.GetBytes($"answer {i}"));
            second.Shutdown(SocketShutdown.Send);

            // An RST instead of the last FIN would make this read throw (connection reset), not end.
            Assert.Equal($"answer {i}", Encoding.ASCII.GetString(await Peers.ReadToEndAsync(first)));
        }

        var web = await WhenBothFinsCountedAsync(report);
        Assert.Equal((Connections, 0L, 0L), (web.ConnectionsTotal, web.ClientResets, web.ServerResets));
    }

    private static async Task<ProxyReactions> WhenBothFinsCountedAsync(ReactionTally report)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var web = Assert.Single(report.Report().Proxies);
            if (web.ClientFins == Connections && web.ServerFins == Connections)
            {
                return web;
            }
            await Task.Delay(20, timeout.Token);
        }
    }
}
