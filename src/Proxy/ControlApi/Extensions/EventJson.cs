using System.Text;
using System.Text.Json;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.ControlApi.Extensions;

/// <summary>
/// One event as the <c>/chaos/events</c> stream sends it: its kind (the <c>Event</c> property of the log, e.g.
/// <c>accepted</c>, <c>closed</c>) and a flat JSON object with snake_case fields and enum values.
/// </summary>
internal static class EventJson
{
    /// <summary>The kind, as <see cref="SerilogEventWriter"/> names it in the log's <c>Event</c> property.</summary>
    public static string Kind(ChaosEvent chaosEvent) => chaosEvent switch
    {
        ProxyStarted => "proxy_started",
        ProxyStopped => "proxy_stopped",
        ConnectionAccepted => "accepted",
        UpstreamConnecting => "upstream_connecting",
        UpstreamConnected => "upstream_connected",
        UpstreamFailed => "upstream_failed",
        FirstByte => "first_byte",
        FinReceived => "fin_received",
        FinSent => "fin_sent",
        ResetReceived => "rst_received",
        ResetSent => "rst_sent",
        ToxicActed => "toxic",
        ToxicReleased => "toxic_released",
        TimelineStepApplied => "timeline",
        WroteAfterFin => "wrote_after_fin",
        TcpStateSampled => "tcp_state",
        ConnectionClosed => "closed",
        ScenarioReloaded => "scenario_reloaded",
        ScenarioReloadRejected => "scenario_rejected",
        SubscriberDetached => "subscriber_detached",
        ConnectionFaulted => "connection_error",
        ConnectionRejected => "rejected",
        _ => Snake(chaosEvent.GetType().Name),
    };

    /// <summary><c>{"event":kind,"time":...,"proxy":...,"connection":n, ...}</c> on one line.</summary>
    public static byte[] Serialize(ChaosEvent chaosEvent) => Serialize(chaosEvent, more: null);

    /// <summary>As <see cref="Serialize(ChaosEvent)"/>, with <paramref name="more"/> writing extra fields into the same object.</summary>
    public static byte[] Serialize(ChaosEvent chaosEvent, Action<Utf8JsonWriter>? more)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("event", Kind(chaosEvent));
            writer.WriteString("time", chaosEvent.Time);
            writer.WriteString("proxy", chaosEvent.Proxy);
            writer.WriteNumber("connection", chaosEvent.Connection);
            WriteFields(writer, chaosEvent);
            more?.Invoke(writer);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteFields(Utf8JsonWriter writer, ChaosEvent chaosEvent)
    {
        switch (chaosEvent)
        {
            case ProxyStarted p:
                writer.WriteString("listen", p.Listen.ToString());
                writer.WriteString("upstream", p.Upstream);
                break;
            case ConnectionAccepted a:
                writer.WriteString("client", a.Client.ToString());
                break;
            case UpstreamConnecting c:
                writer.WriteString("target", c.Target);
                break;
            case UpstreamConnected c:
                writer.WriteString("local", c.Local.ToString());
                writer.WriteNumber("took_ms", Milliseconds(c.Took));
                break;
            case UpstreamFailed f:
                writer.WriteString("reason", Snake(f.Reason.ToString()));
                writer.WriteString("error", Snake(f.Error.ToString()));
                writer.WriteNumber("took_ms", Milliseconds(f.Took));
                break;
            case FirstByte f:
                writer.WriteString("direction", Snake(f.Direction.ToString()));
                break;
            case FinReceived f:
                writer.WriteString("from", Snake(f.From.ToString()));
                break;
            case FinSent f:
                writer.WriteString("to", Snake(f.To.ToString()));
                break;
            case ResetReceived r:
                writer.WriteString("from", Snake(r.From.ToString()));
                break;
            case ResetSent r:
                writer.WriteString("to", Snake(r.To.ToString()));
                break;
            case ToxicActed t:
                writer.WriteString("toxic", t.Toxic);
                writer.WriteString("type", t.Type);
                writer.WriteString("point", Snake(t.Point.ToString()));
                if (t.Stream is { } stream)
                {
                    writer.WriteString("stream", Snake(stream.ToString()));
                }
                else
                {
                    writer.WriteNull("stream");
                }
                writer.WriteString("decision", t.Decision);
                break;
            case ToxicReleased r:
                writer.WriteString("toxic", r.Toxic);
                break;
            case TimelineStepApplied t:
                writer.WriteNumber("at_ms", Milliseconds(t.At));
                writer.WriteString("step", t.Step);
                writer.WriteString("error", t.Error);
                break;
            case WroteAfterFin w:
                writer.WriteString("side", Snake(w.Side.ToString()));
                break;
            case TcpStateSampled t:
                writer.WriteString("side", Snake(t.Side.ToString()));
                writer.WriteString("moment", t.Moment);
                writer.WriteString("state", t.State);
                writer.WriteNumber("retransmits", t.Retransmits);
                writer.WriteNumber("rtt_ms", Milliseconds(t.Rtt));
                writer.WriteNumber("unacked", t.Unacked);
                break;
            case ConnectionClosed c:
                writer.WriteString("reason", Snake(c.Reason.ToString()));
                writer.WriteNumber("duration_ms", Milliseconds(c.Duration));
                writer.WriteNumber("bytes_upstream", c.BytesUpstream);
                writer.WriteNumber("bytes_downstream", c.BytesDownstream);
                break;
            case SubscriberDetached d:
                writer.WriteString("subscriber", d.Subscriber);
                writer.WriteString("error", d.Error);
                break;
            case ConnectionFaulted f:
                writer.WriteString("error", f.Error);
                break;
            case ConnectionRejected r:
                writer.WriteString("client", r.Client.ToString());
                writer.WriteNumber("limit", r.Limit);
                writer.WriteString("action", r.Action);
                break;
            case ScenarioReloaded r:
                WriteSource(writer, r.Source, r.Problems);
                break;
            case ScenarioReloadRejected r:
                WriteSource(writer, r.Source, r.Problems);
                break;
        }
    }

    private static void WriteSource(Utf8JsonWriter writer, string source, IReadOnlyList<string> problems)
    {
        writer.WriteString("source", source);
        writer.WriteStartArray("problems");
        foreach (var problem in problems)
        {
            writer.WriteStringValue(problem);
        }
        writer.WriteEndArray();
    }

    private static double Milliseconds(TimeSpan span) => Math.Round(span.TotalMilliseconds, 1);

    /// <summary><c>ClientReset</c> → <c>client_reset</c>.</summary>
    internal static string Snake(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (!char.IsUpper(pascal[i - 1]) || (i + 1 < pascal.Length && char.IsLower(pascal[i + 1]))))
                {
                    text.Append('_');
                }
                text.Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }
}
