using System.Text.Json;
using Chaos.Scenarios;

namespace Chaos.Proxy.ControlApi;

/// <summary>
/// Toxic bodies read as Toxiproxy reads them (its checks in its order: body, stream, type, name clash, attributes;
/// unknown fields and attributes ignored; toxicity not range-checked), then bound by the scenario loader, so our
/// own toxic types, duration strings (<c>"250ms"</c>) and <c>where</c> selectors work through the same endpoints.
/// </summary>
internal static class ToxicBodies
{
    private static readonly string[] CreateKeys = ["name", "type", "stream", "toxicity", "attributes", "where"];
    private static readonly string[] UpdateKeys = ["attributes", "toxicity", "where"];

    /// <param name="body">The toxic object.</param>
    /// <param name="exists">True when the proxy already has a toxic of that name (409, checked before the attributes, as in Toxiproxy).</param>
    public static ToxicSpec ForCreate(JsonElement body, Func<string, bool> exists)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadBody($"json: cannot unmarshal {RequestBody.GoKind(body)} into Go value of type toxics.ToxicWrapper");
        }
        var members = RequestBody.Members(body, CreateKeys);
        var name = RequestBody.String(members, "name", "ToxicWrapper");
        var typeName = RequestBody.String(members, "type", "ToxicWrapper");
        var streamText = RequestBody.String(members, "stream", "ToxicWrapper");
        var toxicity = RequestBody.Float(members, "toxicity", "ToxicWrapper") ?? 1;
        var stream = streamText is null ? ToxicStream.Downstream : streamText.ToLowerInvariant() switch
        {
            "upstream" => ToxicStream.Upstream,
            "downstream" => ToxicStream.Downstream,
            _ => throw new ApiException(400, "stream was invalid, can be either upstream or downstream"),
        };
        if (string.IsNullOrEmpty(typeName) || !ToxicCatalogue.TryGet(typeName, out var type))
        {
            throw new ApiException(400, "invalid toxic type");
        }
        var toxicName = string.IsNullOrEmpty(name) ? ToxicSpec.DefaultName(type.Name, stream) : name;
        if (exists(toxicName))
        {
            throw new ApiException(409, "toxic already exists");
        }
        var attributes = Attributes(type, members.GetValueOrDefault("attributes"));
        var where = members.TryGetValue("where", out var selectors) ? selectors : (JsonElement?)null;
        return Load(toxicName, type, stream, toxicity, attributes, where);
    }

    /// <summary>Toxiproxy's update: only <c>attributes</c> (merged into the current ones) and <c>toxicity</c> (kept when absent); extension: <c>where</c>.</summary>
    public static ToxicSpec ForUpdate(JsonElement body, ToxicSpec current)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadBody($"json: cannot unmarshal {RequestBody.GoKind(body)} into Go value of type struct {{ Attributes interface {{}}; Toxicity float32 }}");
        }
        var members = RequestBody.Members(body, UpdateKeys);
        var toxicity = RequestBody.Float(members, "toxicity", "") ?? current.Toxicity;
        var type = ToxicCatalogue.TryGet(current.Type, out var known) ? known : throw new ApiException(500, $"unknown toxic type {current.Type}");
        var merged = current.Attributes.ToDictionary(pair => pair.Key, pair => JsonSerializer.SerializeToElement(pair.Value.ToJsonValue()), StringComparer.Ordinal);
        foreach (var (name, value) in Attributes(type, members.GetValueOrDefault("attributes")))
        {
            merged[name] = value;
        }
        var where = members.TryGetValue("where", out var selectors) ? selectors : (JsonElement?)null;
        var updated = Load(current.Name, type, current.Stream, toxicity, merged, where);
        return where is null ? updated with { Where = current.Where } : updated;
    }

    /// <summary>The given attributes that the type has, each checked the way Go decodes it into the toxic's struct.</summary>
    private static Dictionary<string, JsonElement> Attributes(ToxicTypeInfo type, JsonElement attributes)
    {
        if (attributes.ValueKind == JsonValueKind.Undefined)
        {
            return [];
        }
        if (attributes.ValueKind != JsonValueKind.Object)
        {
            throw RequestBody.WrongType(attributes, ".attributes", "toxics." + GoName(type));
        }
        var members = RequestBody.Members(attributes, [.. type.Attributes.Select(attribute => attribute.Name)]);
        foreach (var (name, value) in members)
        {
            var info = type.Attribute(name)!;
            var field = $"{GoName(type)}.attributes.{name}";
            var goType = info.Unit == AttributeUnit.Choice ? "string" : type.Name == "slicer" ? "int" : "int64";
            var fits = info.Unit == AttributeUnit.Choice
                ? value.ValueKind == JsonValueKind.String
                : value.ValueKind == JsonValueKind.Number || (value.ValueKind == JsonValueKind.String && info.IsDuration && Durations.TryParse(value.GetString()!, out _));
            if (!fits)
            {
                throw RequestBody.WrongType(value, field, goType);
            }
            if (value.ValueKind == JsonValueKind.Number && !value.TryGetInt64(out _))
            {
                throw ApiException.BadBody($"json: cannot unmarshal number {value.GetRawText()} into Go struct field {field} of type {goType}");
            }
        }
        return members;
    }

    /// <summary>The Go struct Toxiproxy decodes attributes into, named in its error messages.</summary>
    private static string GoName(ToxicTypeInfo type) => type.Name == "reset_peer"
        ? "ResetToxic"
        : string.Concat(type.Name.Split('_').Select(word => char.ToUpperInvariant(word[0]) + word[1..])) + "Toxic";

    private static ToxicSpec Load(string name, ToxicTypeInfo type, ToxicStream stream, double toxicity, Dictionary<string, JsonElement> attributes, JsonElement? where)
    {
        var text = RequestBody.Text(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteString("type", type.Name);
            writer.WriteString("stream", stream == ToxicStream.Upstream ? "upstream" : "downstream");
            writer.WriteNumber("toxicity", toxicity is >= 0 and <= 1 ? toxicity : 1); // Toxiproxy does not range-check it: the real value is set below
            writer.WriteStartObject("attributes");
            foreach (var (key, value) in attributes)
            {
                writer.WritePropertyName(key);
                value.WriteTo(writer);
            }
            writer.WriteEndObject();
            if (where is { } selectors)
            {
                writer.WritePropertyName("where");
                selectors.WriteTo(writer);
            }
            writer.WriteEndObject();
        });
        var loaded = ScenarioLoader.LoadToxic(text, "request body");
        return loaded.IsValid
            ? loaded.Value with { Toxicity = toxicity }
            : throw ApiException.BadBody(string.Join("; ", loaded.Diagnostics.Select(d => d.Message)));
    }
}
