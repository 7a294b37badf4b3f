using Chaos.Proxy.Engine;

namespace Chaos.Proxy.ControlApi.Extensions;

/// <summary>What the <c>/chaos/</c> endpoints serve from: the run (its events, bus and registry), and the event stream's heartbeat.</summary>
internal sealed record ChaosExtensions(ChaosRuntime Runtime)
{
    /// <summary>How often <c>/chaos/events</c> sends a comment line when no event came, so proxies and clients keep the stream open.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Events one <c>/chaos/events</c> client may fall behind by before new ones are dropped for it.</summary>
    public int ClientQueue { get; init; } = LiveEvents.DefaultCapacity;
}
