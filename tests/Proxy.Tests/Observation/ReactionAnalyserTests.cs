using System.Net;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Observation.Reactions;

namespace Chaos.Proxy.Tests.Observation;

public sealed class ReactionAnalyserTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(new[] { 100.0, 100, 100 }, Backoff.Constant)]
    [InlineData(new[] { 100.0, 200, 300, 400 }, Backoff.Linear)]
    [InlineData(new[] { 100.0, 200, 400 }, Backoff.Exponential)]
    [InlineData(new[] { 102.0, 197, 415, 790 }, Backoff.Exponential)]
    [InlineData(new[] { 140.0, 205, 410 }, Backoff.Exponential)]
    [InlineData(new[] { 1000.0, 1400, 1800, 2200 }, Backoff.Linear)]
    [InlineData(new[] { 100.0, 700, 150, 400 }, Backoff.Jittered)]
    public void Classify_IntervalSeries_NamesItsShape(double[] milliseconds, Backoff expected) =>
        Assert.Equal(expected, BackoffClassifier.Classify([.. milliseconds.Select(TimeSpan.FromMilliseconds)]));

    [Fact]
    public void Classify_TwoIntervals_TooFewToCall() =>
        Assert.Null(BackoffClassifier.Classify([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)]));

    [Fact]
    public void Analyse_ClientRetriesAfterResets_CountsRetriesIntervalsAndGiveUp()
    {
        var events = new List<ChaosEvent> { new ProxyStarted(Start, "web", new IPEndPoint(IPAddress.Loopback, 8080), "builtin:http") };
        var at = 0.0;
        foreach (var (ordinal, reset, pauseAfter) in new[] { (1L, true, 100.0), (2L, true, 200.0), (3L, true, 400.0), (4L, false, 0.0) })
        {
            events.AddRange(Connection(ordinal, at, reset, lastsMs: 5));
            at += 5 + pauseAfter;
        }

        var web = ReactionAnalyser.Analyse(events).Proxies.Single();

        Assert.Equal((4, 3, 3), (web.ConnectionsTotal, web.ConnectionsFaulted, web.ClientRetries));
        Assert.Equal(TimeSpan.FromMilliseconds(100), web.MinRetryInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(400), web.MaxRetryInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(720), web.GaveUpAfter); // first fault at 0, last close at 715 + 5
        Assert.Equal(Backoff.Exponential, Assert.Single(web.RetrySeries).Backoff);
        Assert.Equal((1, 0), (web.ClientFins, web.ClientResets));
    }

    [Fact]
    public void Analyse_TwoProxies_TotalAddsCountsAndTakesExtremes()
    {
        var events = Connection(1, 0, reset: true, lastsMs: 1, proxy: "a")
            .Concat(Connection(2, 50, reset: false, lastsMs: 1, proxy: "a"))
            .Concat(Connection(1, 0, reset: true, lastsMs: 1, proxy: "b"))
            .Concat(Connection(2, 300, reset: false, lastsMs: 1, proxy: "b"));

        var report = ReactionAnalyser.Analyse(events);

        Assert.Equal(2, report.Total.ClientRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(49), report.Total.MinRetryInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(299), report.Total.MaxRetryInterval);
        Assert.Equal(4, report.Total.Value("connections.total"));
    }

    [Fact]
    public void Analyse_NoTrouble_NoRetriesAndNoIntervals()
    {
        var report = ReactionAnalyser.Analyse(Connection(1, 0, reset: false, lastsMs: 3).Concat(Connection(2, 10, reset: false, lastsMs: 3)));

        Assert.Equal(0, report.Total.ClientRetries);
        Assert.Null(report.Total.Value("client.max_retry_interval"));
    }

    /// <summary>One connection's events: reset by a toxic at accept, or a normal exchange the client ends with FIN.</summary>
    private static IEnumerable<ChaosEvent> Connection(long id, double atMs, bool reset, double lastsMs, string proxy = "web")
    {
        var accepted = Start.AddMilliseconds(atMs);
        var closed = accepted.AddMilliseconds(lastsMs);
        yield return new ConnectionAccepted(accepted, proxy, id, new IPEndPoint(IPAddress.Loopback, 40000 + (int)id));
        if (reset)
        {
            yield return new ToxicActed(accepted, proxy, id, "cut", "accept_reset", Chaos.Scenarios.LifecyclePoint.Accept, null, "reset (RST)");
            yield return new ResetSent(accepted, proxy, id, Side.Client);
            yield return new ConnectionClosed(closed, proxy, id, CloseReason.ToxicReset, closed - accepted, 0, 0);
            yield break;
        }
        yield return new FinReceived(closed, proxy, id, Side.Client);
        yield return new FinReceived(closed, proxy, id, Side.Server);
        yield return new ConnectionClosed(closed, proxy, id, CloseReason.Completed, closed - accepted, 78, 190);
    }
}
