using System.Threading.Channels;

namespace Chaos.Proxy.Observation;

/// <summary>Receives every event, on the bus's own reader task, in publication order.</summary>
internal interface IEventSubscriber
{
    void Handle(ChaosEvent chaosEvent);
}

/// <summary>
/// Carries events from the relay to subscribers through a bounded channel. Publishing never blocks:
/// when subscribers fall behind, new events are dropped and counted, because a stalled log must not
/// stall the data path (DESIGN.md principle 4). A subscriber that throws (a full disk under the events file)
/// is detached at its first failure and reported once, as <see cref="SubscriberDetached"/> to the others:
/// never retried per event, and never in the way of the other subscribers or the relay.
/// </summary>
internal sealed class EventBus : IAsyncDisposable
{
    private readonly Channel<ChaosEvent> _channel;
    private readonly List<IEventSubscriber> _subscribers;
    private readonly Task _dispatch;
    private long _dropped;
    private int _detached;

    public EventBus(IReadOnlyList<IEventSubscriber> subscribers, TimeProvider time, int capacity = 65_536)
    {
        Time = time;
        _subscribers = [.. subscribers];
        _channel = Channel.CreateBounded<ChaosEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        }, _ => Interlocked.Increment(ref _dropped));
        _dispatch = Task.Run(DispatchAsync);
    }

    public TimeProvider Time { get; }

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Subscribers detached after they threw.</summary>
    public int Detached => Volatile.Read(ref _detached);

    public void Publish(ChaosEvent chaosEvent) => _channel.Writer.TryWrite(chaosEvent);

    private async Task DispatchAsync()
    {
        await foreach (var chaosEvent in _channel.Reader.ReadAllAsync())
        {
            Deliver(chaosEvent);
        }
    }

    private void Deliver(ChaosEvent chaosEvent)
    {
        List<SubscriberDetached>? failures = null;
        for (var i = 0; i < _subscribers.Count; i++)
        {
            try
            {
                _subscribers[i].Handle(chaosEvent);
            }
#pragma warning disable CA1031 // whatever a subscriber throws is its own failure, never the bus's
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var name = _subscribers[i].GetType().Name;
                _subscribers.RemoveAt(i--);
                Interlocked.Increment(ref _detached);
                (failures ??= []).Add(new SubscriberDetached(Time.GetUtcNow(), name, $"{ex.GetType().Name}: {ex.Message}"));
            }
        }
        foreach (var failure in failures ?? [])
        {
            Deliver(failure);
        }
    }

    /// <summary>Delivers what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _dispatch;
    }
}
