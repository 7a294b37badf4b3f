using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using Chaos.Proxy.Engine;
using Chaos.Scenarios;

namespace Chaos.Proxy.ControlApi;

/// <summary>
/// Proxies and toxics in Toxiproxy 2.12's JSON, field for field and in its order: a proxy is
/// <c>name, listen, upstream, enabled, Logger, toxics</c> (<c>"Logger":{}</c> is Toxiproxy's serialisation
/// accident, kept so bodies are byte-identical), a toxic is <c>attributes, name, type, stream, toxicity</c>,
/// its attributes in the catalogue's (= Toxiproxy's struct) order, plus <c>where</c> when it has selectors.
/// </summary>
internal static class ToxiproxyJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Proxy(RunningProxy proxy) => Write(writer => WriteProxy(writer, proxy));

    /// <summary><c>GET /proxies</c>: an object keyed by name, in byte order as Go writes map keys.</summary>
    public static byte[] ProxyMap(IEnumerable<RunningProxy> proxies) => Write(writer =>
    {
        writer.WriteStartObject();
        foreach (var proxy in proxies.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            writer.WritePropertyName(proxy.Name);
            WriteProxy(writer, proxy);
        }
        writer.WriteEndObject();
    });

    public static byte[] Toxic(ToxicSpec toxic) => Write(writer => WriteToxic(writer, toxic));

    public static byte[] Toxics(RunningProxy proxy) => Write(writer => WriteToxics(writer, proxy.Spec.Toxics));

    /// <summary><c>/populate</c>'s answer; an empty list is <c>null</c> as in Toxiproxy, and an error adds <c>error</c> and <c>status</c> first.</summary>
    public static byte[] Populated(IReadOnlyList<RunningProxy> proxies, ApiException? error = null) => Write(writer =>
    {
        writer.WriteStartObject();
        if (error is not null)
        {
            writer.WriteString("error", error.Message);
            writer.WriteNumber("status", error.Status);
        }
        writer.WritePropertyName("proxies");
        if (proxies.Count == 0)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStartArray();
            foreach (var proxy in proxies)
            {
                WriteProxy(writer, proxy);
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    });

    public static byte[] Error(ApiException error) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("error", error.Message);
        writer.WriteNumber("status", error.Status);
        writer.WriteEndObject();
    });

    /// <summary>
    /// The listen address Toxiproxy reports: the bound one (the real port for port 0); while disabled, the last
    /// bound one if the spec still asks for it, else the spec's text (a proxy created disabled, or moved while down).
    /// </summary>
    public static string Listen(RunningProxy proxy)
    {
        if (proxy.ListenEndPoint is { } bound)
        {
            return bound.ToString();
        }
        return proxy.LastBound is { } last && Same(proxy.Spec.Listen, last) ? last.ToString() : proxy.Spec.Listen.ToString();
    }

    private static bool Same(HostPort listen, IPEndPoint bound) =>
        (listen.Port == 0 || listen.Port == bound.Port)
        && (IPAddress.TryParse(listen.Host, out var address) ? address.Equals(bound.Address) : true);

    /// <summary>Toxics as Toxiproxy lists them: the upstream chain, then the downstream chain, each in the order added.</summary>
    public static IEnumerable<ToxicSpec> InChainOrder(IEnumerable<ToxicSpec> toxics) =>
        toxics.OrderBy(toxic => toxic.Stream == ToxicStream.Upstream ? 0 : 1);

    private static void WriteProxy(Utf8JsonWriter writer, RunningProxy proxy)
    {
        var spec = proxy.Spec;
        writer.WriteStartObject();
        writer.WriteString("name", spec.Name);
        writer.WriteString("listen", Listen(proxy));
        writer.WriteString("upstream", spec.Upstream.ToString());
        writer.WriteBoolean("enabled", spec.Enabled);
        writer.WriteStartObject("Logger");
        writer.WriteEndObject();
        writer.WritePropertyName("toxics");
        WriteToxics(writer, spec.Toxics);
        writer.WriteEndObject();
    }

    private static void WriteToxics(Utf8JsonWriter writer, IEnumerable<ToxicSpec> toxics)
    {
        writer.WriteStartArray();
        foreach (var toxic in InChainOrder(toxics))
        {
            WriteToxic(writer, toxic);
        }
        writer.WriteEndArray();
    }

    private static void WriteToxic(Utf8JsonWriter writer, ToxicSpec toxic)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("attributes");
        WriteAttributes(writer, toxic);
        writer.WriteEndObject();
        writer.WriteString("name", toxic.Name);
        writer.WriteString("type", toxic.Type);
        writer.WriteString("stream", toxic.Stream == ToxicStream.Upstream ? "upstream" : "downstream");
        writer.WriteNumber("toxicity", toxic.Toxicity);
        if (toxic.Where != ToxicWhere.Everything && (toxic.Where.Connections is not null || toxic.Where.Clients is not null))
        {
            writer.WriteStartObject("where");
            if (toxic.Where.Connections is { } connections)
            {
                writer.WriteString("connections", connections.Text);
            }
            if (toxic.Where.Clients is { } clients)
            {
                writer.WriteStartArray("clients");
                foreach (var network in clients.Networks)
                {
                    writer.WriteStringValue(network.ToString());
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    /// <summary>Writes the attributes in the catalogue's order; writes each as a number, or a choice word.</summary>
    internal static void WriteAttributes(Utf8JsonWriter writer, ToxicSpec toxic)
    {
        IEnumerable<string> names = ToxicCatalogue.TryGet(toxic.Type, out var type)
            ? type.Attributes.Select(attribute => attribute.Name)
            : toxic.Attributes.Keys;
        foreach (var name in names)
        {
            if (!toxic.Attributes.TryGetValue(name, out var value))
            {
                continue; // an optional attribute without a default, left out
            }
            if (value.Choice is { } choice)
            {
                writer.WriteString(name, choice);
            }
            else
            {
                writer.WriteNumber(name, value.Number);
            }
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Options))
        {
            write(writer);
        }
        return stream.ToArray();
    }
}
