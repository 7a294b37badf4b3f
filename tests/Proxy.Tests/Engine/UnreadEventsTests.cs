using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Chaos.Proxy.Engine;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Observation.Reactions;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.Engine;

/// <summary>The relay makes the events of a connection's steps only where something reads them, and makes them as before where something does.</summary>
public sealed class UnreadEventsTests
{
    [Fact(Timeout = 30_000)]
    public async Task Relay_WhereOnlyTheReportListens_MakesNoStepEvents_AndTheReportStillCountsBothFins()
    {
        using var server = Peers.Listen();
        var report = new ReactionTally();
        var handed = new ReadsWhatTheReportReads();
        var scenario = TestProxies.ScenarioOf(TestProxies.To("web", (IPEndPoint)server.LocalEndPoint!));
        var plainRun = new RelayOptions { EventHistoryLimit = 0, SampleTcpState = false }; // as `chaos run` with nothing that reads events back
        await using var runtime = await ChaosRuntime.StartAsync(scenario, [report, handed], plainRun, TimeProvider.System);
        var serverSide = EchoOnceAsync(server);

        using var client = await Peers.ConnectAsync(runtime.Registry.Find("web")!.ListenEndPoint!);
        await Peers.SendAllAsync(client, "ping"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        var echoed = await Peers.ReadToEndAsync(client);
        await serverSide;
        await handed.Closed;

        Assert.Equal("ping", Encoding.ASCII.GetString(echoed));
        Assert.DoesNotContain(handed.Events, e => e is UpstreamConnecting or UpstreamConnected or FirstByte or FinSent);
        var web = Assert.Single(report.Report().Proxies);
        Assert.Equal((1, 1, 1, 4L), (web.ConnectionsTotal, web.ClientFins, web.ServerFins, web.BytesUpstream));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UpstreamConnected_NamesTheAddressTheServerSawTheConnectionComeFrom(bool passThroughLoop)
    {
        // The loop dials with a connect() of its own, which .NET does not know about: the address comes from the kernel.
        using var server = Peers.Listen();
        await using var proxies = await TestProxies.StartAsync(new RelayOptions { PassThroughLoop = passThroughLoop }, TestProxies.To("web", (IPEndPoint)server.LocalEndPoint!));

        using var client = await Peers.ConnectAsync(proxies["web"]);
        using var accepted = await server.AcceptAsync();
        var connected = await proxies.Events.WaitForAsync<UpstreamConnected>();

        Assert.Equal(accepted.RemoteEndPoint, connected.Local);
    }

    private static async Task EchoOnceAsync(Socket server)
    {
        using var accepted = await server.AcceptAsync();
        await Peers.SendAllAsync(accepted, await Peers.ReadToEndAsync(accepted));
        accepted.Shutdown(SocketShutdown.Send);
        await Peers.ReadToEndAsync(accepted);
    }

    /// <summary>Reads the kinds the report folds in, as a plain run's subscribers do; keeps whatever it is handed.</summary>
    private sealed class ReadsWhatTheReportReads : IInlineEventSubscriber
    {
        private readonly ConcurrentQueue<ChaosEvent> _events = new();
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyCollection<ChaosEvent> Events => _events;

        public Task Closed => _closed.Task;

        public bool Reads(Type kind) => ConnectionSummary.Reads(kind);

        public void Handle(ChaosEvent chaosEvent)
        {
            _events.Enqueue(chaosEvent);
            if (chaosEvent is ConnectionClosed)
            {
                _closed.TrySetResult();
            }
        }
    }
}
