using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Chaos.Scenarios;

/// <summary>What a metric counts, which decides the values it can be compared with.</summary>
public enum MetricKind
{
    /// <summary>A number of connections or events; compared with plain numbers.</summary>
    Count,

    /// <summary>A number of bytes; compared with plain numbers.</summary>
    Bytes,

    /// <summary>A length of time, measured in milliseconds; compared with durations (<c>2s</c>) or plain milliseconds.</summary>
    Duration,
}

/// <summary>A metric that expectations can check.</summary>
/// <param name="Name">The metric's name, e.g. <c>client.retries</c>.</param>
/// <param name="Kind">What it counts.</param>
/// <param name="Description">What it means.</param>
public sealed record ExpectationMetric(string Name, MetricKind Kind, string Description);

/// <summary>The metrics expectations can check (SCENARIOS.md, "Expectation metrics"). Per proxy with a <c>proxy.</c> prefix, else summed over all proxies.</summary>
public static class ExpectationMetrics
{
    /// <summary>Every metric, in documentation order.</summary>
    public static ImmutableArray<ExpectationMetric> All { get; } =
    [
        new("connections.total", MetricKind.Count, "connections accepted"),
        new("connections.faulted", MetricKind.Count, "connections a toxic acted on"),
        new("client.retries", MetricKind.Count, "connections a client opened after one of its earlier connections (same address) was faulted or failed"),
        new("client.max_retry_interval", MetricKind.Duration, "the longest gap between those attempts (backoff)"),
        new("client.min_retry_interval", MetricKind.Duration, "the shortest gap between those attempts"),
        new("client.gave_up_after", MetricKind.Duration, "from the first fault to the end of the client's last connection"),
        new("client.fins", MetricKind.Count, "connections the client ended with FIN"),
        new("client.resets", MetricKind.Count, "connections the client ended with RST"),
        new("server.fins", MetricKind.Count, "connections the server ended with FIN"),
        new("server.resets", MetricKind.Count, "connections the server ended with RST"),
        new("client.writes_after_fin", MetricKind.Count, "connections where the client kept sending after receiving the server's FIN"),
        new("server.writes_after_fin", MetricKind.Count, "connections where the server kept sending after receiving the client's FIN"),
        new("bytes.upstream", MetricKind.Bytes, "bytes relayed client→server"),
        new("bytes.downstream", MetricKind.Bytes, "bytes relayed server→client"),
    ];

    /// <summary>The metric names, in documentation order.</summary>
    public static ImmutableArray<string> Names { get; } = [.. All.Select(metric => metric.Name)];

    /// <summary>Finds a metric by its exact name.</summary>
    public static bool TryGet(string name, [NotNullWhen(true)] out ExpectationMetric? metric)
    {
        metric = All.FirstOrDefault(candidate => candidate.Name == name);
        return metric is not null;
    }
}
