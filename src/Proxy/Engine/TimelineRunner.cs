using Chaos.Proxy.Observation;
using Chaos.Scenarios;

namespace Chaos.Proxy.Engine;

/// <summary>Applies a scenario's timeline steps at their offsets from the start of the run, through the registry.</summary>
internal static class TimelineRunner
{
    public static async Task RunAsync(IReadOnlyList<TimelineStep> steps, ProxyRegistry registry, EventBus bus, CancellationToken cancellation)
    {
        var started = bus.Time.GetTimestamp();
        try
        {
            foreach (var step in steps.OrderBy(step => step.At))
            {
                var wait = step.At - bus.Time.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, bus.Time, cancellation);
                }
                string? error = null;
                try
                {
                    await ApplyAsync(step.Action, registry);
                }
                catch (RegistryException ex)
                {
                    error = ex.Message;
                }
                bus.Publish(new TimelineStepApplied(bus.Time.GetUtcNow(), step.Action.Proxy, step.At, Describe(step.Action), error));
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended before the timeline did.
        }
    }

    private static Task ApplyAsync(TimelineAction action, ProxyRegistry registry) => action switch
    {
        AddToxicAction add => registry.AddToxicAsync(add.Proxy, add.Toxic),
        RemoveToxicAction remove => registry.RemoveToxicAsync(remove.Proxy, remove.Toxic),
        DisableProxyAction disable => registry.SetEnabledAsync(disable.Proxy, enabled: false),
        EnableProxyAction enable => registry.SetEnabledAsync(enable.Proxy, enabled: true),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "unknown timeline action"),
    };

    private static string Describe(TimelineAction action) => action switch
    {
        AddToxicAction add => $"add toxic {add.Toxic.Name} ({add.Toxic.Type})",
        RemoveToxicAction remove => $"remove toxic {remove.Toxic}",
        DisableProxyAction => "disable",
        EnableProxyAction => "enable",
        _ => action.GetType().Name,
    };
}
