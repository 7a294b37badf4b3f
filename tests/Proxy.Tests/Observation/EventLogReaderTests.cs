using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Observation;
using Chaos.Scenarios;
using Serilog.Events;

namespace Chaos.Proxy.Tests.Observation;

public sealed class EventLogReaderTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 26, 53, 589, TimeSpan.FromHours(1));

    /// <summary>One event of every kind the writer names, with values that survive its rounding (0.1 ms).</summary>
    private static IReadOnlyList<ChaosEvent> EveryKind()
    {
        DateTimeOffset At(double ms) => Start.AddMilliseconds(ms);
        return
        [
            new ProxyStarted(At(0), "web", new IPEndPoint(IPAddress.Loopback, 8080), "127.0.0.1:9090"),
            new ProxyStarted(At(0.5), "dns", new DnsEndPoint("localhost", 8081), "example.org:80"),
            new ConnectionAccepted(At(1), "web", 3, new IPEndPoint(IPAddress.Loopback, 52814)),
            new UpstreamConnecting(At(1.2), "web", 3, "127.0.0.1:9090"),
            new UpstreamConnected(At(1.6), "web", 3, new IPEndPoint(IPAddress.IPv6Loopback, 40100), TimeSpan.FromMilliseconds(0.4)),
            new UpstreamFailed(At(2), "web", 4, CloseReason.UpstreamRefused, SocketError.ConnectionRefused, TimeSpan.FromMilliseconds(3.2)),
            new FirstByte(At(2.5), "web", 3, Direction.Upstream),
            new FinReceived(At(3), "web", 3, Side.Client),
            new FinSent(At(3.1), "web", 3, Side.Server),
            new ResetReceived(At(3.2), "web", 5, Side.Server),
            new ResetSent(At(3.3), "web", 5, Side.Client),
            new ToxicActed(At(4), "web", 6, "accept_reset", "accept_reset", LifecyclePoint.Accept, null, "reset (RST)"),
            new ToxicActed(At(4.1), "web", 7, "slow", "latency", LifecyclePoint.Data, Direction.Downstream, "delay 100 ms"),
            new ToxicReleased(At(5), "web", 7, "slow"),
            new TimelineStepApplied(At(6), "web", TimeSpan.FromMilliseconds(1500), "add slow", null),
            new TimelineStepApplied(At(6.1), "web", TimeSpan.FromMilliseconds(2500.5), "remove gone", "no toxic named gone"),
            new WroteAfterFin(At(7), "web", 3, Side.Server),
            new TcpStateSampled(At(8), "web", 3, Side.Server, "fin", "FIN_WAIT2", 2, TimeSpan.FromMilliseconds(0.1), 1),
            new ConnectionClosed(At(12.6), "web", 3, CloseReason.Completed, TimeSpan.FromMilliseconds(11.6), 1234, 56789),
            new ConnectionRejected(At(13), "web", new IPEndPoint(IPAddress.Loopback, 52900), 100, "reset"),
            new ConnectionFaulted(At(14), "web", 8, "InvalidOperationException: planted"),
            new ConnectionClosed(At(14.5), "web", 9, CloseReason.IdleTimeout, TimeSpan.FromMilliseconds(30000), 0, 0),
            new SubscriberDetached(At(15), "EventsFile", "IOException: No space left on device"),
            new ProxyStopped(At(20), "web"),
        ];
    }

    [Fact]
    public void Read_WhatTheWriterWrote_GivesBackEveryEvent()
    {
        var expected = EveryKind();

        var actual = RoundTrip(expected, out var result);

        Assert.Null(result.Warning);
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (want, got) in expected.Zip(actual))
        {
            Assert.Equal(want.Time.UtcDateTime, got.Time.UtcDateTime, TimeSpan.FromMilliseconds(1));
            Assert.Equal(want with { Time = default }, got with { Time = default });
        }
    }

    [Fact]
    public void Read_ScenarioEvents_GivesBackSourceAndEachProblem()
    {
        ChaosEvent[] expected =
        [
            new ScenarioReloaded(Start, "chaos.yaml", []),
            new ScenarioReloaded(Start.AddMilliseconds(1), "chaos.yaml", ["web: listen address cannot change", "db: gone"]),
            new ScenarioReloadRejected(Start.AddMilliseconds(2), "chaos.yaml", ["line 3: unknown key 'lantency'"]),
        ];

        var actual = RoundTrip(expected, out _);

        var reloaded = Assert.IsType<ScenarioReloaded>(actual[0]);
        Assert.Equal("chaos.yaml", reloaded.Source);
        Assert.Empty(reloaded.Problems);
        Assert.Equal(["web: listen address cannot change", "db: gone"], Assert.IsType<ScenarioReloaded>(actual[1]).Problems);
        var rejected = Assert.IsType<ScenarioReloadRejected>(actual[2]);
        Assert.Equal(["line 3: unknown key 'lantency'"], rejected.Problems);
        Assert.Equal(Start.AddMilliseconds(2), rejected.Time);
    }

    [Fact]
    public void Read_BadAndUnknownLines_SkipsAndCountsThem()
    {
        const string log = """
            {"@t":"2025-03-14T08:26:53.5890000Z","@mt":"x","Proxy":"web","Connection":3,"Client":"127.0.0.1:52814","Event":"accepted"}
            not json at all
            {"@t":"2025-03-14T08:26:53.5900000Z","Proxy":"web","Connection":3,"Event":"from_the_future"}

            {"@t":"2025-03-14T08:26:53.5910000Z","Proxy":"web","Connection":"three","From":"Client","Event":"fin_received"}
            {"@t":"yesterday","Proxy":"web","Connection":3,"From":"Client","Event":"fin_received"}
            {"@t":"2025-03-14T08:26:53.5920000Z","Proxy":"web","Connection":3,"From":"Nobody","Event":"fin_received"}
            [1, 2, 3]
            {"@t":"2025-03-14T08:26:53.5930000Z","Proxy":"web","Connection":3,"To":"Server","Event":"fin_sent"}
            {"@t":"2025-03-14T08:26:53.5940000Z","Proxy":"web","Connection":3,"To":"Ser
            """;

        var result = EventLogReader.Read(new StringReader(log));

        Assert.Collection(result.Events,
            e => Assert.Equal(new IPEndPoint(IPAddress.Loopback, 52814), Assert.IsType<ConnectionAccepted>(e).Client),
            e => Assert.Equal(Side.Server, Assert.IsType<FinSent>(e).To));
        Assert.Equal(1, result.UnknownKinds);
        Assert.Equal(6, result.Malformed);
        Assert.Equal([2, 3, 5, 6, 7], result.FirstSkippedLines);
        Assert.Equal(
            "skipped 7 line(s) of the event log (1 of an unknown kind, 6 malformed), first at line 2, 3, 5, 6, 7",
            result.Warning);
    }

    [Fact]
    public void Read_EmptyInput_GivesNothingAndNoWarning()
    {
        var result = EventLogReader.Read(new StringReader(""));

        Assert.Empty(result.Events);
        Assert.Null(result.Warning);
    }

    private static IReadOnlyList<ChaosEvent> RoundTrip(IEnumerable<ChaosEvent> events, out EventLogReadResult result)
    {
        var file = Path.Combine(Path.GetTempPath(), $"chaos-events-{Guid.NewGuid():N}.jsonl");
        try
        {
            using (var writer = new EventsFile(file))
            {
                foreach (var chaosEvent in events)
                {
                    writer.Handle(chaosEvent);
                }
            }
            using var reader = File.OpenText(file);
            result = EventLogReader.Read(reader);
            return result.Events;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
