using System.Globalization;
using System.Text;
using Chaos.Proxy.Engine;

namespace Chaos.Proxy.ControlApi.Extensions;

/// <summary>The <c>/chaos/metrics</c> body: Prometheus' text exposition format 0.0.4, one series per running proxy.</summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(IEnumerable<RunningProxy> proxies, ToxicCounter toxics, long eventsDropped)
    {
        var sorted = proxies.OrderBy(proxy => proxy.Name, StringComparer.Ordinal).ToList();
        var bytes = sorted.Select(proxy => (proxy.Name, Bytes: proxy.BytesRelayed())).ToList();
        var text = new StringBuilder();

        Header(text, "chaos_connections_total", "counter", "Connections accepted by the proxy since it started.");
        foreach (var proxy in sorted)
        {
            Sample(text, "chaos_connections_total", $"proxy=\"{Escape(proxy.Name)}\"", proxy.ConnectionsAccepted);
        }
        Header(text, "chaos_connections_open", "gauge", "Connections the proxy relays now.");
        foreach (var proxy in sorted)
        {
            Sample(text, "chaos_connections_open", $"proxy=\"{Escape(proxy.Name)}\"", proxy.ConnectionsOpen);
        }
        Header(text, "chaos_bytes_total", "counter", "Bytes relayed (upstream: client to server, downstream: server to client), open connections included.");
        foreach (var (name, (upstream, downstream)) in bytes)
        {
            Sample(text, "chaos_bytes_total", $"proxy=\"{Escape(name)}\",direction=\"upstream\"", upstream);
            Sample(text, "chaos_bytes_total", $"proxy=\"{Escape(name)}\",direction=\"downstream\"", downstream);
        }
        Header(text, "chaos_toxics_applied_total", "counter", "Times a toxic acted on the proxy (data toxics count once per connection and direction).");
        foreach (var proxy in sorted)
        {
            Sample(text, "chaos_toxics_applied_total", $"proxy=\"{Escape(proxy.Name)}\"", toxics[proxy.Name]);
        }
        Header(text, "chaos_events_dropped_total", "counter", "Events dropped because the event bus's subscribers fell behind.");
        Sample(text, "chaos_events_dropped_total", null, eventsDropped);
        return text.ToString();
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, string? labels, long value)
    {
        text.Append(name);
        if (labels is not null)
        {
            text.Append('{').Append(labels).Append('}');
        }
        text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    internal static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
