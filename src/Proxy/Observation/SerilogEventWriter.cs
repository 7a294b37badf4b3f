using Serilog;
using Serilog.Events;

namespace Chaos.Proxy.Observation;

/// <summary>
/// Writes every event through Serilog, stamped with the event's own time (not the time the bus got to it),
/// with an <c>Event</c> property naming its kind so JSON readers can filter without parsing messages.
/// </summary>
internal sealed class SerilogEventWriter(ILogger logger) : IEventSubscriber
{
    /// <summary>Events below the logger's level are not even queued for it: most events are, in a busy run.</summary>
    public bool Wants(ChaosEvent chaosEvent) => logger.IsEnabled(LevelOf(chaosEvent));

    public bool Reads(Type kind) => logger.IsEnabled(LevelOf(kind));

    public void Handle(ChaosEvent chaosEvent)
    {
        // Checked again before describing (describing allocates): the bus may queue an event for another subscriber.
        var level = LevelOf(chaosEvent);
        if (!logger.IsEnabled(level))
        {
            return;
        }
        var (kind, template, values) = Describe(chaosEvent);
        if (!logger.BindMessageTemplate(template, values, out var parsed, out var bound))
        {
            return;
        }
        var properties = bound.Append(new LogEventProperty("Event", new ScalarValue(kind)));
        logger.Write(new LogEvent(chaosEvent.Time, level, null, parsed, properties));
    }

    private static LogEventLevel LevelOf(ChaosEvent e) => e switch
    {
        TimelineStepApplied { Error: not null } or ScenarioReloaded { Problems.Count: > 0 } => LogEventLevel.Warning,
        _ => LevelOf(e.GetType()),
    };

    /// <summary>
    /// The level of each kind of event; a failed timeline step or reload is a Warning (above). Compared by type, not
    /// looked up: it is asked for every event the relay publishes.
    /// </summary>
    private static LogEventLevel LevelOf(Type kind) =>
        kind == typeof(ConnectionAccepted) || kind == typeof(FinReceived) || kind == typeof(ConnectionClosed) ||
        kind == typeof(UpstreamConnected) || kind == typeof(FinSent) || kind == typeof(ResetReceived) || kind == typeof(ResetSent) ||
        kind == typeof(ToxicActed) || kind == typeof(ToxicReleased) || kind == typeof(WroteAfterFin) || kind == typeof(ProxyStarted) ||
        kind == typeof(ProxyStopped) || kind == typeof(TimelineStepApplied) || kind == typeof(ScenarioReloaded)
            ? LogEventLevel.Information
            : kind == typeof(UpstreamFailed) || kind == typeof(ConnectionRejected)
                ? LogEventLevel.Warning
                : kind == typeof(ConnectionFaulted) || kind == typeof(SubscriberDetached) || kind == typeof(ScenarioReloadRejected)
                    ? LogEventLevel.Error
                    : LogEventLevel.Debug;

