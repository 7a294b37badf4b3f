using Chaos.Proxy.Engine;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Observation.Reactions;
using Chaos.Scenarios;

namespace Chaos.Proxy;

/// <summary>
/// Chaos in-process: the proxies of one scenario, running until disposed. Made for resilience tests: start it,
/// point the client under test at <see cref="ChaosProxy.Address"/>, change toxics while it runs, wait for what
/// should happen, then read the events and the reaction report and check expectations.
/// </summary>
/// <example>
/// <code>
/// await using var chaos = await ChaosSession.StartAsync(new ScenarioBuilder()
///     .Proxy("web", "builtin:http", web => web.Toxic("accept_reset", reset => reset.Connections("1-2")))
///     .Build());
/// var url = $"http://{chaos.Proxy("web").Address}/";
/// // ... the client under test calls url ...
/// await chaos.StopAsync();
/// Assert.Equal(2, chaos.Report().Total.ClientRetries);
/// </code>
/// </example>
public sealed class ChaosSession : IAsyncDisposable
{
    /// <summary>How long the wait methods wait when no timeout is given.</summary>
    public static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromSeconds(30);

    private readonly ChaosRuntime _runtime;
    private readonly Lazy<Task> _stopping;

    private ChaosSession(ChaosRuntime runtime, Scenario scenario)
    {
        _runtime = runtime;
        Scenario = scenario;
        _stopping = new Lazy<Task>(() => _runtime.DisposeAsync().AsTask());
    }

    /// <summary>The scenario the session started from.</summary>
    public Scenario Scenario { get; }

    /// <summary>The seed of this session's toxicity rolls, jitter and slices: the scenario's, or a fresh one.</summary>
    public long Seed => _runtime.Seed;

    /// <summary>The session's proxies, in scenario order.</summary>
    public IReadOnlyList<ChaosProxy> Proxies => [.. Scenario.Proxies.Select(proxy => new ChaosProxy(this, proxy.Name))];

    /// <summary>Every event so far, in the order they happened (connections accepted, FINs, RSTs, toxics acting, closes...).</summary>
    /// <remarks>Events reach the session shortly after they happen; after <see cref="StopAsync"/> the list is complete.</remarks>
    public IReadOnlyList<ChaosEvent> Events => _runtime.Observers.History.Snapshot();

    internal ProxyRegistry Registry => _runtime.Registry;

    /// <summary>Starts every proxy of <paramref name="scenario"/>, then its timeline.</summary>
    /// <exception cref="ProxyStartException">A proxy cannot listen (e.g. its port is taken); none is left running.</exception>
    public static async Task<ChaosSession> StartAsync(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var runtime = await ChaosRuntime.StartAsync(scenario, [], new RelayOptions(), TimeProvider.System);
        return new ChaosSession(runtime, scenario);
    }

    /// <summary>Loads a scenario file (YAML, or a Toxiproxy proxies JSON) and starts it.</summary>
    /// <exception cref="InvalidScenarioException">The file is missing or breaks a rule; the message lists every problem.</exception>
    /// <exception cref="ProxyStartException">A proxy cannot listen.</exception>
    public static Task<ChaosSession> StartFromFileAsync(string path) =>
        StartAsync(InvalidScenarioException.ThrowIfInvalid(ScenarioLoader.LoadFile(path)));

    /// <summary>Starts a scenario written as YAML (or JSON) text.</summary>
    /// <exception cref="InvalidScenarioException">The text breaks a rule; the message lists every problem.</exception>
    /// <exception cref="ProxyStartException">A proxy cannot listen.</exception>
    public static Task<ChaosSession> StartFromYamlAsync(string yaml) =>
        StartAsync(InvalidScenarioException.ThrowIfInvalid(ScenarioLoader.LoadText(yaml, "scenario text")));

    /// <summary>The proxy called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The scenario has no proxy of that name.</exception>
    public ChaosProxy Proxy(string name) =>
        Scenario.Proxies.Any(proxy => proxy.Name == name)
            ? new ChaosProxy(this, name)
            : throw new ArgumentException(
                $"the scenario has no proxy '{name}'; it has {string.Join(", ", Scenario.Proxies.Select(proxy => proxy.Name))}", nameof(name));

    /// <summary>How the clients and servers reacted so far, per proxy and in total.</summary>
    /// <remarks>Call after <see cref="StopAsync"/> for the whole session: connections still open have not ended yet.</remarks>
    public ReactionReport Report() => ReactionAnalyser.Analyse(Events);

    /// <summary>Checks the scenario's own <c>expect:</c> list against the report so far.</summary>
    public IReadOnlyList<ExpectationResult> EvaluateExpectations() => ExpectationResult.Evaluate(Scenario.Expectations, Report());

    /// <summary>Checks expectations written as in a scenario, e.g. <c>web.client.retries &gt;= 2</c>, against the report so far.</summary>
    /// <exception cref="ArgumentException">An expectation is malformed or names an unknown metric.</exception>
    public IReadOnlyList<ExpectationResult> Evaluate(params string[] expectations)
    {
        ArgumentNullException.ThrowIfNull(expectations);
        var parsed = expectations.Select(text => Expectation.TryParse(text, out var expectation, out var error)
            ? expectation
            : throw new ArgumentException(error, nameof(expectations)));
        return ExpectationResult.Evaluate([.. parsed], Report());
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the events so far; checked again as each event arrives.</summary>
    /// <returns>The events at the moment the condition held.</returns>
    /// <exception cref="TimeoutException">The condition did not hold within the timeout (default <see cref="DefaultWaitTimeout"/>).</exception>
    public Task<IReadOnlyList<ChaosEvent>> WaitForAsync(
        Func<IReadOnlyList<ChaosEvent>, bool> condition, TimeSpan? timeout = null, CancellationToken cancellation = default) =>
        EventWaiter.WaitAsync(_runtime.Observers, condition, timeout ?? DefaultWaitTimeout, cancellation);

    /// <summary>Waits until <paramref name="count"/> events of type <typeparamref name="TEvent"/> have happened, e.g. three <see cref="ConnectionAccepted"/>.</summary>
    /// <param name="count">How many.</param>
    /// <param name="proxy">Count only this proxy's events; null counts every proxy's.</param>
    /// <param name="timeout">Default <see cref="DefaultWaitTimeout"/>.</param>
    /// <param name="cancellation">Stops waiting.</param>
    /// <exception cref="TimeoutException">Fewer happened within the timeout.</exception>
    public async Task WaitForEventsAsync<TEvent>(int count, string? proxy = null, TimeSpan? timeout = null, CancellationToken cancellation = default)
        where TEvent : ChaosEvent =>
        await WaitForAsync(events => events.OfType<TEvent>().Count(e => proxy is null || e.Proxy == proxy) >= count, timeout, cancellation);

    /// <summary>Stops the timeline and the proxies (open connections get FIN and a short drain), then delivers the remaining events.</summary>
    /// <remarks>The session's events, report and expectations stay readable afterwards. Calling it again does nothing.</remarks>
    public Task StopAsync() => _stopping.Value;

    /// <summary>Same as <see cref="StopAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await StopAsync();
}
