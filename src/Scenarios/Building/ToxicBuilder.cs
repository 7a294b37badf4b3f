using System.Text.Json.Nodes;

namespace Chaos.Scenarios;

/// <summary>One toxic in Toxiproxy's shape (name, type, stream, toxicity, attributes) plus the <c>where</c> selectors.</summary>
public sealed class ToxicBuilder
{
    /// <summary>Starts a toxic of <paramref name="type"/>; build it with <see cref="Build"/>, or hand it to a proxy or timeline.</summary>
    public ToxicBuilder(string type)
    {
        Node = new JsonObject { ["type"] = type };
    }

    internal JsonObject Node { get; }

    /// <summary>Names the toxic (default <c>&lt;type&gt;_&lt;stream&gt;</c>); the name is how it is changed or removed later.</summary>
    public ToxicBuilder Name(string name) => Set("name", name);

    /// <summary>The direction for first_byte, data and fin toxics: client to server (<see cref="ToxicStream.Upstream"/>) or back (the default).</summary>
    public ToxicBuilder Stream(ToxicStream stream) => Set("stream", stream.ToString().ToLowerInvariant());

    /// <summary>The probability in 0..1 that the toxic acts on a connection, rolled once per connection. Default 1.</summary>
    public ToxicBuilder Toxicity(double toxicity) => Set("toxicity", toxicity);

    /// <summary>Sets a numeric attribute in Toxiproxy's unit (ms for durations, KB/s for rate, bytes for sizes).</summary>
    public ToxicBuilder Attribute(string name, long value) => SetAttribute(name, value);

    /// <summary>Sets a duration attribute, e.g. <c>latency</c> or <c>delay</c>.</summary>
    public ToxicBuilder Attribute(string name, TimeSpan value) => SetAttribute(name, ScenarioBuilder.Milliseconds(value));

    /// <summary>Sets a text attribute, e.g. <c>with: close</c> of <c>connect_fail</c>.</summary>
    public ToxicBuilder Attribute(string name, string value) => SetAttribute(name, value);

    /// <summary>Acts only on these connections of the proxy (1-based): <c>"2"</c>, <c>"1-3"</c>, <c>"2,4,6"</c>, <c>"every 3"</c>, <c>"after 5"</c>.</summary>
    public ToxicBuilder Connections(string selector) => SetWhere("connections", selector);

    /// <summary>Acts only on clients from these CIDR ranges, e.g. <c>127.0.0.1/32</c>.</summary>
    public ToxicBuilder Clients(params string[] cidrs) => SetWhere("clients", new JsonArray([.. cidrs.Select(cidr => (JsonNode?)cidr)]));

    /// <summary>Validates the toxic on its own, e.g. to add it to a running session.</summary>
    /// <exception cref="InvalidScenarioException">The toxic breaks a rule; the message lists every problem.</exception>
    public ToxicSpec Build() => InvalidScenarioException.ThrowIfInvalid(ScenarioLoader.LoadToxic(Node.ToJsonString(), "toxic builder"));

    private ToxicBuilder Set(string key, JsonNode value)
    {
        Node[key] = value;
        return this;
    }

    private ToxicBuilder SetAttribute(string name, JsonNode value) => SetIn("attributes", name, value);

    private ToxicBuilder SetWhere(string name, JsonNode value) => SetIn("where", name, value);

    private ToxicBuilder SetIn(string section, string name, JsonNode value)
    {
        if (Node[section] is not JsonObject values)
        {
            Node[section] = values = [];
        }
        values[name] = value;
        return this;
    }
}
