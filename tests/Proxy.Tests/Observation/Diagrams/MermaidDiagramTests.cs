using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Observation.Diagrams;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.Observation.Diagrams;

public sealed partial class MermaidDiagramTests
{
    [Fact]
    public void Render_SampleRun_MatchesGolden()
    {
        var rendered = string.Join("\n", ConnectionGroups.Of(SampleRun.Events).Connections.Select(g => MermaidDiagram.Render(g.Events)));

        GoldenText.AssertMatches(Golden, rendered);
    }

    [Fact]
    public void Render_EveryEventKindWithAwkwardText_NoRawSemicolonOrHashOutsideEntities()
    {
        var rendered = MermaidDiagram.Render(EveryKindWithAwkwardText());

        var withoutEntities = Entity().Replace(rendered, "");
        Assert.DoesNotContain(';', withoutEntities);
        Assert.DoesNotContain('#', withoutEntities);
        Assert.DoesNotContain('<', withoutEntities);
        Assert.Contains("#35;", rendered, StringComparison.Ordinal);
        Assert.Contains("#59;", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_EveryEventKind_EveryLineIsAMermaidStatement()
    {
        var lines = MermaidDiagram.Render(EveryKindWithAwkwardText()).TrimEnd('\n').Split('\n');

        Assert.Equal("sequenceDiagram", lines[0]);
        Assert.All(lines.Skip(1), line => Assert.Matches(Statement(), line));
        // A row for every connection event but the dialling notice; proxy-level events get none.
        Assert.Equal(15, lines.Count(line => line.Contains(" ms ", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("a;b", "a#59;b")]
    [InlineData("web #3", "web #35;3")]
    [InlineData("<br>", "#60;br#62;")]
    [InlineData("two\nlines", "two lines")]
    [InlineData("plain: text (ok)", "plain: text (ok)")]
    public void Escape_AwkwardCharacters_BecomeEntities(string text, string escaped)
    {
        Assert.Equal(escaped, MermaidDiagram.Escape(text));
    }

    private static IReadOnlyList<ChaosEvent> EveryKindWithAwkwardText()
    {
        const string proxy = "web;#1";
        var start = SampleRun.Start;
        DateTimeOffset At(double ms) => start.AddMilliseconds(ms);
        var client = new IPEndPoint(IPAddress.IPv6Loopback, 5000);
        return
        [
            new ProxyStarted(At(0), proxy, client, "up;#"),
            new ConnectionAccepted(At(1), proxy, 9, client),
            new UpstreamConnecting(At(1.1), proxy, 9, "host#1;x"),
            new UpstreamConnected(At(1.2), proxy, 9, client, TimeSpan.FromMilliseconds(0.1)),
            new UpstreamFailed(At(1.3), proxy, 9, CloseReason.UpstreamTimeout, SocketError.TimedOut, TimeSpan.FromSeconds(1)),
            new FirstByte(At(2), proxy, 9, Direction.Upstream),
            new FirstByte(At(2.1), proxy, 9, Direction.Downstream),
            new FinReceived(At(3), proxy, 9, Side.Client),
            new FinSent(At(3.1), proxy, 9, Side.Server),
            new ResetReceived(At(4), proxy, 9, Side.Server),
            new ResetSent(At(4.1), proxy, 9, Side.Client),
            new ToxicActed(At(5), proxy, 9, "t;#1", "latency", LifecyclePoint.Data, Direction.Upstream, "delay; #2 <b>"),
            new ToxicActed(At(5.1), proxy, 0, "listen;#", "syn_drop", LifecyclePoint.Listen, null, "drop;"),
            new ToxicReleased(At(6), proxy, 9, "t;#1"),
            new TimelineStepApplied(At(6.5), proxy, TimeSpan.FromSeconds(1), "add #x;", "bad;#"),
            new WroteAfterFin(At(7), proxy, 9, Side.Client),
            new TcpStateSampled(At(8), proxy, 9, Side.Server, "fin;", "FIN_WAIT2#;", 1, TimeSpan.FromMilliseconds(1), 2),
            new TcpStateSampled(At(8.1), proxy, 9, Side.Client, "close", "CLOSE;", 0, TimeSpan.Zero, 0),
            new ConnectionClosed(At(9), proxy, 9, CloseReason.Error, TimeSpan.FromMilliseconds(8), 1, 2),
            new ProxyStopped(At(10), proxy),
            new ScenarioReloaded(At(11), "a;#.yaml", ["x;#"]),
            new ScenarioReloadRejected(At(12), "a;#.yaml", ["y;#"]),
        ];
    }

    [GeneratedRegex(@"#\d+;")]
    private static partial Regex Entity();

    [GeneratedRegex(@"^    (title [^\n]+|participant (Client|Chaos|Server)|(Client|Chaos|Server)(->>|-x|--x)(Client|Chaos|Server): [^\n]+|Note (left of Client|over Chaos|right of Server): [^\n]+)$")]
    private static partial Regex Statement();

    private const string Golden = """
        sequenceDiagram
            title web #35;1  client 127.0.0.1:52814  closed: Completed after 5.6 ms
            participant Client
            participant Chaos
            participant Server
            Client->>Chaos: +0.0 ms connect
            Chaos->>Server: +0.5 ms dial 0.4 ms
            Note left of Client: +0.5 ms client leg: ESTABLISHED
            Client->>Chaos: +1.2 ms data
            Client->>Chaos: +1.9 ms FIN
            Chaos->>Server: +2.0 ms FIN
            Note right of Server: +2.1 ms server leg: FIN_WAIT2
            Server->>Chaos: +2.6 ms data
            Server->>Chaos: +2.6 ms data after FIN
            Server->>Chaos: +5.3 ms FIN
            Chaos->>Client: +5.4 ms FIN
            Note over Chaos: +5.6 ms closed: Completed, 7 B up, 14 B down

        sequenceDiagram
            title web #35;2  client 127.0.0.1:52816  closed: ToxicReset after 0.4 ms
            participant Client
            participant Chaos
            participant Server
            Client->>Chaos: +0.0 ms connect
            Note over Chaos: ⚡ +0.2 ms toxic accept_reset (accept_reset): reset (RST)
            Chaos-xClient: +0.3 ms RST
            Note over Chaos: +0.4 ms closed: ToxicReset, 0 B up, 0 B down

        sequenceDiagram
            title db #35;1  client 127.0.0.1:52900  closed: UpstreamRefused after 0.8 ms
            participant Client
            participant Chaos
            participant Server
            Client->>Chaos: +0.0 ms connect
            Chaos--xServer: +0.6 ms dial failed: UpstreamRefused (ConnectionRefused) after 0.5 ms
            Chaos-xClient: +0.7 ms RST
            Note over Chaos: +0.8 ms closed: UpstreamRefused, 0 B up, 0 B down

        sequenceDiagram
            title web #35;3  client 127.0.0.1:52818  closed: ServerReset after 1501.2 ms
            participant Client
            participant Chaos
            participant Server
            Client->>Chaos: +0.0 ms connect
            Chaos->>Server: +0.6 ms dial 0.6 ms
            Client->>Chaos: +1.0 ms data
            Client->>Chaos: +1.5 ms FIN
            Note over Chaos: ⚡ +1.5 ms toxic fin_drop (fin_drop) on upstream: held the FIN
            Note left of Client: +1.6 ms client leg: CLOSE_WAIT
            Server->>Chaos: +2.0 ms data
            Note right of Server: +1000.0 ms server leg: ESTABLISHED, 2 retransmits, 1 unacked
            Note over Chaos: ⚡ +1500.0 ms toxic fin_drop removed: what it held goes on
            Chaos->>Server: +1500.1 ms FIN
            Server-xChaos: +1501.0 ms RST
            Chaos-xClient: +1501.1 ms RST
            Note over Chaos: +1501.2 ms closed: ServerReset, 5 B up, 9 B down
        """;
}
