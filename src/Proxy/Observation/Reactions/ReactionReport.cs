using Chaos.Scenarios;

namespace Chaos.Proxy.Observation.Reactions;

/// <summary>One client's connections from its first trouble on: the attempts, the pauses between them, their shape.</summary>
/// <param name="Proxy">The proxy the connections went through.</param>
/// <param name="Client">The client's address (the port differs per connection).</param>
/// <param name="Connections">Connection ordinals on the proxy, from the first troubled one.</param>
/// <param name="Intervals">From the end of each attempt to the start of the next.</param>
/// <param name="Backoff">The shape of the intervals; null for fewer than three.</param>
public sealed record RetrySeries(string Proxy, string Client, IReadOnlyList<long> Connections, IReadOnlyList<TimeSpan> Intervals, Backoff? Backoff)
{
    /// <summary>Attempts after the first.</summary>
    public int Retries => Connections.Count - 1;
}

/// <summary>How the clients and servers of one proxy (or, as the total, of all) reacted. Every metric of SCENARIOS.md.</summary>
/// <param name="Proxy">The proxy's name; "" for the total.</param>
/// <param name="ConnectionsTotal"><c>connections.total</c>: connections accepted.</param>
/// <param name="ConnectionsFaulted"><c>connections.faulted</c>: connections a toxic acted on.</param>
/// <param name="ClientRetries"><c>client.retries</c>: connections opened after an earlier one of the same client was faulted or failed.</param>
/// <param name="MaxRetryInterval"><c>client.max_retry_interval</c>: the longest pause between attempts.</param>
/// <param name="MinRetryInterval"><c>client.min_retry_interval</c>: the shortest pause between attempts.</param>
/// <param name="GaveUpAfter"><c>client.gave_up_after</c>: from the first fault to the end of the client's last connection.</param>
/// <param name="ClientFins"><c>client.fins</c>: connections the client ended with FIN.</param>
/// <param name="ClientResets"><c>client.resets</c>: connections the client ended with RST.</param>
/// <param name="ServerFins"><c>server.fins</c>: connections the server ended with FIN.</param>
/// <param name="ServerResets"><c>server.resets</c>: connections the server ended with RST.</param>
/// <param name="ClientWritesAfterFin"><c>client.writes_after_fin</c>: connections where the client kept sending after the server's FIN.</param>
/// <param name="ServerWritesAfterFin"><c>server.writes_after_fin</c>: connections where the server kept sending after the client's FIN.</param>
/// <param name="BytesUpstream"><c>bytes.upstream</c>: bytes relayed client to server.</param>
/// <param name="BytesDownstream"><c>bytes.downstream</c>: bytes relayed server to client.</param>
/// <param name="RetrySeries">Each client's series of attempts from its first trouble on.</param>
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
/// <param name="Proxies">Per proxy, in the order they started.</param>
/// <param name="Total">All proxies together.</param>
public sealed record ReactionReport(IReadOnlyList<ProxyReactions> Proxies, ProxyReactions Total)
{
    /// <summary>The value an expectation reads: its proxy's, or the total when it names none.</summary>
    public double? Observe(Expectation expectation) =>
        expectation.Proxy is null ? Total.Value(expectation.Metric.Name)
        : Proxies.FirstOrDefault(proxy => proxy.Proxy == expectation.Proxy)?.Value(expectation.Metric.Name);
}
