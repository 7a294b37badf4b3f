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

    /// <summary>
    /// The history only where it keeps something: with a limit of 0 (a run with no API and no diagram) it would only
    /// count each event, and every loop's thread counting into one counter costs each event a cache-line transfer.
    /// </summary>
    public IEnumerable<IEventSubscriber> Subscribers => historyLimit == 0 ? [Toxics, Live] : [History, Toxics, Live];
}
