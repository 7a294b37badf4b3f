using System.Net;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Observation.Reactions;

namespace Chaos.Proxy.Tests.Observation;

public sealed class ReactionTallyTests
{
    [Fact(Timeout = 30_000)]
    public async Task Handle_FromManyPublishingThreads_CountsEveryConnectionAndByte()
    {
        var tally = new ReactionTally();
        tally.Handle(new ProxyStarted(DateTimeOffset.UnixEpoch, "web", new IPEndPoint(IPAddress.Loopback, 1), "upstream"));

        // Inline subscribers are called on every relay thread at once.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                var id = (thread * 500) + i + 1L;
                tally.Handle(new ConnectionAccepted(DateTimeOffset.UnixEpoch, "web", id, new IPEndPoint(IPAddress.Loopback, 40_000 + thread)));
                tally.Handle(new ConnectionClosed(DateTimeOffset.UnixEpoch, "web", id, CloseReason.Completed, TimeSpan.Zero, 3, 5));
            }
        })));

        var web = Assert.Single(tally.Report().Proxies);
        Assert.Equal((4000L, 12_000L, 20_000L), (web.ConnectionsTotal, web.BytesUpstream, web.BytesDownstream));
    }

    [Fact(Timeout = 30_000)]
    public async Task Report_WhileThreadsPublishForSeveralProxies_SeesWholeConnections_AndInTheEndAll()
    {
        // The control API reports live: summaries are created and grown while it reads them.
        var tally = new ReactionTally();
        var reports = 0;
        var publishers = Enumerable.Range(0, 4).Select(thread => Task.Run(() =>
        {
            var proxy = $"proxy-{thread % 2}";
            for (var i = 0; i < 3_000; i++)
            {
                if (i == 1_500)
                {
                    // Halfway, until a report has been taken: publishing can outrun a reader that a busy machine delays.
                    SpinWait.SpinUntil(() => Volatile.Read(ref reports) > 0, TimeSpan.FromSeconds(10));
                }
                var id = ((long)(thread / 2) * 3_000) + i + 1;
                tally.Handle(new ConnectionAccepted(DateTimeOffset.UnixEpoch, proxy, id, new IPEndPoint(IPAddress.Loopback, 40_000 + thread)));
                tally.Handle(new ConnectionClosed(DateTimeOffset.UnixEpoch, proxy, id, CloseReason.Completed, TimeSpan.Zero, 3, 5));
            }
        })).ToArray();
        while (!publishers.All(publisher => publisher.IsCompleted))
        {
            var total = tally.Report().Total;
            Assert.True(total.BytesUpstream <= 3 * total.ConnectionsTotal, $"{total.BytesUpstream} bytes from {total.ConnectionsTotal} connections");
            Interlocked.Increment(ref reports);
        }
        await Task.WhenAll(publishers);

        var final = tally.Report();
        Assert.Equal(2, final.Proxies.Count);
        Assert.All(final.Proxies, proxy => Assert.Equal((6_000L, 18_000L), (proxy.ConnectionsTotal, proxy.BytesUpstream)));
        Assert.True(reports > 0);
    }

    [Fact]
    public void Report_SameAsAnalysingTheKeptEvents()
    {
        ChaosEvent[] events =
        [
            new ConnectionAccepted(DateTimeOffset.UnixEpoch, "web", 1, new IPEndPoint(IPAddress.Loopback, 40_000)),
            new ConnectionClosed(DateTimeOffset.UnixEpoch.AddMilliseconds(5), "web", 1, CloseReason.ToxicReset, TimeSpan.FromMilliseconds(5), 0, 0),
            new ConnectionAccepted(DateTimeOffset.UnixEpoch.AddMilliseconds(105), "web", 2, new IPEndPoint(IPAddress.Loopback, 40_000)),
            new ConnectionClosed(DateTimeOffset.UnixEpoch.AddMilliseconds(110), "web", 2, CloseReason.Completed, TimeSpan.FromMilliseconds(5), 7, 9),
        ];
        var tally = new ReactionTally();
        foreach (var chaosEvent in events)
        {
            tally.Handle(chaosEvent);
        }

        var folded = tally.Report().Total;
        var analysed = ReactionAnalyser.Analyse(events).Total;

        Assert.Equal((analysed.ConnectionsTotal, analysed.ClientRetries, analysed.BytesUpstream), (folded.ConnectionsTotal, folded.ClientRetries, folded.BytesUpstream));
        Assert.Equal(1, folded.ClientRetries);
    }

    [Fact]
    public void Handle_KeepsNoObjectOfItsOwnPerConnection()
    {
        // A run keeps every connection's summary until it ends; as objects of their own (with the client's address
        // as a string each) they were what every collection on a busy run copied.
        var tally = new ReactionTally();
        var client = new IPEndPoint(IPAddress.Loopback, 40_000);
        var events = Enumerable.Range(1, 500).SelectMany(id => new ChaosEvent[]
        {
            new ConnectionAccepted(DateTimeOffset.UnixEpoch, "web", id, client),
            new ConnectionClosed(DateTimeOffset.UnixEpoch, "web", id, CloseReason.Completed, TimeSpan.Zero, 3, 5),
        }).ToArray();
        tally.Handle(events[0]); // makes the proxy's place for its summaries

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var chaosEvent in events.Skip(1))
        {
            tally.Handle(chaosEvent);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 500 * 8, $"{allocated} bytes allocated for 500 connections");
        Assert.Equal(500, tally.Report().Total.ConnectionsTotal);
    }
}
