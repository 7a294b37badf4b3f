using System.Text.Json;
using Chaos.Proxy.Engine;
using Chaos.Scenarios;

namespace Chaos.Proxy.ControlApi;

/// <summary>
/// Proxy bodies (<c>POST /proxies</c>, <c>/populate</c> entries, <c>PATCH /proxies/{proxy}</c>) read as Toxiproxy
/// reads them (unknown fields ignored, Go's type errors, its required-field messages), then bound by the same
/// loader as a scenario's proxies. Extension: a create may carry <c>toxics</c> (Toxiproxy ignores the field).
/// </summary>
internal static class ProxyBodies
{
    private static readonly string[] CreateKeys = ["name", "listen", "upstream", "enabled", "toxics"];
    private static readonly string[] UpdateKeys = ["name", "listen", "upstream", "enabled"];

    /// <param name="body">The proxy object.</param>
    /// <param name="at">Appended to messages for a <c>/populate</c> entry, e.g. <c>" at proxy 2"</c>.</param>
    public static ProxySpec ForCreate(JsonElement body, string at = "")
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadBody($"json: cannot unmarshal {RequestBody.GoKind(body)} into Go value of type toxiproxy.Proxy");
        }
        var members = RequestBody.Members(body, CreateKeys);
        var name = RequestBody.String(members, "name", "Proxy");
        var listen = RequestBody.String(members, "listen", "Proxy");
        var upstream = RequestBody.String(members, "upstream", "Proxy");
        var enabled = RequestBody.Boolean(members, "enabled", "Proxy") ?? true;
        if (string.IsNullOrEmpty(name))
        {
            throw ApiException.MissingField("name" + at);
        }
        if (string.IsNullOrEmpty(upstream))
        {
            throw ApiException.MissingField("upstream" + at);
        }
        var toxics = members.TryGetValue("toxics", out var list) && list.ValueKind == JsonValueKind.Array ? list : (JsonElement?)null;
        return Load(RequestBody.Text(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            if (!string.IsNullOrEmpty(listen))
            {
                writer.WriteString("listen", listen);
            }
            writer.WriteString("upstream", upstream);
            writer.WriteBoolean("enabled", enabled);
            if (toxics is { } items)
            {
                writer.WritePropertyName("toxics");
                items.WriteTo(writer);
            }
            writer.WriteEndObject();
        }), at);
    }

    /// <summary>Toxiproxy's update: fields not given keep their current value; <c>name</c> and <c>toxics</c> are ignored.</summary>
    public static ProxySpec ForUpdate(JsonElement body, RunningProxy current)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadBody($"json: cannot unmarshal {RequestBody.GoKind(body)} into Go value of type toxiproxy.Proxy");
        }
        var members = RequestBody.Members(body, UpdateKeys);
        _ = RequestBody.String(members, "name", "Proxy");
        var listen = RequestBody.String(members, "listen", "Proxy");
        var upstream = RequestBody.String(members, "upstream", "Proxy");
        var spec = current.Spec with { Enabled = RequestBody.Boolean(members, "enabled", "Proxy") ?? current.Spec.Enabled };
        if (string.IsNullOrEmpty(listen) && string.IsNullOrEmpty(upstream))
        {
            return spec;
        }
        var loaded = Load(RequestBody.Text(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("name", spec.Name);
            writer.WriteString("listen", string.IsNullOrEmpty(listen) ? spec.Listen.ToString() : listen);
            writer.WriteString("upstream", string.IsNullOrEmpty(upstream) ? spec.Upstream.ToString() : upstream);
            writer.WriteEndObject();
        }), "");
        return spec with { Listen = loaded.Listen, Upstream = loaded.Upstream };
    }

    private static ProxySpec Load(string text, string at)
    {
        var loaded = ScenarioLoader.LoadProxy(text, "request body");
        return loaded.IsValid
            ? loaded.Value
            : throw ApiException.BadBody(string.Join("; ", loaded.Diagnostics.Select(d => d.Message)) + at);
    }
}
