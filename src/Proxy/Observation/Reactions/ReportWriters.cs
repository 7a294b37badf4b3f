using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Chaos.Proxy.Observation.Reactions;

/// <summary>The end of a run as people and CI systems read it: a console summary, a JSON report, JUnit XML.</summary>
internal static class ReportWriters
{
    public static string Summary(ReactionReport report, IReadOnlyList<ExpectationResult> results)
    {
        var text = new StringBuilder();
        foreach (var proxy in report.Proxies)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{proxy.Proxy}: {proxy.ConnectionsTotal} connections, {proxy.ConnectionsFaulted} faulted, {proxy.BytesUpstream} B up, {proxy.BytesDownstream} B down");
            text.AppendLine(CultureInfo.InvariantCulture, $"  client: {proxy.ClientRetries} retries{Intervals(proxy)}, ended {proxy.ClientFins} with FIN and {proxy.ClientResets} with RST, wrote after FIN on {proxy.ClientWritesAfterFin}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  server: ended {proxy.ServerFins} with FIN and {proxy.ServerResets} with RST, wrote after FIN on {proxy.ServerWritesAfterFin}");
            foreach (var series in proxy.RetrySeries.Where(s => s.Retries > 0))
            {
                var gaps = string.Join(", ", series.Intervals.Select(Ms));
                text.AppendLine(CultureInfo.InvariantCulture, $"  {series.Client}: connections {string.Join(",", series.Connections)}, waited {gaps}{(series.Backoff is { } b ? $" ({b.ToString().ToLowerInvariant()} backoff)" : "")}");
            }
        }
        foreach (var result in results)
        {
            text.AppendLine(result.ToString());
        }
        return text.ToString();
    }

    public static string Json(ReactionReport report, IReadOnlyList<ExpectationResult> results, int? commandExitCode)
    {
        var root = new JsonObject
        {
            ["proxies"] = new JsonArray([.. report.Proxies.Select(Metrics)]),
            ["total"] = Metrics(report.Total),
            ["expectations"] = new JsonArray([.. results.Select(r => (JsonNode)new JsonObject
            {
                ["expectation"] = r.Expectation.ToString(),
                ["passed"] = r.Passed,
                ["observed"] = r.Observed,
            })]),
            ["command_exit_code"] = commandExitCode,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public static string JUnit(string suite, IReadOnlyList<ExpectationResult> results, TimeSpan duration)
    {
        var cases = results.Select(result => new XElement("testcase",
            new XAttribute("classname", $"chaos.{suite}"),
            new XAttribute("name", result.Expectation.ToString()),
            result.Passed ? null : new XElement("failure",
                new XAttribute("message", $"observed {result.ObservedText}"),
                $"{result.Expectation} did not hold: observed {result.ObservedText}")));
        var document = new XDocument(new XElement("testsuites",
            new XElement("testsuite",
                new XAttribute("name", $"chaos.{suite}"),
                new XAttribute("tests", results.Count),
                new XAttribute("failures", results.Count(r => !r.Passed)),
                new XAttribute("time", duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)),
                cases)));
        return document.Declaration + document.ToString();
    }

    private static JsonNode Metrics(ProxyReactions proxy)
    {
        var node = new JsonObject { ["proxy"] = proxy.Proxy };
        foreach (var metric in Chaos.Scenarios.ExpectationMetrics.Names)
        {
            node[metric] = proxy.Value(metric);
        }
        node["retry_series"] = new JsonArray([.. proxy.RetrySeries.Select(s => (JsonNode)new JsonObject
        {
            ["client"] = s.Client,
            ["connections"] = new JsonArray([.. s.Connections.Select(c => (JsonNode)c)]),
            ["intervals_ms"] = new JsonArray([.. s.Intervals.Select(i => (JsonNode)Math.Round(i.TotalMilliseconds, 1))]),
            ["backoff"] = s.Backoff?.ToString().ToLowerInvariant(),
        })]);
        return node;
    }

    private static string Intervals(ProxyReactions proxy) =>
        proxy.MinRetryInterval is { } min && proxy.MaxRetryInterval is { } max ? $" ({Ms(min)} to {Ms(max)} apart)" : "";

    private static string Ms(TimeSpan span) => $"{span.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)} ms";
}
