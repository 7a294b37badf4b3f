using System.Collections.Concurrent;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Tests.Support;

/// <summary>
/// Records every event so tests can wait for and assert on them. Inline, as the run's own history is: an event is
/// in the log before the socket action after it, so a test may read it right after that action.
/// </summary>
internal sealed class EventLog : IInlineEventSubscriber
{
    private readonly ConcurrentQueue<ChaosEvent> _events = new();

    public IReadOnlyList<ChaosEvent> Events => _events.ToArray();

    public void Handle(ChaosEvent chaosEvent) => _events.Enqueue(chaosEvent);

    public IEnumerable<T> OfType<T>() where T : ChaosEvent => _events.OfType<T>();

    /// <summary>Polls until an event matches; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool>? match = null, TimeSpan? timeout = null) where T : ChaosEvent
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            var found = _events.OfType<T>().FirstOrDefault(e => match?.Invoke(e) ?? true);
            if (found is not null)
            {
                return found;
            }
            await Task.Delay(10);
        }
        throw new TimeoutException($"no {typeof(T).Name} event arrived; saw: {string.Join(", ", _events.Select(e => e.GetType().Name))}");
    }
}
