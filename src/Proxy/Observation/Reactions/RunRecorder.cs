namespace Chaos.Proxy.Observation.Reactions;

/// <summary>Keeps every event of the run for the analysis at its end. Runs on the bus's reader, so no locking.</summary>
internal sealed class RunRecorder : IEventSubscriber
{
    private readonly List<ChaosEvent> _events = [];

    /// <summary>Read only after the bus has been disposed (all events delivered).</summary>
    public IReadOnlyList<ChaosEvent> Events => _events;

    public void Handle(ChaosEvent chaosEvent) => _events.Add(chaosEvent);
}
