using Serilog;
using Serilog.Events;

namespace Chaos.Proxy.Observation;

/// <summary>
/// Writes every event through Serilog, stamped with the event's own time (not the time the bus got to it),
/// with an <c>Event</c> property naming its kind so JSON readers can filter without parsing messages.
/// </summary>
internal sealed class SerilogEventWriter(ILogger logger) : IEventSubscriber
{
    public void Handle(ChaosEvent chaosEvent)
    {
        var (level, kind, template, values) = Describe(chaosEvent);
        if (!logger.IsEnabled(level) || !logger.BindMessageTemplate(template, values, out var parsed, out var bound))
        {
            return;
        }
        var properties = bound.Append(new LogEventProperty("Event", new ScalarValue(kind)));
        logger.Write(new LogEvent(chaosEvent.Time, level, null, parsed, properties));
    }

    private static (LogEventLevel Level, string Kind, string Template, object?[] Values) Describe(ChaosEvent e) => e switch
    {
        ProxyStarted p => (LogEventLevel.Information, "proxy_started", "{Proxy} listening on {Listen} -> {Upstream}",
            [p.Proxy, p.Listen.ToString(), p.Upstream]),
        ProxyStopped p => (LogEventLevel.Information, "proxy_stopped", "{Proxy} stopped", [p.Proxy]),
        ConnectionAccepted a => (LogEventLevel.Information, "accepted", "{Proxy} #{Connection} accepted from {Client}",
            [a.Proxy, a.Connection, a.Client.ToString()]),
        UpstreamConnecting c => (LogEventLevel.Debug, "upstream_connecting", "{Proxy} #{Connection} dialling {Target}",
            [c.Proxy, c.Connection, c.Target]),
        UpstreamConnected c => (LogEventLevel.Information, "upstream_connected", "{Proxy} #{Connection} upstream connected from {Local} in {TookMs} ms",
            [c.Proxy, c.Connection, c.Local.ToString(), Milliseconds(c.Took)]),
        UpstreamFailed f => (LogEventLevel.Warning, "upstream_failed", "{Proxy} #{Connection} upstream failed: {Reason} ({Error}) after {TookMs} ms",
            [f.Proxy, f.Connection, f.Reason, f.Error, Milliseconds(f.Took)]),
        FirstByte f => (LogEventLevel.Debug, "first_byte", "{Proxy} #{Connection} first byte {Direction}",
            [f.Proxy, f.Connection, f.Direction]),
        FinReceived f => (LogEventLevel.Information, "fin_received", "{Proxy} #{Connection} FIN from {From}",
            [f.Proxy, f.Connection, f.From]),
        FinSent f => (LogEventLevel.Information, "fin_sent", "{Proxy} #{Connection} FIN to {To}",
            [f.Proxy, f.Connection, f.To]),
        ResetReceived r => (LogEventLevel.Information, "rst_received", "{Proxy} #{Connection} RST from {From}",
            [r.Proxy, r.Connection, r.From]),
        ResetSent r => (LogEventLevel.Information, "rst_sent", "{Proxy} #{Connection} RST to {To}",
            [r.Proxy, r.Connection, r.To]),
        ToxicActed t => (LogEventLevel.Information, "toxic", "{Proxy} #{Connection} toxic {Toxic} ({Type}) at {Point}{StreamText}: {Decision}",
            [t.Proxy, t.Connection, t.Toxic, t.Type, t.Point, t.Stream is { } stream ? $" {stream}" : "", t.Decision]),
        ToxicReleased r => (LogEventLevel.Information, "toxic_released", "{Proxy} #{Connection} toxic {Toxic} removed: what it held goes on",
            [r.Proxy, r.Connection, r.Toxic]),
        TimelineStepApplied t when t.Error is null => (LogEventLevel.Information, "timeline", "{Proxy} timeline at {AtMs} ms: {Step}",
            [t.Proxy, Milliseconds(t.At), t.Step]),
        TimelineStepApplied t => (LogEventLevel.Warning, "timeline", "{Proxy} timeline at {AtMs} ms: {Step} failed: {Error}",
            [t.Proxy, Milliseconds(t.At), t.Step, t.Error]),
        WroteAfterFin w => (LogEventLevel.Information, "wrote_after_fin", "{Proxy} #{Connection} {Side} kept sending after the other side's FIN",
            [w.Proxy, w.Connection, w.Side]),
        TcpStateSampled t => (LogEventLevel.Debug, "tcp_state", "{Proxy} #{Connection} {Side} leg at {Moment}: {State}, {Retransmits} retransmits, rtt {RttMs} ms, {Unacked} unacked",
            [t.Proxy, t.Connection, t.Side, t.Moment, t.State, t.Retransmits, Milliseconds(t.Rtt), t.Unacked]),
        ConnectionClosed c => (LogEventLevel.Information, "closed",
            "{Proxy} #{Connection} closed ({Reason}) after {DurationMs} ms: {BytesUpstream} B upstream, {BytesDownstream} B downstream",
            [c.Proxy, c.Connection, c.Reason, Milliseconds(c.Duration), c.BytesUpstream, c.BytesDownstream]),
        SubscriberDetached d => (LogEventLevel.Error, "subscriber_detached", "event sink {Subscriber} failed and gets no more events: {Error}",
            [d.Subscriber, d.Error]),
        ConnectionFaulted f => (LogEventLevel.Error, "connection_error", "{Proxy} #{Connection} failed inside Chaos and was reset; other connections go on: {Error}",
            [f.Proxy, f.Connection, f.Error]),
        ConnectionRejected r => (LogEventLevel.Warning, "rejected", "{Proxy} turned {Client} away at max_connections {Limit} ({Action})",
            [r.Proxy, r.Client.ToString(), r.Limit, r.Action]),
        ScenarioReloaded r when r.Problems.Count == 0 => (LogEventLevel.Information, "scenario_reloaded", "{Source} reloaded", [r.Source]),
        ScenarioReloaded r => (LogEventLevel.Warning, "scenario_reloaded", "{Source} reloaded, but not every proxy could change:{Problems}",
            [r.Source, Lines(r.Problems)]),
        ScenarioReloadRejected r => (LogEventLevel.Error, "scenario_rejected", "{Source} not reloaded, the last good scenario stays:{Problems}",
            [r.Source, Lines(r.Problems)]),
        _ => (LogEventLevel.Debug, e.GetType().Name, "{Proxy} #{Connection} " + e.GetType().Name, [e.Proxy, e.Connection]),
    };

    private static string Lines(IEnumerable<string> lines) => string.Concat(lines.Select(line => Environment.NewLine + "  " + line));

    private static double Milliseconds(TimeSpan span) => Math.Round(span.TotalMilliseconds, 1);
}
