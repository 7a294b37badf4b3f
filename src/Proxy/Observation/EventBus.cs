using System.Threading.Channels;

namespace Chaos.Proxy.Observation;

/// <summary>Receives events on the bus's own reader task, in publication order (an <see cref="IInlineEventSubscriber"/> on the publishing thread instead).</summary>
internal interface IEventSubscriber
{
    /// <summary>False for an event this subscriber would ignore: the bus then does not queue it for the subscriber.</summary>
    bool Wants(ChaosEvent chaosEvent) => true;

    /// <summary>
    /// False for a kind of event this subscriber does not look at, as things stand when asked (a live listener may
    /// attach later). Where no subscriber reads a kind, the relay need not make its events at all
    /// (<see cref="EventBus.Observes{TEvent}"/>).
    /// </summary>
    bool Reads(Type kind) => true;

    void Handle(ChaosEvent chaosEvent);
}

/// <summary>
/// A subscriber whose <see cref="IEventSubscriber.Handle"/> is thread-safe, short and never blocks (it keeps the
/// event in memory, counts it, or offers it to a bounded queue): the bus calls it on the publishing thread.
/// </summary>
internal interface IInlineEventSubscriber : IEventSubscriber;

/// <summary>
/// Carries events from the relay to subscribers. Inline subscribers get each event on the publishing thread.
/// The others (a console, a file: they may block) get it through a bounded channel read by the bus's own task;
/// publishing never blocks: when they fall behind, new events are dropped and counted, because a stalled log
/// must not stall the data path (DESIGN.md principle 4). An event no queued subscriber wants is not queued,
/// so a run that logs only warnings wakes the reader task for warnings only: one wake-up per event was the
/// largest cost of a new connection. A subscriber that throws (a full disk under the events file) is detached
/// at its first failure and reported once, as <see cref="SubscriberDetached"/> to the others: never retried
/// per event, and never in the way of the other subscribers or the relay.
/// </summary>
internal sealed class EventBus : IAsyncDisposable
{
    private readonly Channel<ChaosEvent> _channel;
    private readonly Task _dispatch;
    private volatile IInlineEventSubscriber[] _inline;
    private volatile IEventSubscriber[] _queued;
    private volatile bool _stopped;
    private long _dropped;
    private int _detached;

    public EventBus(IReadOnlyList<IEventSubscriber> subscribers, TimeProvider time, int capacity = 65_536)
    {
        Time = time;
        _inline = [.. subscribers.OfType<IInlineEventSubscriber>()];
        _queued = [.. subscribers.Where(subscriber => subscriber is not IInlineEventSubscriber)];
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

    public void Publish(ChaosEvent chaosEvent)
    {
        if (_stopped)
        {
            return;
        }
        foreach (var subscriber in _inline)
        {
            HandleInline(subscriber, chaosEvent);
        }
        if (WantedByQueued(chaosEvent))
        {
            _channel.Writer.TryWrite(chaosEvent);
        }
    }

    /// <summary>
    /// Whether a subscriber reads events of this kind. The relay asks before making the events of a new connection
    /// that a plain run reads nothing of (dialling, dialled, first byte, FIN sent): on a load of short connections,
    /// making them took about 2.6 µs of chaos's CPU per connection (measured with redis-benchmark -k 0).
    /// </summary>
    public bool Observes<TEvent>() where TEvent : ChaosEvent =>
        !_stopped && (AnyReads(_inline, typeof(TEvent)) || AnyReads(_queued, typeof(TEvent)));

    private static bool AnyReads(IEventSubscriber[] subscribers, Type kind)
    {
        foreach (var subscriber in subscribers)
        {
            if (subscriber.Reads(kind))
            {
                return true;
            }
        }
        return false;
    }

    private bool WantedByQueued(ChaosEvent chaosEvent)
    {
        foreach (var subscriber in _queued)
        {
            if (subscriber.Wants(chaosEvent))
            {
                return true;
            }
        }
        return false;
    }

    private void HandleInline(IInlineEventSubscriber subscriber, ChaosEvent chaosEvent)
    {
        try
        {
            subscriber.Handle(chaosEvent);
        }
#pragma warning disable CA1031 // whatever a subscriber throws is its own failure, never the bus's or the relay's
        catch (Exception ex)
#pragma warning restore CA1031
        {
            DetachInline(subscriber, ex);
        }
    }

    // Apart from HandleInline, whose every call would otherwise allocate this lambda's closure.
    private void DetachInline(IInlineEventSubscriber subscriber, Exception ex)
    {
        var before = _inline;
        if (before.Contains(subscriber) && Interlocked.CompareExchange(ref _inline, [.. before.Where(s => s != subscriber)], before) == before)
        {
            Publish(Detach(subscriber, ex));
        }
    }

    private SubscriberDetached Detach(IEventSubscriber subscriber, Exception ex)
    {
        Interlocked.Increment(ref _detached);
        return new SubscriberDetached(Time.GetUtcNow(), subscriber.GetType().Name, $"{ex.GetType().Name}: {ex.Message}");
    }

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
        foreach (var subscriber in _queued)
        {
            try
            {
                subscriber.Handle(chaosEvent);
            }
#pragma warning disable CA1031 // whatever a subscriber throws is its own failure, never the bus's
            catch (Exception ex)
#pragma warning restore CA1031
            {
                (failures ??= []).Add(Detach(subscriber, ex));
                _queued = [.. _queued.Where(s => s != subscriber)]; // only this task writes it
            }
        }
        foreach (var failure in failures ?? [])
        {
            foreach (var subscriber in _inline)
            {
                HandleInline(subscriber, failure);
            }
            Deliver(failure);
        }
    }

    /// <summary>Delivers what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopped = true;
        _channel.Writer.TryComplete();
        await _dispatch;
    }
}
