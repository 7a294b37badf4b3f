using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Chaos.Scenarios;

/// <summary>
/// The JSON Schema (draft 2020-12) of the scenario format, generated from <see cref="ToxicCatalogue"/> and
/// <see cref="ExpectationMetrics"/>, for <c>chaos schema</c> and editor completion. The loader remains the
/// authority: the schema cannot express cross-references (timeline targets, listen clashes).
/// </summary>
public static class ScenarioSchema
{
    private const string DurationPattern = @"^(\d+|(\d+(\.\d+)?(us|µs|ms|s|m|h))+)$";

    /// <summary>Generates the schema as indented JSON.</summary>
    public static string Generate()
    {
        var definitions = new JsonObject
        {
            ["scenario"] = Scenario(),
            ["proxy"] = Proxy(),
            ["toxic"] = Toxic(),
            ["where"] = Where(),
            ["step"] = Step(),
            ["expectation"] = Expectation(),
            ["duration"] = Duration(0, (long)Durations.Max.TotalMilliseconds, "whole milliseconds, or e.g. 250ms, 1.5s, 2m"),
        };
        foreach (var type in ToxicCatalogue.All)
        {
            definitions[AttributesName(type)] = Attributes(type);
        }

        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "urn:chaos:scenario:1",
            ["title"] = "Chaos scenario",
            ["description"] = "A scenario document, or Toxiproxy's proxies array (which means 'proxies:').",
            ["oneOf"] = new JsonArray(Ref("scenario"), new JsonObject { ["type"] = "array", ["items"] = Ref("proxy") }),
            ["$defs"] = definitions,
        };
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static JsonObject Scenario() => Closed(
        new JsonObject
        {
            ["version"] = new JsonObject { ["const"] = Chaos.Scenarios.Scenario.CurrentVersion },
            ["name"] = Text("a short name"),
            ["description"] = Text("free text"),
            ["seed"] = new JsonObject { ["type"] = "integer", ["description"] = "makes toxicity rolls, jitter and slicer sizes reproducible" },
            ["duration"] = Ref("duration"),
            ["proxies"] = Array(Ref("proxy")),
            ["timeline"] = Array(Ref("step")),
            ["expect"] = Array(Ref("expectation")),
        },
        "proxies");

    private static JsonObject Proxy() => Closed(
        new JsonObject
        {
            ["name"] = Text("unique proxy name"),
            ["listen"] = new JsonObject { ["type"] = "string", ["description"] = "host:port, [v6]:port or :port; port 0 = any free port" },
            ["upstream"] = new JsonObject { ["type"] = "string", ["description"] = "host:port, or builtin:echo / builtin:http" },
            ["enabled"] = new JsonObject { ["type"] = "boolean", ["default"] = true },
            ["toxics"] = Array(Ref("toxic")),
            ["max_connections"] = new JsonObject
            {
                ["type"] = "integer", ["minimum"] = 1, ["maximum"] = ProxyLimits.MaxConnectionsCap,
                ["description"] = "open connections at most; beyond it a new client is turned away (default: no limit)",
            },
            ["over_limit"] = new JsonObject
            {
                ["enum"] = new JsonArray("reset", "refuse"), ["default"] = "reset",
                ["description"] = "beyond max_connections: reset = RST at once, refuse = FIN before any byte",
            },
            ["idle_timeout"] = Duration((long)ProxyLimits.MinIdleTimeout.TotalMilliseconds, (long)Durations.Max.TotalMilliseconds,
                "close a connection that relays no byte either way for this long (default: never)"),
        },
        "name",
        "upstream");

    private static JsonObject Toxic()
    {
        var toxic = Closed(
            new JsonObject
            {
                ["name"] = Text("unique within the proxy; default <type>_<stream>"),
                ["type"] = new JsonObject { ["enum"] = new JsonArray([.. ToxicCatalogue.Names.Select(name => JsonValue.Create(name))]) },
                ["stream"] = new JsonObject { ["enum"] = new JsonArray("upstream", "downstream"), ["default"] = "downstream" },
                ["toxicity"] = new JsonObject { ["type"] = "number", ["minimum"] = 0, ["maximum"] = 1, ["default"] = 1 },
                ["attributes"] = new JsonObject { ["type"] = "object" },
                ["where"] = Ref("where"),
            },
            "type");
        toxic["allOf"] = new JsonArray([.. ToxicCatalogue.All.Select(type => (JsonNode)new JsonObject
        {
            ["if"] = new JsonObject { ["properties"] = new JsonObject { ["type"] = new JsonObject { ["const"] = type.Name } } },
            ["then"] = new JsonObject
            {
                ["properties"] = new JsonObject { ["attributes"] = Ref(AttributesName(type)) },
                ["required"] = type.Attributes.Any(attribute => attribute.IsRequired) ? new JsonArray("attributes") : new JsonArray(),
            },
        })]);
        return toxic;
    }

