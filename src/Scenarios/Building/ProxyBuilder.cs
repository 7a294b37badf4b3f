using System.Text.Json.Nodes;

namespace Chaos.Scenarios;

/// <summary>One proxy of a <see cref="ScenarioBuilder"/>: its listen address and its toxics.</summary>
public sealed class ProxyBuilder
{
    internal ProxyBuilder(string name, string upstream)
    {
        Node = new JsonObject { ["name"] = name, ["upstream"] = upstream };
    }

    internal JsonObject Node { get; }

    /// <summary>Listens on <paramref name="address"/> (<c>host:port</c>; port 0 is any free port). Default 127.0.0.1:0.</summary>
    public ProxyBuilder Listen(string address)
    {
        Node["listen"] = address;
        return this;
    }

    /// <summary>Starts the proxy disabled: it exists but does not listen until enabled.</summary>
    public ProxyBuilder Disabled()
    {
        Node["enabled"] = false;
        return this;
    }

    /// <summary>Adds a toxic active from the start.</summary>
    /// <param name="type">A toxic type, e.g. <c>latency</c> or <c>accept_reset</c> (<c>chaos toxics</c> lists them).</param>
    /// <param name="configure">Sets its name, stream, toxicity, attributes and selectors.</param>
    public ProxyBuilder Toxic(string type, Action<ToxicBuilder>? configure = null)
    {
        var toxic = new ToxicBuilder(type);
        configure?.Invoke(toxic);
        if (Node["toxics"] is not JsonArray toxics)
        {
            Node["toxics"] = toxics = [];
        }
        toxics.Add(toxic.Node);
        return this;
    }
}
