using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chaos.Proxy.Cli.Remote;

/// <summary>The server answered with an error: <c>{"error":"...","status":N}</c>, or a body that is not one.</summary>
internal sealed class RemoteApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// A thin client of the Toxiproxy 2.x HTTP API (which Chaos serves too): one request per call, JSON in and out.
/// Transport failures surface as <see cref="HttpRequestException"/>, time-outs as <see cref="TimeoutException"/>.
/// </summary>
internal sealed class ToxiproxyClient(HttpClient http, string baseUrl)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public string BaseUrl { get; } = baseUrl.TrimEnd('/');

    public static string ProxyPath(string proxy) => "/proxies/" + Uri.EscapeDataString(proxy);

    public static string ToxicPath(string proxy, string toxic) => ProxyPath(proxy) + "/toxics/" + Uri.EscapeDataString(toxic);

    /// <summary>Sends one request; returns the parsed body, or an undefined element for an empty one (204).</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseUrl + path));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, Json);
        }
        string text;
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellation);
            text = await response.Content.ReadAsStringAsync(cancellation);
        }
        catch (TaskCanceledException ex) when (!cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"the Chaos API at {BaseUrl} did not answer within {http.Timeout.TotalSeconds:0.#} s", ex);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new RemoteApiException((int)response.StatusCode, ErrorMessage((int)response.StatusCode, text));
            }
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            return default;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new RemoteApiException((int)response.StatusCode, $"the server at {BaseUrl} answered {method} {path} with something other than JSON");
        }
    }

    // Toxiproxy serves its JSON error bodies as text/plain (http.Error), so parse whatever comes back;
    // anything else (a router's "404 page not found", a proxy's HTML page) is shown as the Go client shows it.
    private static string ErrorMessage(int status, string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.String)
            {
                return error.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Not JSON: fall through.
        }
        var firstLine = text.Trim().Split('\n', 2)[0].Trim();
        return firstLine.Length == 0 ? $"HTTP {status}" : $"HTTP {status}: {firstLine}";
    }
}
