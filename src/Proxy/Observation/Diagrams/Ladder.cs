using System.Globalization;

namespace Chaos.Proxy.Observation.Diagrams;

/// <summary>
/// What one connection's events mean as a ladder diagram, before it is drawn: a title, and a step for each
/// event worth a row, timed from the accept. The terminal and Mermaid renderers draw the same ladder.
/// </summary>
internal sealed record Ladder(string Title, IReadOnlyList<LadderStep> Steps)
{
    public static Ladder Of(IEnumerable<ChaosEvent> connectionEvents)
    {
        var events = connectionEvents.Where(e => e.Connection != 0).OrderBy(e => e.Time).ToList();
        if (events.Count == 0)
        {
            return new Ladder("(no connection events)", []);
        }
        var accepted = events.OfType<ConnectionAccepted>().FirstOrDefault();
        var origin = accepted?.Time ?? events[0].Time;
        var steps = events.Select(e => Step(e, e.Time - origin)).OfType<LadderStep>().ToList();
        return new Ladder(TitleOf(events[0], accepted, events.OfType<ConnectionClosed>().FirstOrDefault()), steps);
    }

    /// <summary>A span as milliseconds with one decimal, the precision the event log keeps.</summary>
    public static string Milliseconds(TimeSpan span) => span.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static string TitleOf(ChaosEvent first, ConnectionAccepted? accepted, ConnectionClosed? closed)
    {
        var client = accepted is null ? "client unknown" : $"client {accepted.Client}";
        var end = closed is null ? "not closed in this log" : $"closed: {closed.Reason} after {Milliseconds(closed.Duration)} ms";
        return $"{first.Proxy} #{first.Connection}  {client}  {end}";
    }

    /// <summary>The row <paramref name="e"/> makes, <paramref name="at"/> after the accept; null for events that make none.</summary>
    public static LadderStep? Step(ChaosEvent e, TimeSpan at) => e switch
    {
        ConnectionAccepted => new(at, StepKind.Message, Lane.Client, Lane.Chaos, "connect"),
        UpstreamConnected c => new(at, StepKind.Message, Lane.Chaos, Lane.Server, $"dial {Milliseconds(c.Took)} ms"),
        UpstreamFailed f => new(at, StepKind.Failed, Lane.Chaos, Lane.Server, "dial failed",
            $"{f.Reason} ({f.Error}) after {Milliseconds(f.Took)} ms"),
        FirstByte { Direction: Direction.Upstream } => new(at, StepKind.Message, Lane.Client, Lane.Chaos, "data"),
        FirstByte => new(at, StepKind.Message, Lane.Server, Lane.Chaos, "data"),
        FinReceived f => new(at, StepKind.Message, LaneOf(f.From), Lane.Chaos, "FIN"),
        FinSent f => new(at, StepKind.Message, Lane.Chaos, LaneOf(f.To), "FIN"),
        ResetReceived r => new(at, StepKind.Reset, LaneOf(r.From), Lane.Chaos, "RST"),
        ResetSent r => new(at, StepKind.Reset, Lane.Chaos, LaneOf(r.To), "RST"),
        WroteAfterFin w => new(at, StepKind.Message, LaneOf(w.Side), Lane.Chaos, "data after FIN"),
        ToxicActed t => new(at, StepKind.Fault, Lane.Chaos, Lane.Chaos,
            $"toxic {t.Toxic} ({t.Type}){(t.Stream is { } stream ? $" on {stream.ToString().ToLowerInvariant()}" : "")}: {t.Decision}"),
        ToxicReleased r => new(at, StepKind.Fault, Lane.Chaos, Lane.Chaos, $"toxic {r.Toxic} removed: what it held goes on"),
        TcpStateSampled t => new(at, StepKind.Note, LaneOf(t.Side), LaneOf(t.Side), TcpState(t)),
        PeerObserved p => new(at, StepKind.Note, LaneOf(p.Side), LaneOf(p.Side),
            $"{p.Side.ToString().ToLowerInvariant()}: {p.What}{(p.State is null ? "" : $" · {p.State}")}"),
        ConnectionClosed c => new(at, StepKind.Note, Lane.Chaos, Lane.Chaos,
            $"closed: {c.Reason}, {c.BytesUpstream} B up, {c.BytesDownstream} B down"),
        // The dial row already says how long the dial took; a separate "dialling" row adds nothing.
        _ => null,
    };

    private static string TcpState(TcpStateSampled t)
    {
        var text = $"{t.Side.ToString().ToLowerInvariant()} leg: {t.State}";
        if (t.Retransmits > 0)
        {
            text += $", {t.Retransmits} retransmits";
        }
        return t.Unacked > 0 ? text + $", {t.Unacked} unacked" : text;
    }

    private static Lane LaneOf(Side side) => side == Side.Client ? Lane.Client : Lane.Server;
}
