using System.Collections.Concurrent;

namespace Chaos.Proxy.Observation.Reactions;

/// <summary>
/// Folds events into one summary per connection as they are published, so a run's report does not need its
/// events kept: a kept event lives until the run ends, and the GC copied every one of them twice (measured: 10%
/// of a busy run's time in collection pauses, on the relay's thread, with ten events kept per connection).
/// Each pass-through loop publishes its connections' events: one lock for every event made the loops' cores take
/// turns with its cache line, so an event locks only its own connection's part (<see cref="ProxySummaries"/>).
/// </summary>
internal sealed class ReactionTally : IInlineEventSubscriber
{
    private readonly Lock _gate = new(); // adding a proxy
    private readonly ConcurrentDictionary<string, ProxySummaries> _byProxy = new(StringComparer.Ordinal);
    private readonly List<ProxySummaries> _inOrder = [];
    private readonly List<string> _started = [];

    public bool Reads(Type kind) => kind == typeof(ProxyStarted) || ConnectionSummary.Reads(kind);

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
        SummariesOf(chaosEvent.Proxy).Add(chaosEvent);
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
/// new-connection load. They sit by value in fixed blocks that never move, so a summary is found without a lock and
/// costs the collector nothing of its own; only adding a block takes the gate. A summary is changed and copied under
/// one of a few locks, by its number: events of one connection may come from several threads, while the loops'
/// threads, publishing for neighbouring connections, mostly take different ones.
/// </summary>
internal sealed class ProxySummaries(string proxy)
{
    // 512 summaries: a block stays under the large-object threshold (85,000 bytes); large blocks, allocated every few
    // thousand connections, would count towards the budget that starts full collections.
    private const int BlockBits = 9;
    private const int BlockSize = 1 << BlockBits;
    private const int LockBits = 6;

    private readonly Lock _gate = new();
    private readonly Lock[] _locks = [.. Enumerable.Range(0, 1 << LockBits).Select(_ => new Lock())];
    private ConnectionSummary[]?[] _blocks = new ConnectionSummary[]?[16];

    public void Add(ChaosEvent chaosEvent)
    {
        var index = chaosEvent.Connection - 1;
        ref var summary = ref BlockAt((int)(index >> BlockBits))[index & (BlockSize - 1)];
        lock (LockOf(chaosEvent.Connection))
        {
            if (summary.Id == 0)
            {
                summary = new ConnectionSummary(proxy, chaosEvent.Connection);
            }
            summary.Add(chaosEvent);
        }
    }

    /// <summary>Each summary as it stands, copied under its lock: the connection may still be adding to it.</summary>
    public IEnumerable<ConnectionSummary> Copies()
    {
        ConnectionSummary[]?[] blocks;
        lock (_gate)
        {
            blocks = _blocks;
        }
        for (var number = 0; number < blocks.Length; number++)
        {
            if (Volatile.Read(ref blocks[number]) is not { } block)
            {
                continue; // none of its connections has reported yet
            }
            for (var slot = 0; slot < BlockSize; slot++)
            {
                var connection = ((long)number << BlockBits) + slot + 1;
                ConnectionSummary copy;
                lock (LockOf(connection))
                {
                    copy = block[slot];
                }
                if (copy.Id != 0)
                {
                    yield return copy;
                }
            }
        }
    }

    /// <summary>Spread by a multiplicative hash, so consecutive connections take locks that lie apart in memory.</summary>
    private Lock LockOf(long connection) => _locks[(int)(((ulong)connection * 0x9E3779B97F4A7C15UL) >> (64 - LockBits))];

    private ConnectionSummary[] BlockAt(int number)
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
                var grown = new ConnectionSummary[]?[Math.Max(_blocks.Length * 2, number + 1)];
                _blocks.CopyTo(grown, 0);
                Volatile.Write(ref _blocks, grown);
            }
            if (_blocks[number] is not { } block)
            {
                Volatile.Write(ref _blocks[number], block = new ConnectionSummary[BlockSize]);
            }
            return block;
        }
    }
}
