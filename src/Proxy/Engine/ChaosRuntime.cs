using System.Security.Cryptography;
using System.Collections.Immutable;
using Chaos.Proxy.ControlApi.Extensions;
using Chaos.Proxy.Observation;
using Chaos.Scenarios;

namespace Chaos.Proxy.Engine;

/// <summary>One run of Chaos: the event bus, the proxy registry, the scenario's proxies and its timeline.</summary>
internal sealed class ChaosRuntime : IAsyncDisposable
{
    private readonly CancellationTokenSource _ending = new();
    private Task _timeline = Task.CompletedTask;

    private ChaosRuntime(EventBus bus, ProxyRegistry registry, long seed, RuntimeObservers observers, ImmutableArray<Expectation> expectations)
    {
        Bus = bus;
        Registry = registry;
        Seed = seed;
        Observers = observers;
        Expectations = expectations;
    }

    public EventBus Bus { get; }

    public ProxyRegistry Registry { get; }

    /// <summary>The seed of this run: the scenario's, or a fresh one (printed, so the run can be repeated).</summary>
    public long Seed { get; }

    /// <summary>Every event so far, the live stream and toxic counts, for the <c>/chaos/</c> API endpoints and the run's report.</summary>
    internal RuntimeObservers Observers { get; }

    /// <summary>The scenario's <c>expect:</c> list, as it was at start.</summary>
    public ImmutableArray<Expectation> Expectations { get; }

    /// <summary>Starts every proxy of the scenario, then its timeline; if a proxy cannot start, the ones already started are stopped again.</summary>
    public static async Task<ChaosRuntime> StartAsync(
        Scenario scenario, IReadOnlyList<IEventSubscriber> subscribers, RelayOptions options, TimeProvider time)
    {
        var seed = scenario.Seed ?? RandomNumberGenerator.GetInt32(int.MaxValue);
        var observers = new RuntimeObservers(options.EventHistoryLimit);
        var bus = new EventBus([.. subscribers, .. observers.Subscribers], time);
        var runtime = new ChaosRuntime(bus, new ProxyRegistry(bus, options, seed), seed, observers, scenario.Expectations);
        try
        {
            foreach (var proxy in scenario.Proxies)
            {
                await runtime.Registry.StartAsync(proxy);
            }
        }
        catch
        {
            await runtime.DisposeAsync();
            throw;
        }
        runtime._timeline = TimelineRunner.RunAsync(scenario.Timeline, runtime.Registry, bus, runtime._ending.Token);
        return runtime;
    }

    /// <summary>Stops the timeline and the proxies (connections get FIN and drain), then delivers the remaining events.</summary>
    public async ValueTask DisposeAsync()
    {
        await _ending.CancelAsync();
        await _timeline;
        await Registry.DisposeAsync();
        await Bus.DisposeAsync();
        Observers.Live.Complete();
        _ending.Dispose();
    }
}
