using Chaos.Proxy.Observation;

namespace Chaos.Proxy.ControlApi.Extensions;

/// <summary>
/// What a <see cref="Engine.ChaosRuntime"/> keeps for the <c>/chaos/</c> endpoints: every event (the report), the
/// live stream (server-sent events) and toxic counts (metrics). Subscribed to the bus after the run's own subscribers.
/// </summary>
internal sealed class RuntimeObservers(int? historyLimit)
{
    public EventHistory History { get; } = new(historyLimit);

    public LiveEvents Live { get; } = new();

    public ToxicCounter Toxics { get; } = new();

    public IEnumerable<IEventSubscriber> Subscribers => [History, Toxics, Live];
}
