namespace Chaos.Proxy.Observation.Reactions;

/// <summary>
/// Folds events into one summary per connection as they are published, so a run's report does not need its
/// events kept: a kept event lives until the run ends, and the GC copied every one of them twice (measured: 10%
/// of a busy run's time in collection pauses, on the relay's thread, with ten events kept per connection).
/// </summary>
internal sealed class ReactionTally : IInlineEventSubscriber
{
    private readonly Lock _gate = new();
    // A proxy numbers its connections 1, 2, 3, ..., so each summary sits at its number in a list: a lookup per
    // event in one dictionary of every connection's summary (hashing the proxy's name, then a cache miss in a table
    // of 100,000s) was the relay thread's busiest frame of its own on a new-connection load (1.6% of its time).
    private readonly Dictionary<string, List<ConnectionSummary?>> _byProxy = [];
    private readonly List<string> _proxies = [];
    private string? _lastProxy;
    private List<ConnectionSummary?> _lastSummaries = [];

    public void Handle(ChaosEvent chaosEvent)
    {
        lock (_gate)
        {
            if (chaosEvent is ProxyStarted started && !_proxies.Contains(started.Proxy))
            {
                _proxies.Add(started.Proxy);
            }
            if (chaosEvent.Connection <= 0)
            {
                return;
            }
            var summaries = SummariesOf(chaosEvent.Proxy);
            var index = (int)(chaosEvent.Connection - 1);
            while (summaries.Count <= index)
            {
                summaries.Add(null);
            }
            var summary = summaries[index] ??= new ConnectionSummary(chaosEvent.Proxy, chaosEvent.Connection);
            summary.Add(chaosEvent);
        }
    }

    /// <summary>What each side did, from the events so far.</summary>
    public ReactionReport Report()
    {
        lock (_gate)
        {
            return ReactionAnalyser.Report(_proxies, [.. _byProxy.Values.SelectMany(summaries => summaries.OfType<ConnectionSummary>())]);
        }
    }

    private List<ConnectionSummary?> SummariesOf(string proxy)
    {
        if (!ReferenceEquals(proxy, _lastProxy))
        {
            if (!_byProxy.TryGetValue(proxy, out var summaries))
            {
                _byProxy[proxy] = summaries = [];
            }
            (_lastProxy, _lastSummaries) = (proxy, summaries);
        }
        return _lastSummaries;
    }
}
