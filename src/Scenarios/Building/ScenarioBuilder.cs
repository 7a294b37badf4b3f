using System.Globalization;
using System.Text.Json.Nodes;

namespace Chaos.Scenarios;

/// <summary>
/// Writes a scenario in code. <see cref="Build"/> runs it through the same reader and validator as a YAML file,
/// so every rule and error message is the same.
/// </summary>
/// <example>
/// <code>
/// var scenario = new ScenarioBuilder("http-retry")
///     .Seed(42)
///     .Proxy("web", "builtin:http", web => web.Toxic("accept_reset", reset => reset.Connections("1-2")))
///     .Expect("web.client.retries == 2")
///     .Build();
/// </code>
/// </example>
public sealed class ScenarioBuilder
{
    private readonly JsonObject _document = new() { ["version"] = Scenario.CurrentVersion };
    private readonly JsonArray _proxies = [];
    private readonly JsonArray _timeline = [];
    private readonly JsonArray _expectations = [];

    /// <summary>Starts a scenario, optionally named (the name appears in reports).</summary>
    public ScenarioBuilder(string? name = null)
    {
        if (name is not null)
        {
            _document["name"] = name;
        }
    }

    /// <summary>Sets the description.</summary>
    public ScenarioBuilder Description(string description) => Set("description", description);

    /// <summary>Fixes the seed, so toxicity rolls, jitter and slice sizes repeat from run to run.</summary>
    public ScenarioBuilder Seed(long seed) => Set("seed", seed);

    /// <summary>Stops a <c>chaos run</c> after this long (an in-process session runs until disposed).</summary>
    public ScenarioBuilder Duration(TimeSpan duration) => Set("duration", Milliseconds(duration));

    /// <summary>Adds a proxy listening on 127.0.0.1 at any free port unless <paramref name="configure"/> says otherwise.</summary>
    /// <param name="name">The proxy's name, unique in the scenario.</param>
    /// <param name="upstream"><c>host:port</c>, or <c>builtin:echo</c> / <c>builtin:http</c>.</param>
    /// <param name="configure">Sets the listen address and adds toxics.</param>
    public ScenarioBuilder Proxy(string name, string upstream, Action<ProxyBuilder>? configure = null)
    {
        var proxy = new ProxyBuilder(name, upstream);
        configure?.Invoke(proxy);
        _proxies.Add(proxy.Node);
        return this;
    }

    /// <summary>Adds a toxic to a proxy at <paramref name="at"/> from the start.</summary>
    public ScenarioBuilder AddToxicAt(TimeSpan at, string proxy, string type, Action<ToxicBuilder>? configure = null)
    {
        var toxic = new ToxicBuilder(type);
        configure?.Invoke(toxic);
        return Step(at, "add", new JsonObject { ["proxy"] = proxy, ["toxic"] = toxic.Node });
    }

    /// <summary>Removes a toxic from a proxy at <paramref name="at"/> from the start.</summary>
    public ScenarioBuilder RemoveToxicAt(TimeSpan at, string proxy, string toxic) =>
        Step(at, "remove", new JsonObject { ["proxy"] = proxy, ["toxic"] = toxic });

    /// <summary>Takes a proxy down at <paramref name="at"/>: new connects are refused, live ones closed.</summary>
    public ScenarioBuilder DisableAt(TimeSpan at, string proxy) => Step(at, "disable", proxy);

    /// <summary>Brings a proxy back at <paramref name="at"/>.</summary>
    public ScenarioBuilder EnableAt(TimeSpan at, string proxy) => Step(at, "enable", proxy);

    /// <summary>Adds an expectation, e.g. <c>web.client.retries &gt;= 1</c> (see the metrics in the README).</summary>
    public ScenarioBuilder Expect(string expectation)
    {
        _expectations.Add(expectation);
        return this;
    }

    /// <summary>Validates the scenario and returns it.</summary>
    /// <exception cref="InvalidScenarioException">The scenario breaks a rule; the message lists every problem.</exception>
    public Scenario Build()
    {
        var document = (JsonObject)_document.DeepClone();
        document["proxies"] = _proxies.DeepClone();
        if (_timeline.Count > 0)
        {
            document["timeline"] = _timeline.DeepClone();
        }
        if (_expectations.Count > 0)
        {
            document["expect"] = _expectations.DeepClone();
        }
        return InvalidScenarioException.ThrowIfInvalid(ScenarioLoader.LoadText(document.ToJsonString(), "scenario builder"));
    }

    /// <summary>A duration in the scenario format's words, exact to the millisecond.</summary>
    internal static string Milliseconds(TimeSpan duration) =>
        string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds}ms");

    private ScenarioBuilder Set(string key, JsonNode value)
    {
        _document[key] = value;
        return this;
    }

    private ScenarioBuilder Step(TimeSpan at, string action, JsonNode argument)
    {
        _timeline.Add(new JsonObject { ["at"] = Milliseconds(at), [action] = argument });
        return this;
    }
}
