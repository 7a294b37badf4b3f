using Chaos.Scenarios;

namespace Chaos.Proxy.Observation.Reactions;

/// <summary>One client's connections from its first trouble on: the attempts, the pauses between them, their shape.</summary>
/// <param name="Client">The client's address (the port differs per connection).</param>
/// <param name="Connections">Connection ordinals on the proxy, from the first troubled one.</param>
/// <param name="Intervals">From the end of each attempt to the start of the next.</param>
public sealed record RetrySeries(string Proxy, string Client, IReadOnlyList<long> Connections, IReadOnlyList<TimeSpan> Intervals, Backoff? Backoff)
{
    public int Retries => Connections.Count - 1;
}

/// <summary>How the clients and servers of one proxy (or, as the total, of all) reacted. Every metric of SCENARIOS.md.</summary>
public sealed record ProxyReactions(
    string Proxy, long ConnectionsTotal, long ConnectionsFaulted, long ClientRetries,
    TimeSpan? MaxRetryInterval, TimeSpan? MinRetryInterval, TimeSpan? GaveUpAfter,
    long ClientFins, long ClientResets, long ServerFins, long ServerResets,
    long ClientWritesAfterFin, long ServerWritesAfterFin, long BytesUpstream, long BytesDownstream,
    IReadOnlyList<RetrySeries> RetrySeries)
{
    /// <summary>A metric by its SCENARIOS.md name, durations in ms; null when the run gives it no value (e.g. no retries).</summary>
    public double? Value(string metric) => metric switch
    {
        "connections.total" => ConnectionsTotal,
        "connections.faulted" => ConnectionsFaulted,
        "client.retries" => ClientRetries,
        "client.max_retry_interval" => MaxRetryInterval?.TotalMilliseconds,
        "client.min_retry_interval" => MinRetryInterval?.TotalMilliseconds,
        "client.gave_up_after" => GaveUpAfter?.TotalMilliseconds,
        "client.fins" => ClientFins,
        "client.resets" => ClientResets,
        "server.fins" => ServerFins,
        "server.resets" => ServerResets,
        "client.writes_after_fin" => ClientWritesAfterFin,
        "server.writes_after_fin" => ServerWritesAfterFin,
        "bytes.upstream" => BytesUpstream,
        "bytes.downstream" => BytesDownstream,
        _ => throw new ArgumentException($"unknown metric '{metric}'", nameof(metric)),
    };
}

/// <summary>The reactions of a run: per proxy and in total.</summary>
public sealed record ReactionReport(IReadOnlyList<ProxyReactions> Proxies, ProxyReactions Total)
{
    /// <summary>The value an expectation reads: its proxy's, or the total when it names none.</summary>
    public double? Observe(Expectation expectation) =>
        expectation.Proxy is null ? Total.Value(expectation.Metric.Name)
        : Proxies.FirstOrDefault(proxy => proxy.Proxy == expectation.Proxy)?.Value(expectation.Metric.Name);
}
