using System.Net;
using Chaos.Proxy.Engine;
using Chaos.Scenarios;

namespace Chaos.Proxy;

/// <summary>One proxy of a running <see cref="ChaosSession"/>: where it listens, and its toxics.</summary>
public sealed class ChaosProxy
{
    private readonly ChaosSession _session;

    internal ChaosProxy(ChaosSession session, string name)
    {
        _session = session;
        Name = name;
    }

    /// <summary>The proxy's name.</summary>
    public string Name { get; }

    /// <summary>The address it listens on, with the real port when the scenario asked for port 0.</summary>
    /// <exception cref="InvalidOperationException">The proxy is disabled, or the session has stopped.</exception>
    public IPEndPoint EndPoint => Running.ListenEndPoint
        ?? throw new InvalidOperationException($"proxy '{Name}' is not listening (disabled, or the session has stopped)");

    /// <summary><see cref="EndPoint"/> as <c>host:port</c> (<c>[::1]:port</c> for IPv6), ready for a URL or a client's settings.</summary>
    public string Address => EndPoint.ToString();

    /// <summary>The toxics active now, in order.</summary>
    public IReadOnlyList<ToxicSpec> Toxics => Running.Spec.Toxics;

    /// <summary>Connections accepted since the proxy started.</summary>
    public long ConnectionsAccepted => Running.ConnectionsAccepted;

    /// <summary>Connections open now.</summary>
    public int ConnectionsOpen => Running.ConnectionsOpen;

    private RunningProxy Running => _session.Registry.Find(Name)
        ?? throw new InvalidOperationException($"proxy '{Name}' is not running (the session has stopped)");

    /// <summary>Adds a toxic; connections already open meet it at their next lifecycle point.</summary>
    /// <exception cref="RegistryException">The proxy already has a toxic of that name.</exception>
    public Task AddToxicAsync(ToxicSpec toxic) => _session.Registry.AddToxicAsync(Name, toxic);

    /// <summary>Adds a toxic written as YAML or JSON in Toxiproxy's shape, e.g. <c>{type: latency, attributes: {latency: 100}}</c>.</summary>
    /// <exception cref="InvalidScenarioException">The toxic breaks a rule.</exception>
    /// <exception cref="RegistryException">The proxy already has a toxic of that name.</exception>
    public Task AddToxicAsync(string toxic) => AddToxicAsync(Parse(toxic));

    /// <summary>Adds a toxic built in code.</summary>
    /// <exception cref="InvalidScenarioException">The toxic breaks a rule.</exception>
    /// <exception cref="RegistryException">The proxy already has a toxic of that name.</exception>
    public Task AddToxicAsync(string type, Action<ToxicBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var toxic = new ToxicBuilder(type);
        configure(toxic);
        return AddToxicAsync(toxic.Build());
    }

    /// <summary>Replaces the toxic of the same name; a toxic of the same type keeps its per-connection rolls.</summary>
    /// <exception cref="RegistryException">The proxy has no toxic of that name.</exception>
    public Task UpdateToxicAsync(ToxicSpec toxic) => _session.Registry.UpdateToxicAsync(Name, toxic);

    /// <summary>Replaces the toxic of the same name with one written as YAML or JSON.</summary>
    /// <exception cref="InvalidScenarioException">The toxic breaks a rule.</exception>
    /// <exception cref="RegistryException">The proxy has no toxic of that name.</exception>
    public Task UpdateToxicAsync(string toxic) => UpdateToxicAsync(Parse(toxic));

    /// <summary>Removes a toxic; whatever it held (a hang, a FIN, delayed data) goes on at once.</summary>
    /// <exception cref="RegistryException">The proxy has no toxic of that name.</exception>
    public Task RemoveToxicAsync(string name) => _session.Registry.RemoveToxicAsync(Name, name);

    /// <summary>Disabling closes the listener and the open connections; enabling listens again on the same address.</summary>
    public Task SetEnabledAsync(bool enabled) => _session.Registry.SetEnabledAsync(Name, enabled);

    private static ToxicSpec Parse(string toxic) =>
        InvalidScenarioException.ThrowIfInvalid(ScenarioLoader.LoadToxic(toxic, "toxic text"));
}
