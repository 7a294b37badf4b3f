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
/// new-connection load. They sit in fixed blocks that never move, so a summary is found, and put in its place, without
/// a lock; only adding a block takes it.
/// </summary>
internal sealed class ProxySummaries(string proxy)
{
    private const int BlockBits = 10;
    private const int BlockSize = 1 << BlockBits;

    private readonly Lock _gate = new();
    private ConnectionSummary?[]?[] _blocks = new ConnectionSummary?[]?[16];

    public ConnectionSummary Of(long connection)
    {
        var index = connection - 1;
        var block = BlockAt((int)(index >> BlockBits));
        var slot = (int)(index & (BlockSize - 1));
        if (Volatile.Read(ref block[slot]) is { } found)
        {
            return found;
        }
        var created = new ConnectionSummary(proxy, connection);
        return Interlocked.CompareExchange(ref block[slot], created, null) ?? created;
    }

    /// <summary>Each summary as it stands, copied under its lock: the connection may still be adding to it.</summary>
    public IEnumerable<ConnectionSummary> Copies()
    {
        ConnectionSummary?[]?[] blocks;
        lock (_gate)
        {
            blocks = _blocks;
        }
        foreach (var block in blocks)
        {
            foreach (var summary in block ?? [])
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

    private ConnectionSummary?[] BlockAt(int number)
    {
        var blocks = Volatile.Read(ref _blocks);
        if (number < blocks.Length && Volatile.Read(ref blocks[number]) is { } existing)
        {
            return existing;
        }
        lock (_gate)
        {
            if (number >= _blocks.Length)
            {
                var grown = new ConnectionSummary?[]?[Math.Max(_blocks.Length * 2, number + 1)];
                _blocks.CopyTo(grown, 0);
                Volatile.Write(ref _blocks, grown);
            }
            if (_blocks[number] is not { } block)
            {
                Volatile.Write(ref _blocks[number], block = new ConnectionSummary?[BlockSize]);
            }
            return block;
        }
    }
}
