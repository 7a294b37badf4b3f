using System.Collections.Concurrent;

namespace Chaos.Proxy.Observation.Reactions;

/// <summary>
/// Folds events into one summary per connection as they are published, so a run's report does not need its
/// events kept: a kept event lives until the run ends, and the GC copied every one of them twice (measured: 10%
/// of a busy run's time in collection pauses, on the relay's thread, with ten events kept per connection).
/// Each pass-through loop publishes its connections' events: one lock for every event made the loops' cores take
/// turns with its cache line, so an event locks only its own connection's summary.
/// </summary>
internal sealed class ReactionTally : IInlineEventSubscriber
{
    private readonly Lock _gate = new(); // adding a proxy
    private readonly ConcurrentDictionary<string, ProxySummaries> _byProxy = new(StringComparer.Ordinal);
    private readonly List<ProxySummaries> _inOrder = [];
    private readonly List<string> _started = [];

    public void Handle(ChaosEvent chaosEvent)
    {
        if (chaosEvent is ProxyStarted started)
        {
            lock (_gate)
            {
                if (!_started.Contains(started.Proxy))
                {
                    _started.Add(started.Proxy);
                }
            }
        }
        if (chaosEvent.Connection <= 0)
        {
            return;
        }
        var summary = SummariesOf(chaosEvent.Proxy).Of(chaosEvent.Connection);
        lock (summary)
        {
            summary.Add(chaosEvent);
        }
    }

    /// <summary>What each side did, from the events so far.</summary>
    public ReactionReport Report()
    {
        string[] proxies;
        ProxySummaries[] inOrder;
        lock (_gate)
        {
            (proxies, inOrder) = ([.. _started], [.. _inOrder]);
        }
        return ReactionAnalyser.Report(proxies, [.. inOrder.SelectMany(summaries => summaries.Copies())]);
    }

    private ProxySummaries SummariesOf(string proxy)
    {
        if (_byProxy.TryGetValue(proxy, out var summaries))
        {
            return summaries;
        }
        lock (_gate)
        {
            if (!_byProxy.TryGetValue(proxy, out summaries))
            {
                summaries = new ProxySummaries(proxy);
                _inOrder.Add(summaries);
                _byProxy[proxy] = summaries;
            }
            return summaries;
        }
    }
}

/// <summary>
/// One proxy's connection summaries, each at its connection number (a proxy numbers them 1, 2, 3, ...): a lookup
/// per event in one dictionary of every connection's summary was the relay thread's busiest frame of its own on a
/// new-connection load. An existing summary is found without a lock; creating one, once per connection, takes it.
/// </summary>
internal sealed class ProxySummaries(string proxy)
{
    private readonly Lock _gate = new();
    private ConnectionSummary?[] _summaries = new ConnectionSummary?[1024];

    public ConnectionSummary Of(long connection)
    {
        var index = (int)(connection - 1);
        var summaries = Volatile.Read(ref _summaries);
        if (index < summaries.Length && Volatile.Read(ref summaries[index]) is { } found)
        {
            return found;
        }
        lock (_gate)
        {
            summaries = _summaries;
            if (index >= summaries.Length)
            {
                var grown = new ConnectionSummary?[Math.Max(summaries.Length * 2, index + 1)];
                summaries.CopyTo(grown, 0);
                Volatile.Write(ref _summaries, summaries = grown);
            }
            if (summaries[index] is not { } summary)
            {
                Volatile.Write(ref summaries[index], summary = new ConnectionSummary(proxy, connection));
            }
            return summary;
        }
    }

    /// <summary>Each summary as it stands, copied under its lock: the connection may still be adding to it.</summary>
    public IEnumerable<ConnectionSummary> Copies()
    {
        ConnectionSummary?[] summaries;
        lock (_gate)
        {
            summaries = _summaries;
        }
        foreach (var summary in summaries)
        {
            if (summary is not null)
            {
                ConnectionSummary copy;
                lock (summary)
                {
                    copy = summary.Copy();
                }
                yield return copy;
            }
        }
    }
}
