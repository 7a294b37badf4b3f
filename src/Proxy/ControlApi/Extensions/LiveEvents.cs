using System.Threading.Channels;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.ControlApi.Extensions;

/// <summary>
/// Fans the bus's events out to listeners that come and go (the bus's own subscribers are fixed when it is built).
/// Each listener has a bounded queue that drops new events when it is full: a slow client never holds up the bus.
/// </summary>
internal sealed class LiveEvents : IInlineEventSubscriber
{
    /// <summary>Events a listener may fall behind by before new ones are dropped for it.</summary>
    public const int DefaultCapacity = 4096;

    private readonly Lock _gate = new();
    private LiveEventSubscription[] _listeners = [];
    private bool _completed;

    /// <summary>Listeners attached now.</summary>
    public int Count => Volatile.Read(ref _listeners).Length;

    /// <summary>Starts receiving every event published from now on; dispose the subscription to stop.</summary>
    public LiveEventSubscription Attach(int capacity = DefaultCapacity)
    {
        var subscription = new LiveEventSubscription(this, capacity);
        lock (_gate)
        {
            if (!_completed)
            {
                Volatile.Write(ref _listeners, [.. _listeners, subscription]);
                return subscription;
            }
        }
        subscription.Complete();
        return subscription;
    }

    /// <summary>Every kind while a listener is attached; none while nobody listens.</summary>
    public bool Reads(Type kind) => Count > 0;

    /// <summary>Runs on the publishing thread: never blocks, whatever the listeners do.</summary>
    public void Handle(ChaosEvent chaosEvent)
    {
        foreach (var listener in Volatile.Read(ref _listeners))
        {
            listener.Offer(chaosEvent);
        }
    }

    /// <summary>The run is over: every listener's stream ends once it has read what is queued.</summary>
    public void Complete()
    {
        LiveEventSubscription[] listeners;
        lock (_gate)
        {
            _completed = true;
            listeners = _listeners;
            Volatile.Write(ref _listeners, []);
        }
        foreach (var listener in listeners)
        {
            listener.Complete();
        }
    }

    internal void Detach(LiveEventSubscription subscription)
    {
        lock (_gate)
        {
            Volatile.Write(ref _listeners, [.. _listeners.Where(listener => listener != subscription)]);
        }
        subscription.Complete();
    }
}

/// <summary>One listener of <see cref="LiveEvents"/>: its queue, and how many events it missed because it was full.</summary>
internal sealed class LiveEventSubscription : IDisposable
{
    private readonly LiveEvents _owner;
    private readonly Channel<ChaosEvent> _queue;
    private long _dropped;

    internal LiveEventSubscription(LiveEvents owner, int capacity)
    {
        _owner = owner;
        _queue = Channel.CreateBounded<ChaosEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        }, _ => Interlocked.Increment(ref _dropped));
    }

    public ChannelReader<ChaosEvent> Reader => _queue.Reader;

    /// <summary>Events not queued because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal void Offer(ChaosEvent chaosEvent) => _queue.Writer.TryWrite(chaosEvent);

    internal void Complete() => _queue.Writer.TryComplete();

    public void Dispose() => _owner.Detach(this);
}
