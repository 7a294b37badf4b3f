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
/// stall the data path (DESIGN.md principle 4).
/// </summary>
internal sealed class EventBus : IAsyncDisposable
{
    private readonly Channel<ChaosEvent> _channel;
    private readonly IReadOnlyList<IEventSubscriber> _subscribers;
    private readonly Task _dispatch;
    private long _dropped;

    public EventBus(IReadOnlyList<IEventSubscriber> subscribers, TimeProvider time, int capacity = 65_536)
    {
        Time = time;
        _subscribers = subscribers;
        _channel = Channel.CreateBounded<ChaosEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        }, _ => Interlocked.Increment(ref _dropped));
        _dispatch = Task.Run(DispatchAsync);
    }

    public TimeProvider Time { get; }

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Publish(ChaosEvent chaosEvent) => _channel.Writer.TryWrite(chaosEvent);

    private async Task DispatchAsync()
    {
        await foreach (var chaosEvent in _channel.Reader.ReadAllAsync())
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Handle(chaosEvent);
            }
        }
    }

    /// <summary>Delivers what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _dispatch;
    }
}
