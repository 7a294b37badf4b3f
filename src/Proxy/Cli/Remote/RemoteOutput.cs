using System.Text;
using System.Text.Json;

namespace Chaos.Proxy.Cli.Remote;

/// <summary>
/// What <c>chaos cli list</c> and <c>inspect</c> print: an aligned table for a person at a terminal, and
/// toxiproxy-cli's tab-separated lines when the output is piped, so scripts written for it keep working.
/// </summary>
internal static class RemoteOutput
{
    /// <summary><c>GET /proxies</c> (an object keyed by name), sorted by name.</summary>
    public static string List(JsonElement proxies, bool terminal)
    {
        var rows = proxies.EnumerateObject()
            .Select(property => property.Value)
            .OrderBy(proxy => Text(proxy, "name"), StringComparer.Ordinal)
            .Select(proxy => new[]
            {
                Text(proxy, "name"),
                Text(proxy, "listen"),
                Text(proxy, "upstream"),
                EnabledText(proxy),
                ToxicCount(proxy, terminal),
            })
            .ToList();
        var text = new StringBuilder();
        if (!terminal)
        {
            foreach (var row in rows)
            {
                text.Append(string.Join('\t', row)).Append('\n');
            }
            return text.ToString();
        }
        if (rows.Count == 0)
        {
            return "No proxies.\n\nHint: create one with 'chaos cli create --listen <addr> --upstream <addr> <proxy>'.\n";
        }
        string[] header = ["Name", "Listen", "Upstream", "Enabled", "Toxics"];
        var widths = header.Select((title, column) => rows.Max(row => row[column].Length) is var width && width > title.Length ? width : title.Length).ToArray();
        AppendRow(text, header, widths);
        text.Append(new string('-', widths.Sum() + (2 * (widths.Length - 1)))).Append('\n');
        foreach (var row in rows)
        {
            AppendRow(text, row, widths);
        }
        return text.Append("\nHint: see a proxy's toxics with 'chaos cli inspect <proxy>'.\n").ToString();
    }

    /// <summary><c>GET /proxies/{proxy}</c>. Piped: one line per toxic, exactly as toxiproxy-cli prints them.</summary>
    public static string Inspect(JsonElement proxy, bool terminal)
    {
        var toxics = proxy.TryGetProperty("toxics", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().ToList()
            : [];
        var text = new StringBuilder();
        if (!terminal)
        {
            foreach (var toxic in toxics)
            {
                text.Append(Text(toxic, "name")).Append('\t').Append(ToxicFields(toxic)).Append('\n');
            }
            return text.ToString();
        }
        text.Append($"Name: {Text(proxy, "name")}\tListen: {Text(proxy, "listen")}\tUpstream: {Text(proxy, "upstream")}\t({EnabledText(proxy)})\n");
        text.Append(new string('=', 70)).Append('\n');
        if (toxics.Count == 0)
        {
            text.Append("Proxy has no toxics enabled.\n");
        }
        foreach (var stream in toxics.Count == 0 ? [] : new[] { "upstream", "downstream" })
        {
            var ofStream = toxics.Where(toxic => string.Equals(Text(toxic, "stream"), stream, StringComparison.OrdinalIgnoreCase)).ToList();
            text.Append(stream == "upstream" ? "Upstream" : "\nDownstream").Append(" toxics:\n");
            if (ofStream.Count == 0)
            {
                text.Append($"  none\n");
            }
            foreach (var toxic in ofStream)
            {
                text.Append($"  {Text(toxic, "name")}:\t{ToxicFields(toxic)}\n");
            }
        }
        return text.Append("\nHint: add a toxic with 'chaos cli toxic add'.\n").ToString();
    }

    // toxiproxy-cli: type=…\tstream=…\ttoxicity=%.2f\tattributes=[\tk=v…\t] with the attributes sorted by key.
    private static string ToxicFields(JsonElement toxic)
    {
        var toxicity = toxic.TryGetProperty("toxicity", out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 1.0;
        var text = new StringBuilder($"type={Text(toxic, "type")}\tstream={Text(toxic, "stream")}\ttoxicity={toxicity:0.00}\tattributes=[");
        if (toxic.TryGetProperty("attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object)
        {
            foreach (var attribute in attributes.EnumerateObject().OrderBy(attribute => attribute.Name, StringComparer.Ordinal))
            {
                var shown = attribute.Value.ValueKind == JsonValueKind.String ? attribute.Value.GetString() : attribute.Value.GetRawText();
                text.Append('\t').Append(attribute.Name).Append('=').Append(shown);
            }
        }
        return text.Append("\t]").ToString();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (var column = 0; column < cells.Length; column++)
        {
            text.Append(column == cells.Length - 1 ? cells[column] : cells[column].PadRight(widths[column] + 2));
        }
        text.Append('\n');
    }

    private static string ToxicCount(JsonElement proxy, bool terminal)
    {
        var count = proxy.TryGetProperty("toxics", out var toxics) && toxics.ValueKind == JsonValueKind.Array ? toxics.GetArrayLength() : 0;
        return count == 0 && terminal ? "None" : count.ToString();
    }

    public static string EnabledText(JsonElement proxy) =>
        proxy.TryGetProperty("enabled", out var enabled) && enabled.ValueKind == JsonValueKind.False ? "disabled" : "enabled";

    public static string Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : "";
}
