using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;

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
