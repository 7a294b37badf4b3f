namespace Chaos.Proxy.Observation.Reactions;

/// <summary>
/// Turns a run's events into what each side did. A retry is a connection a client (same address) opened
/// after one of its earlier connections was faulted or failed; its interval runs from the end of the
/// attempt before it. Totals add counts and bytes, and take the extremes of intervals and gave_up_after.
/// </summary>
internal static class ReactionAnalyser
{
    public static ReactionReport Analyse(IEnumerable<ChaosEvent> events)
    {
        var tally = new ReactionTally();
        foreach (var chaosEvent in events)
        {
            tally.Handle(chaosEvent);
        }
        return tally.Report();
    }

    /// <summary>The report from each connection's summary (<see cref="ReactionTally"/> folds the events).</summary>
    public static ReactionReport Report(IReadOnlyList<string> proxies, IEnumerable<ConnectionSummary> connections)
    {
        var byProxy = connections.GroupBy(c => c.Proxy).ToDictionary(g => g.Key, g => g.ToList());
        var perProxy = proxies.Union(byProxy.Keys)
            .Select(proxy => ForProxy(proxy, byProxy.GetValueOrDefault(proxy) ?? []))
            .ToList();
        return new ReactionReport(perProxy, Combine(perProxy));
    }

    private static ProxyReactions ForProxy(string proxy, List<ConnectionSummary> connections)
    {
        var series = connections
            .GroupBy(c => c.Client)
            .Select(client => SeriesOf(proxy, client.Key, [.. client.OrderBy(c => c.Accepted).ThenBy(c => c.Id)]))
            .OfType<(RetrySeries Series, TimeSpan GaveUpAfter)>()
            .ToList();
        var intervals = series.SelectMany(s => s.Series.Intervals).ToList();
        return new ProxyReactions(
            proxy,
            connections.Count,
            connections.Count(c => c.Faulted),
            series.Sum(s => s.Series.Retries),
            intervals.Count > 0 ? intervals.Max() : null,
            intervals.Count > 0 ? intervals.Min() : null,
            series.Count > 0 ? series.Max(s => s.GaveUpAfter) : null,
            connections.Count(c => c.ClientFin && !c.ClientReset),
            connections.Count(c => c.ClientReset),
            connections.Count(c => c.ServerFin && !c.ServerReset),
            connections.Count(c => c.ServerReset),
            connections.Count(c => c.ClientWroteAfterFin),
            connections.Count(c => c.ServerWroteAfterFin),
            connections.Sum(c => c.BytesUpstream),
            connections.Sum(c => c.BytesDownstream),
            [.. series.Select(s => s.Series)]);
    }

    /// <summary>The client's connections from its first troubled one on; null if none was troubled.</summary>
    private static (RetrySeries, TimeSpan)? SeriesOf(string proxy, string client, List<ConnectionSummary> attempts)
    {
        var first = attempts.FindIndex(c => c.Troubled);
        if (first < 0)
        {
            return null;
        }
        var tail = attempts[first..];
        var intervals = tail.Zip(tail.Skip(1), (before, after) => after.Accepted - before.EndOrStart)
            .Select(gap => gap < TimeSpan.Zero ? TimeSpan.Zero : gap)
            .ToList();
        var troubleAt = tail[0].TroubleAt ?? tail[0].EndOrStart;
        var gaveUpAfter = tail.Max(c => c.EndOrStart) - troubleAt;
        return (new RetrySeries(proxy, client, [.. tail.Select(c => c.Id)], intervals, BackoffClassifier.Classify(intervals)), gaveUpAfter);
    }

    private static ProxyReactions Combine(IReadOnlyList<ProxyReactions> proxies)
    {
        static TimeSpan? Extreme(IEnumerable<TimeSpan?> values, Func<IEnumerable<TimeSpan>, TimeSpan> pick)
        {
            var present = values.OfType<TimeSpan>().ToList();
            return present.Count > 0 ? pick(present) : null;
        }
        return new ProxyReactions(
            "total",
            proxies.Sum(p => p.ConnectionsTotal),
            proxies.Sum(p => p.ConnectionsFaulted),
            proxies.Sum(p => p.ClientRetries),
            Extreme(proxies.Select(p => p.MaxRetryInterval), v => v.Max()),
            Extreme(proxies.Select(p => p.MinRetryInterval), v => v.Min()),
            Extreme(proxies.Select(p => p.GaveUpAfter), v => v.Max()),
            proxies.Sum(p => p.ClientFins),
            proxies.Sum(p => p.ClientResets),
            proxies.Sum(p => p.ServerFins),
            proxies.Sum(p => p.ServerResets),
            proxies.Sum(p => p.ClientWritesAfterFin),
            proxies.Sum(p => p.ServerWritesAfterFin),
            proxies.Sum(p => p.BytesUpstream),
            proxies.Sum(p => p.BytesDownstream),
            [.. proxies.SelectMany(p => p.RetrySeries)]);
    }
}
