using Chaos.Proxy.Observation;

namespace Chaos.Proxy.ControlApi.Extensions;

/// <summary>
/// Keeps every event of the run for the end-of-run analysis and /chaos/report; it may be read while the
/// run goes on (the report endpoint reads it on a request thread while the bus keeps adding).
/// </summary>
internal sealed class EventHistory : IEventSubscriber
{
    private readonly Lock _gate = new();
    private readonly List<ChaosEvent> _events = [];

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

    public void Handle(ChaosEvent chaosEvent)
    {
        lock (_gate)
        {
            _events.Add(chaosEvent);
        }
    }

    /// <summary>A copy of the events delivered so far, in publication order.</summary>
    public ChaosEvent[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _events];
        }
    }
}
