using Chaos.Proxy.ControlApi.Extensions;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy;

/// <summary>Waits for a condition over a run's events, checking again whenever new events arrive.</summary>
internal static class EventWaiter
{
    public static async Task<IReadOnlyList<ChaosEvent>> WaitAsync(
        RuntimeObservers observers, Func<IReadOnlyList<ChaosEvent>, bool> condition, TimeSpan timeout, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        // Attached before the first look, so no event can slip between the look and the wait.
        using var arrivals = observers.Live.Attach();
        while (true)
        {
            var events = observers.History.Snapshot();
            if (condition(events))
            {
                return events;
            }
            try
            {
                if (!await arrivals.Reader.WaitToReadAsync(deadline.Token))
                {
                    var last = observers.History.Snapshot();
                    return condition(last) ? last : throw new TimeoutException($"the session stopped before the condition held ({last.Length} events)");
                }
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new TimeoutException($"the condition did not hold within {timeout.TotalSeconds:0.###} s ({events.Length} events so far)");
            }
            while (arrivals.Reader.TryRead(out _))
            {
            }
        }
    }
}