    private static (string Kind, string Template, object?[] Values) Describe(ChaosEvent e) => e switch
    {
        ProxyStarted p => ("proxy_started", "{Proxy} listening on {Listen} -> {Upstream}",
            [p.Proxy, p.Listen.ToString(), p.Upstream]),
        ProxyStopped p => ("proxy_stopped", "{Proxy} stopped", [p.Proxy]),
        ConnectionAccepted a => ("accepted", "{Proxy} #{Connection} accepted from {Client}",
            [a.Proxy, a.Connection, a.Client.ToString()]),
        UpstreamConnecting c => ("upstream_connecting", "{Proxy} #{Connection} dialling {Target}",
            [c.Proxy, c.Connection, c.Target]),
        UpstreamConnected c => ("upstream_connected", "{Proxy} #{Connection} upstream connected from {Local} in {TookMs} ms",
            [c.Proxy, c.Connection, c.Local.ToString(), Milliseconds(c.Took)]),
        UpstreamFailed f => ("upstream_failed", "{Proxy} #{Connection} upstream failed: {Reason} ({Error}) after {TookMs} ms",
            [f.Proxy, f.Connection, f.Reason, f.Error, Milliseconds(f.Took)]),
        FirstByte f => ("first_byte", "{Proxy} #{Connection} first byte {Direction}",
            [f.Proxy, f.Connection, f.Direction]),
        FinReceived f => ("fin_received", "{Proxy} #{Connection} FIN from {From}",
            [f.Proxy, f.Connection, f.From]),
        FinSent f => ("fin_sent", "{Proxy} #{Connection} FIN to {To}",
            [f.Proxy, f.Connection, f.To]),
        ResetReceived r => ("rst_received", "{Proxy} #{Connection} RST from {From}",
            [r.Proxy, r.Connection, r.From]),
        ResetSent r => ("rst_sent", "{Proxy} #{Connection} RST to {To}",
            [r.Proxy, r.Connection, r.To]),
        ToxicActed t => ("toxic", "{Proxy} #{Connection} toxic {Toxic} ({Type}) at {Point}{StreamText}: {Decision}",
            [t.Proxy, t.Connection, t.Toxic, t.Type, t.Point, t.Stream is { } stream ? $" {stream}" : "", t.Decision]),
        ToxicReleased r => ("toxic_released", "{Proxy} #{Connection} toxic {Toxic} removed: what it held goes on",
            [r.Proxy, r.Connection, r.Toxic]),
        TimelineStepApplied t when t.Error is null => ("timeline", "{Proxy} timeline at {AtMs} ms: {Step}",
            [t.Proxy, Milliseconds(t.At), t.Step]),
        TimelineStepApplied t => ("timeline", "{Proxy} timeline at {AtMs} ms: {Step} failed: {Error}",
            [t.Proxy, Milliseconds(t.At), t.Step, t.Error]),
        WroteAfterFin w => ("wrote_after_fin", "{Proxy} #{Connection} {Side} kept sending after the other side's FIN",
            [w.Proxy, w.Connection, w.Side]),
        TcpStateSampled t => ("tcp_state", "{Proxy} #{Connection} {Side} leg at {Moment}: {State}, {Retransmits} retransmits, rtt {RttMs} ms, {Unacked} unacked",
            [t.Proxy, t.Connection, t.Side, t.Moment, t.State, t.Retransmits, Milliseconds(t.Rtt), t.Unacked]),
        ConnectionClosed c => ("closed",
            "{Proxy} #{Connection} closed ({Reason}) after {DurationMs} ms: {BytesUpstream} B upstream, {BytesDownstream} B downstream",
            [c.Proxy, c.Connection, c.Reason, Milliseconds(c.Duration), c.BytesUpstream, c.BytesDownstream]),
        SubscriberDetached d => ("subscriber_detached", "event sink {Subscriber} failed and gets no more events: {Error}",
            [d.Subscriber, d.Error]),
        ConnectionFaulted f => ("connection_error", "{Proxy} #{Connection} failed inside Chaos and was reset; other connections go on: {Error}",
            [f.Proxy, f.Connection, f.Error]),
        ConnectionRejected r => ("rejected", "{Proxy} turned {Client} away at max_connections {Limit} ({Action})",
            [r.Proxy, r.Client.ToString(), r.Limit, r.Action]),
        ScenarioReloaded r when r.Problems.Count == 0 => ("scenario_reloaded", "{Source} reloaded", [r.Source]),
        ScenarioReloaded r => ("scenario_reloaded", "{Source} reloaded, but not every proxy could change:{Problems}",
            [r.Source, Lines(r.Problems)]),
        ScenarioReloadRejected r => ("scenario_rejected", "{Source} not reloaded, the last good scenario stays:{Problems}",
            [r.Source, Lines(r.Problems)]),
        _ => (e.GetType().Name, "{Proxy} #{Connection} " + e.GetType().Name, [e.Proxy, e.Connection]),
    };

    private static string Lines(IEnumerable<string> lines) => string.Concat(lines.Select(line => Environment.NewLine + "  " + line));

    private static double Milliseconds(TimeSpan span) => Math.Round(span.TotalMilliseconds, 1);
}