    private static JsonObject Attributes(ToxicTypeInfo type)
    {
        var properties = new JsonObject();
        foreach (var attribute in type.Attributes)
        {
            properties[attribute.Name] = attribute.Unit switch
            {
                AttributeUnit.Choice => new JsonObject
                {
                    ["enum"] = new JsonArray([.. attribute.Choices.Select(choice => JsonValue.Create(choice))]),
                    ["default"] = attribute.Default?.Choice,
                    ["description"] = attribute.Summary,
                },
                _ when attribute.IsDuration => Duration(attribute.Min, attribute.Max, $"{attribute.Summary} ({attribute.UnitText})"),
                _ => new JsonObject
                {
                    ["type"] = "integer",
                    ["minimum"] = attribute.Min,
                    ["maximum"] = attribute.Max,
                    ["description"] = $"{attribute.Summary} ({attribute.UnitText})",
                },
            };
        }

        return Closed(properties, [.. type.Attributes.Where(attribute => attribute.IsRequired).Select(attribute => attribute.Name)]);
    }

    private static JsonObject Where() => Closed(new JsonObject
    {
        ["connections"] = new JsonObject
        {
            ["description"] = "1-based connection ordinals: \"2\", \"1-3\", \"2,4,6\", \"every 3\", \"after 5\"",
            ["oneOf"] = new JsonArray(
                new JsonObject { ["type"] = "integer", ["minimum"] = 1 },
                new JsonObject { ["type"] = "string", ["pattern"] = @"^\s*((every|after)\s+\d+|\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*)\s*$" }),
        },
        ["clients"] = new JsonObject
        {
            ["description"] = "IP addresses or CIDR blocks",
            ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string" }, Array(new JsonObject { ["type"] = "string" })),
        },
    });

    private static JsonObject Step()
    {
        var target = Closed(new JsonObject { ["proxy"] = Text("proxy name"), ["toxic"] = Text("toxic name") }, "proxy", "toxic");
        var step = Closed(
            new JsonObject
            {
                ["at"] = Ref("duration"),
                ["add"] = Closed(new JsonObject { ["proxy"] = Text("proxy name"), ["toxic"] = Ref("toxic") }, "proxy", "toxic"),
                ["remove"] = target,
                ["disable"] = Text("proxy name: new connects are refused, live ones are closed"),
                ["enable"] = Text("proxy name"),
            },
            "at");
        step["oneOf"] = new JsonArray([.. TimelineBinder.Actions
            .Select(action => (JsonNode)new JsonObject { ["required"] = new JsonArray(action) })]);
        return step;
    }

    private static JsonObject Expectation()
    {
        var metrics = string.Join('|', ExpectationMetrics.Names.Select(Regex.Escape));
        return new JsonObject
        {
            ["type"] = "string",
            ["description"] = "[proxy.]metric op value; metrics: " + string.Join(", ", ExpectationMetrics.Names),
            ["pattern"] = $@"^\s*([A-Za-z0-9_][A-Za-z0-9_.\-]*\.)?({metrics})\s*(==|!=|<=|>=|<|>)\s*\S+\s*$",
        };
    }

    private static JsonObject Duration(long min, long max, string description) => new()
    {
        ["description"] = description,
        ["oneOf"] = new JsonArray(
            new JsonObject { ["type"] = "integer", ["minimum"] = min, ["maximum"] = max },
            new JsonObject { ["type"] = "string", ["pattern"] = DurationPattern }),
    };

    private static JsonObject Closed(JsonObject properties, params string[] required) => new()
    {
        ["type"] = "object",
        ["properties"] = properties,
        ["required"] = new JsonArray([.. required.Select(name => JsonValue.Create(name))]),
        ["additionalProperties"] = false,
    };

    private static JsonObject Array(JsonNode items) => new() { ["type"] = "array", ["items"] = items };

    private static JsonObject Text(string description) => new() { ["type"] = "string", ["description"] = description };

    private static JsonObject Ref(string name) => new() { ["$ref"] = $"#/$defs/{name}" };

    private static string AttributesName(ToxicTypeInfo type) => $"attributes_{type.Name}";
}
