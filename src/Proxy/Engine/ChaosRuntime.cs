using Chaos.Proxy.Observation;
using Chaos.Scenarios;

namespace Chaos.Proxy.Engine;

/// <summary>One run of Chaos: the event bus, the proxy registry, and the scenario's proxies started on them.</summary>
internal sealed class ChaosRuntime : IAsyncDisposable
{
    private ChaosRuntime(EventBus bus, ProxyRegistry registry)
    {
        Bus = bus;
        Registry = registry;
    }

    public EventBus Bus { get; }

    public ProxyRegistry Registry { get; }

    /// <summary>Starts every proxy of the scenario; if one cannot start, the ones already started are stopped again.</summary>
    public static async Task<ChaosRuntime> StartAsync(
        Scenario scenario, IReadOnlyList<IEventSubscriber> subscribers, RelayOptions options, TimeProvider time)
    {
        var bus = new EventBus(subscribers, time);
        var runtime = new ChaosRuntime(bus, new ProxyRegistry(bus, options));
        try
        {
            foreach (var proxy in scenario.Proxies)
            {
                await runtime.Registry.StartAsync(proxy);
            }
            return runtime;
        }
        catch
        {
            await runtime.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the proxies (connections get FIN and drain), then delivers the remaining events.</summary>
    public async ValueTask DisposeAsync()
    {
        await Registry.DisposeAsync();
        await Bus.DisposeAsync();
    }
}
