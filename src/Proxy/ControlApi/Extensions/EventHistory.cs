using Chaos.Proxy.Observation;

namespace Chaos.Proxy.ControlApi.Extensions;

/// <summary>
/// Keeps the events of the run for the end-of-run analysis and /chaos/report; it may be read while the run
/// goes on (the report endpoint reads it on a request thread while the bus keeps adding). With a limit, as
/// for a long-lived <c>chaos serve</c>, it keeps only the latest events, so memory stays bounded.
/// </summary>
internal sealed class EventHistory(int? limit = null) : IInlineEventSubscriber
{
    private readonly Lock _gate = new();
    private readonly Queue<ChaosEvent> _events = new();
    private long _forgotten;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _events.Count;
            }
        }
    }

    /// <summary>Events dropped at the old end to stay within the limit.</summary>
    public long Forgotten => Interlocked.Read(ref _forgotten);

    public void Handle(ChaosEvent chaosEvent)
    {
        if (limit == 0)
        {
            Interlocked.Increment(ref _forgotten);
            return;
        }
        lock (_gate)
        {
            _events.Enqueue(chaosEvent);
            if (_events.Count > limit)
            {
                _events.Dequeue();
                Interlocked.Increment(ref _forgotten);
            }
        }
    }

    /// <summary>A copy of the events kept so far, in publication order.</summary>
    public ChaosEvent[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _events];
        }
    }
}
