using System.Text;
using System.Text.Unicode;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Chaos.Proxy.ControlApi;

/// <summary>
/// Reads a request body as Go's <c>json.Decoder</c> does for Toxiproxy: one JSON value (anything after it is
/// ignored), with Go's wording for the usual failures (<c>EOF</c>, <c>unexpected EOF</c>, <c>invalid character</c>).
/// </summary>
internal static class RequestBody
{
    public static async Task<JsonElement> ReadJsonAsync(HttpRequest request, int maxBytes)
    {
        var bytes = await ReadCappedAsync(request, maxBytes);
        return Parse(bytes);
    }

    /// <summary>The body as UTF-8 text, capped like every body (413 beyond <paramref name="maxBytes"/>).</summary>
    public static async Task<string> ReadTextAsync(HttpRequest request, int maxBytes) =>
        Encoding.UTF8.GetString(await ReadCappedAsync(request, maxBytes));

    internal static JsonElement Parse(byte[] bytes)
    {
        ReadOnlySpan<byte> content = bytes.AsSpan().Trim(" \t\r\n"u8);
        if (content.IsEmpty)
        {
            throw ApiException.BadBody("EOF");
        }
        if (!Utf8.IsValid(content))
        {
            // Go's decoder turns invalid UTF-8 into U+FFFD; System.Text.Json would throw on reading such a string (found by fuzzing).
            content = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(content));
        }
        var reader = new Utf8JsonReader(content, new JsonReaderOptions { AllowMultipleValues = true, MaxDepth = 64 });
        try
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            var at = Offset(content, ex);
            throw ApiException.BadBody(at >= content.Length
                ? "unexpected EOF"
                : $"invalid character '{(char)content[at]}' looking for beginning of value");
        }
    }

    private static async Task<byte[]> ReadCappedAsync(HttpRequest request, int maxBytes)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(maxBytes);
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static ApiException TooLarge(int maxBytes) => new(413, $"request body too large (over {maxBytes} bytes)");

    /// <summary>The byte offset a <see cref="JsonException"/> points at (it gives a line and a byte in that line).</summary>
    private static int Offset(ReadOnlySpan<byte> content, JsonException ex)
    {
        var line = ex.LineNumber ?? 0;
        var offset = 0;
        for (; line > 0 && offset < content.Length; offset++)
        {
            if (content[offset] == (byte)'\n')
            {
                line--;
            }
        }
        return (int)Math.Min(content.Length, offset + (ex.BytePositionInLine ?? 0));
    }

    /// <summary>Go's name for a JSON value's kind in <c>cannot unmarshal &lt;kind&gt; into ...</c>.</summary>
    public static string GoKind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "array",
        _ => "object",
    };

    public static ApiException WrongType(JsonElement value, string goField, string goType) =>
        ApiException.BadBody($"json: cannot unmarshal {GoKind(value)} into Go struct field {goField} of type {goType}");

    /// <summary>The object's members by name, matched case-insensitively with the last duplicate winning, as Go decodes into a struct.</summary>
    public static Dictionary<string, JsonElement> Members(JsonElement value, IReadOnlyCollection<string> known)
    {
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            var name = known.FirstOrDefault(k => k == property.Name) ?? known.FirstOrDefault(k => string.Equals(k, property.Name, StringComparison.OrdinalIgnoreCase));
            if (name is not null && property.Value.ValueKind != JsonValueKind.Null)
            {
                members[name] = property.Value; // JSON null leaves a Go field as it was
            }
        }
        return members;
    }

    /// <summary>A string member, or null when absent; another kind is Go's unmarshal error.</summary>
    public static string? String(Dictionary<string, JsonElement> members, string name, string goStruct) =>
        !members.TryGetValue(name, out var value) ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw WrongType(value, $"{goStruct}.{name}", "string");

    public static bool? Boolean(Dictionary<string, JsonElement> members, string name, string goStruct) =>
        !members.TryGetValue(name, out var value) ? null
        : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
        : throw WrongType(value, $"{goStruct}.{name}", "bool");

    public static double? Float(Dictionary<string, JsonElement> members, string name, string goStruct) =>
        !members.TryGetValue(name, out var value) ? null
        : value.ValueKind == JsonValueKind.Number ? value.GetDouble()
        : throw WrongType(value, $"{goStruct}.{name}", "float32");

    /// <summary>Writes the element as UTF-8 JSON text, for the scenario loader.</summary>
    public static string Text(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
