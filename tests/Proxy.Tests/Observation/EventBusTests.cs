using Chaos.Proxy.ControlApi.Extensions;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Observation.Reactions;
using Chaos.Proxy.Tests.Support;
using Serilog;

namespace Chaos.Proxy.Tests.Observation;

public sealed class EventBusTests
{
    [Fact(Timeout = 10_000)]
    public async Task Publish_SubscriberThrows_DetachedOnceAndOthersGetEveryEvent()
    {
        var failing = new FailingSubscriber();
        var log = new EventLog();
        var bus = new EventBus([failing, log], TimeProvider.System);

        for (var i = 1; i <= 100; i++)
        {
            bus.Publish(new ProxyStopped(DateTimeOffset.UtcNow, $"p{i}"));
        }
        await bus.DisposeAsync();

        Assert.Equal(1, failing.Calls);
        Assert.Equal(1, bus.Detached);
        var detached = Assert.Single(log.OfType<SubscriberDetached>());
        Assert.Equal(nameof(FailingSubscriber), detached.Subscriber);
        Assert.Contains("disk full", detached.Error, StringComparison.Ordinal);
        Assert.Equal(100, log.OfType<ProxyStopped>().Count());
    }

    [Fact(Timeout = 10_000)]
    public async Task Publish_InlineSubscriber_HasTheEventBeforePublishReturns()
    {
        var kept = new KeptInline();
        await using var bus = new EventBus([kept], TimeProvider.System);

        bus.Publish(new ProxyStopped(DateTimeOffset.UtcNow, "p1"));

        Assert.Equal("p1", Assert.Single(kept.Events).Proxy);
    }

    [Fact(Timeout = 10_000)]
    public async Task Publish_EventNoQueuedSubscriberWants_NeverReachesIt()
    {
        var picky = new WantsOnly("wanted");
        var bus = new EventBus([picky], TimeProvider.System);

        bus.Publish(new ProxyStopped(DateTimeOffset.UtcNow, "ignored"));
        bus.Publish(new ProxyStopped(DateTimeOffset.UtcNow, "wanted"));
        await bus.DisposeAsync();

        Assert.Equal(["wanted"], picky.Handled);
    }

    [Fact(Timeout = 10_000)]
    public async Task Publish_InlineSubscriberThrows_DetachedOnceAndTheRelayGoesOn()
    {
        var failing = new FailingInline();
        var log = new EventLog();
        var bus = new EventBus([failing, log], TimeProvider.System);

        for (var i = 1; i <= 100; i++)
        {
            bus.Publish(new ProxyStopped(DateTimeOffset.UtcNow, $"p{i}")); // must not throw to the publisher
        }
        await bus.DisposeAsync();

        Assert.Equal(1, failing.Calls);
        Assert.Equal(1, bus.Detached);
        Assert.Equal(nameof(FailingInline), Assert.Single(log.OfType<SubscriberDetached>()).Subscriber);
        Assert.Equal(100, log.OfType<ProxyStopped>().Count());
    }

    [Fact(Timeout = 10_000)]
    public async Task Observes_AKindOnlyWhereASubscriberReadsIt()
    {
        using var warnings = new LoggerConfiguration().MinimumLevel.Warning().CreateLogger();
        using var debug = new LoggerConfiguration().MinimumLevel.Debug().CreateLogger();
        await using var plainRun = new EventBus([new ReactionTally(), new SerilogEventWriter(warnings)], TimeProvider.System);
        await using var debugRun = new EventBus([new ReactionTally(), new SerilogEventWriter(debug)], TimeProvider.System);
        await using var keepingAll = new EventBus([new ReactionTally(), new EventLog()], TimeProvider.System);

        Assert.Equal(
            (false, false, false, false),
            (plainRun.Observes<UpstreamConnecting>(), plainRun.Observes<UpstreamConnected>(), plainRun.Observes<FirstByte>(), plainRun.Observes<FinSent>()));
        Assert.Equal((true, true, true), (plainRun.Observes<FinReceived>(), plainRun.Observes<ConnectionClosed>(), plainRun.Observes<UpstreamFailed>()));
        Assert.Equal((true, true), (debugRun.Observes<FirstByte>(), debugRun.Observes<FinSent>()));
        Assert.True(keepingAll.Observes<FirstByte>());
    }

    [Fact(Timeout = 10_000)]
    public async Task Observes_EveryKindWhileALiveListenerIsAttached()
    {
        var live = new LiveEvents();
        await using var bus = new EventBus([new ReactionTally(), live], TimeProvider.System);

        var before = bus.Observes<FirstByte>();
        bool during;
        using (live.Attach())
        {
            during = bus.Observes<FirstByte>();
        }

        Assert.Equal((false, true, false), (before, during, bus.Observes<FirstByte>()));
    }

    private sealed class KeptInline : IInlineEventSubscriber
    {
        public List<ChaosEvent> Events { get; } = [];

        public void Handle(ChaosEvent chaosEvent) => Events.Add(chaosEvent);
    }

    private sealed class WantsOnly(string proxy) : IEventSubscriber
    {
        public List<string?> Handled { get; } = [];

        public bool Wants(ChaosEvent chaosEvent) => chaosEvent.Proxy == proxy;

        public void Handle(ChaosEvent chaosEvent) => Handled.Add(chaosEvent.Proxy);
    }

    private sealed class FailingInline : IInlineEventSubscriber
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void Handle(ChaosEvent chaosEvent)
        {
            Interlocked.Increment(ref _calls);
            throw new InvalidOperationException("broken");
        }
    }

    private sealed class FailingSubscriber : IEventSubscriber
    {
        public int Calls { get; private set; }

        public void Handle(ChaosEvent chaosEvent)
        {
            Calls++;
            throw new IOException("disk full");
        }
    }
}
