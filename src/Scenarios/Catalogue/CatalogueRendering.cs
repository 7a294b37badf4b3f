using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Chaos.Scenarios;

/// <content>Renderings of the catalogue for <c>chaos toxics</c>, <c>chaos toxics --json</c> and the README.</content>
public static partial class ToxicCatalogue
{
    /// <summary>Plain text grouped by lifecycle point, for <c>chaos toxics</c>.</summary>
    public static string RenderText()
    {
        var text = new StringBuilder();
        foreach (var group in All.GroupBy(type => type.Point))
        {
            text.Append(PointName(group.Key))
                .AppendLine(group.First().UsesStream ? " (stream picks the direction)" : string.Empty);
            foreach (var type in group)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {type.Name,-18}{type.Summary}").AppendLine();
                foreach (var attribute in type.Attributes)
                {
                    text.Append(CultureInfo.InvariantCulture, $"  {string.Empty,-18}{attribute.Name} ({AttributeTerms(attribute)}, {Range(attribute)}): {attribute.Summary}").AppendLine();
                }

                text.Append(CultureInfo.InvariantCulture, $"  {string.Empty,-18}wire: {type.Wire}").AppendLine();
                if (type.FidelityNote is not null)
                {
                    text.Append(CultureInfo.InvariantCulture, $"  {string.Empty,-18}emulation: {type.FidelityNote}").AppendLine();
                }
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>A JSON array with one object per type, for <c>chaos toxics --json</c>.</summary>
    public static string RenderJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var type in All)
            {
                json.WriteStartObject();
                json.WriteString("type", type.Name);
                json.WriteString("point", PointName(type.Point));
                json.WriteBoolean("uses_stream", type.UsesStream);
                json.WriteBoolean("toxiproxy", type.FromToxiproxy);
                json.WriteString("summary", type.Summary);
                json.WriteString("wire", type.Wire);
                json.WriteString("fidelity", type.Fidelity.ToString().ToLowerInvariant());
                json.WriteString("fidelity_note", type.FidelityNote);
                json.WriteStartArray("attributes");
                foreach (var attribute in type.Attributes)
                {
                    WriteAttribute(json, attribute);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// The Markdown table for the README, between the markers <c>&lt;!-- toxics:begin --&gt;</c> and
    /// <c>&lt;!-- toxics:end --&gt;</c>; a test fails when the README's copy differs.
    /// </summary>
    public static string RenderMarkdownTable()
    {
        var table = new StringBuilder()
            .AppendLine("| Point | Type | Attributes | What the peers see | Fidelity |")
            .AppendLine("|---|---|---|---|---|");
        foreach (var type in All)
        {
            var attributes = type.Attributes.Length == 0
                ? "—"
                : string.Join("; ", type.Attributes.Select(attribute => $"`{attribute.Name}` ({AttributeTerms(attribute)})"));
            var fidelity = type.FidelityNote is null ? "exact" : $"emulation: {type.FidelityNote}";
            table.AppendLine(Cells(PointName(type.Point), $"`{type.Name}`", attributes, type.Wire, fidelity));
        }

        return table.ToString();
    }

    private static void WriteAttribute(Utf8JsonWriter json, ToxicAttributeInfo attribute)
    {
        json.WriteStartObject();
        json.WriteString("name", attribute.Name);
        json.WriteString("unit", attribute.Unit == AttributeUnit.Choice ? "choice" : attribute.UnitText);
        json.WriteBoolean("required", attribute.IsRequired);
        json.WritePropertyName("default");
        switch (attribute.Default)
        {
            case { Choice: { } choice }:
                json.WriteStringValue(choice);
                break;
            case { } number:
                json.WriteNumberValue(number.Number);
                break;
            default:
                json.WriteNullValue();
                break;
        }

        if (attribute.Unit == AttributeUnit.Choice)
        {
            json.WriteStartArray("choices");
            attribute.Choices.ToList().ForEach(json.WriteStringValue);
            json.WriteEndArray();
        }
        else
        {
            json.WriteNumber("min", attribute.Min);
            json.WriteNumber("max", attribute.Max);
        }

        json.WriteString("summary", attribute.Summary);
        json.WriteEndObject();
    }

    private static string AttributeTerms(ToxicAttributeInfo attribute)
    {
        var need = attribute switch
        {
            { IsRequired: true } => "required",
            { Default: { } value } => $"default {value}",
            _ => "optional",
        };
        return $"{attribute.UnitText}, {need}";
    }

    private static string Range(ToxicAttributeInfo attribute) =>
        attribute.Unit == AttributeUnit.Choice ? "one of them" : string.Create(CultureInfo.InvariantCulture, $"{attribute.Min}..{attribute.Max}");

    private static string Cells(params string[] cells) =>
        "| " + string.Join(" | ", cells.Select(cell => cell.Replace("|", "\\|", StringComparison.Ordinal))) + " |";
}
