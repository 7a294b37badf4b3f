using Chaos.Proxy.Observation;
using Chaos.Proxy.Observation.Diagrams;

namespace Chaos.Proxy.Tests.Observation.Diagrams;

public sealed class LadderDiagramTests
{
    [Fact]
    public void Render_SampleRun_MatchesGoldenUnicode()
    {
        GoldenText.AssertMatches(UnicodeGolden, RenderAll(ascii: false));
    }

    [Fact]
    public void Render_SampleRunAscii_MatchesGoldenAscii()
    {
        GoldenText.AssertMatches(AsciiGolden, RenderAll(ascii: true));
    }

    [Fact]
    public void Render_Ascii_OnlyAsciiCharacters()
    {
        Assert.All(RenderAll(ascii: true), c => Assert.True(char.IsAscii(c), $"'{c}' is not ASCII"));
    }

    [Fact]
    public void Render_SampleRun_RowsFitInAbout100Columns()
    {
        Assert.All(RenderAll(ascii: false).Split('\n'), line => Assert.True(line.Length <= 104, line));
    }

    [Fact]
    public void Render_NoEvents_SaysSo()
    {
        Assert.StartsWith("(no connection events)", LadderDiagram.Render([]), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ConnectionOverHundredSeconds_LaterRowsInWholeSeconds()
    {
        var events = ConnectionGroups.Of(SampleRun.Events).Connections[0].Events
            .Select(e => e is ConnectionClosed closed ? closed with { Time = closed.Time.AddSeconds(3600) } : e);

        var lines = LadderDiagram.Render(events).Split('\n');

        Assert.Contains(lines, line => line.StartsWith("     5.4  ", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("   3600s  ", StringComparison.Ordinal));
    }

    private static string RenderAll(bool ascii) =>
        string.Join("\n", ConnectionGroups.Of(SampleRun.Events).Connections.Select(g => LadderDiagram.Render(g.Events, ascii)));

    private const string UnicodeGolden = """
        web #1  client 127.0.0.1:52814  closed: Completed after 5.6 ms

              ms  client              chaos               server
                  │                   │                   │
             0.0  │──── connect ─────▶│                   │
             0.5  │                   │── dial 0.4 ms ───▶│
             0.5  │                   │                   │  [client leg: ESTABLISHED]
             1.2  │────── data ──────▶│                   │
             1.9  │────── FIN ───────▶│                   │
             2.0  │                   │────── FIN ───────▶│
             2.1  │                   │                   │  [server leg: FIN_WAIT2]
             2.6  │                   │◀────── data ──────│
             2.6  │                   │◀─ data after FIN ─│
             5.3  │                   │◀────── FIN ───────│
             5.4  │◀────── FIN ───────│                   │
             5.6  │                   │                   │  [closed: Completed, 7 B up, 14 B down]

        web #2  client 127.0.0.1:52816  closed: ToxicReset after 0.4 ms

              ms  client              chaos               server
                  │                   │                   │
             0.0  │──── connect ─────▶│                   │
             0.2  │                   ●                   │  ⚡ toxic accept_reset (accept_reset): reset (RST)
             0.3  ✗◀══════ RST ═══════│                   │
             0.4  │                   │                   │  [closed: ToxicReset, 0 B up, 0 B down]

        db #1  client 127.0.0.1:52900  closed: UpstreamRefused after 0.8 ms

              ms  client              chaos               server
                  │                   │                   │
             0.0  │──── connect ─────▶│                   │
             0.6  │                   │── dial failed ───▶✗  UpstreamRefused (ConnectionRefused) after 0.5 ms
             0.7  ✗◀══════ RST ═══════│                   │
             0.8  │                   │                   │  [closed: UpstreamRefused, 0 B up, 0 B down]

        web #3  client 127.0.0.1:52818  closed: ServerReset after 1501.2 ms

              ms  client              chaos               server
                  │                   │                   │
             0.0  │──── connect ─────▶│                   │
             0.6  │                   │── dial 0.6 ms ───▶│
             1.0  │────── data ──────▶│                   │
             1.5  │────── FIN ───────▶│                   │
             1.5  │                   ●                   │  ⚡ toxic fin_drop (fin_drop) on upstream: held the
                  │                   │                   │  FIN
             1.6  │                   │                   │  [client leg: CLOSE_WAIT]
             2.0  │                   │◀────── data ──────│
          1000.0  │                   │                   │  [server leg: ESTABLISHED, 2 retransmits, 1 unacked]
          1500.0  │                   ●                   │  ⚡ toxic fin_drop removed: what it held goes on
          1500.1  │                   │────── FIN ───────▶│
          1501.0  │                   ✗◀══════ RST ═══════│
          1501.1  ✗◀══════ RST ═══════│                   │
          1501.2  │                   │                   │  [closed: ServerReset, 5 B up, 9 B down]
        """;

    private const string AsciiGolden = """
        web #1  client 127.0.0.1:52814  closed: Completed after 5.6 ms

              ms  client              chaos               server
                  |                   |                   |
             0.0  |---- connect ----->|                   |
             0.5  |                   |-- dial 0.4 ms --->|
             0.5  |                   |                   |  [client leg: ESTABLISHED]
             1.2  |------ data ------>|                   |
             1.9  |------ FIN ------->|                   |
             2.0  |                   |------ FIN ------->|
             2.1  |                   |                   |  [server leg: FIN_WAIT2]
             2.6  |                   |<------ data ------|
             2.6  |                   |<- data after FIN -|
             5.3  |                   |<------ FIN -------|
             5.4  |<------ FIN -------|                   |
             5.6  |                   |                   |  [closed: Completed, 7 B up, 14 B down]

        web #2  client 127.0.0.1:52816  closed: ToxicReset after 0.4 ms

              ms  client              chaos               server
                  |                   |                   |
             0.0  |---- connect ----->|                   |
             0.2  |                   *                   |  !! toxic accept_reset (accept_reset): reset (RST)
             0.3  X<====== RST =======|                   |
             0.4  |                   |                   |  [closed: ToxicReset, 0 B up, 0 B down]

        db #1  client 127.0.0.1:52900  closed: UpstreamRefused after 0.8 ms

              ms  client              chaos               server
                  |                   |                   |
             0.0  |---- connect ----->|                   |
             0.6  |                   |-- dial failed --->X  UpstreamRefused (ConnectionRefused) after 0.5 ms
             0.7  X<====== RST =======|                   |
             0.8  |                   |                   |  [closed: UpstreamRefused, 0 B up, 0 B down]

        web #3  client 127.0.0.1:52818  closed: ServerReset after 1501.2 ms

              ms  client              chaos               server
                  |                   |                   |
             0.0  |---- connect ----->|                   |
             0.6  |                   |-- dial 0.6 ms --->|
             1.0  |------ data ------>|                   |
             1.5  |------ FIN ------->|                   |
             1.5  |                   *                   |  !! toxic fin_drop (fin_drop) on upstream: held the
                  |                   |                   |  FIN
             1.6  |                   |                   |  [client leg: CLOSE_WAIT]
             2.0  |                   |<------ data ------|
          1000.0  |                   |                   |  [server leg: ESTABLISHED, 2 retransmits, 1 unacked]
          1500.0  |                   *                   |  !! toxic fin_drop removed: what it held goes on
          1500.1  |                   |------ FIN ------->|
          1501.0  |                   X<====== RST =======|
          1501.1  X<====== RST =======|                   |
          1501.2  |                   |                   |  [closed: ServerReset, 5 B up, 9 B down]
        """;
}
