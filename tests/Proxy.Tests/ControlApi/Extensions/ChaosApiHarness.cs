using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Chaos.Proxy.ControlApi;
using Chaos.Proxy.ControlApi.Extensions;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.ControlApi.Extensions;

/// <summary>
/// A real control API with the <c>/chaos/</c> endpoints on 127.0.0.1 (port 0), over a run with one proxy "web" in
/// front of the test's own listening socket, and an HttpClient for it.
/// </summary>
internal sealed class ChaosApiHarness : IAsyncDisposable
{
    private ChaosApiHarness(Socket upstream, TestProxies proxies, ControlApiServer server)
    {
        Upstream = upstream;
        Proxies = proxies;
        Server = server;
        Client = new HttpClient { BaseAddress = server.Uri, Timeout = TimeSpan.FromSeconds(20) };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd("curl/8.5.0");
    }

    /// <summary>The listening socket "web" relays to.</summary>
    public Socket Upstream { get; }

    public TestProxies Proxies { get; }

    public ControlApiServer Server { get; }

    public HttpClient Client { get; }

    public static async Task<ChaosApiHarness> StartAsync(
        TimeSpan? heartbeat = null, ControlApiOptions? options = null, int clientQueue = LiveEvents.DefaultCapacity, params string[] toxics)
    {
        var upstream = Peers.Listen(IPAddress.Loopback);
        var proxies = await TestProxies.InFrontOfAsync(upstream, toxics);
        try
        {
            var extensions = new ChaosExtensions(proxies.Runtime) { Heartbeat = heartbeat ?? TimeSpan.FromSeconds(15), ClientQueue = clientQueue };
            var server = await ControlApiServer.StartAsync(proxies.Runtime.Registry, options ?? new ControlApiOptions("127.0.0.1", 0), extensions, CancellationToken.None);
            return new ChaosApiHarness(upstream, proxies, server);
        }
        catch
        {
            await proxies.DisposeAsync();
            upstream.Dispose();
            throw;
        }
    }

    /// <summary>A client connected through "web", and the upstream's side of that connection.</summary>
    public async Task<(Socket Client, Socket Server)> ConnectAsync()
    {
        var client = await Peers.ConnectAsync(Proxies["web"]);
        var server = await Upstream.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return (client, server);
    }

    public async Task<(HttpStatusCode Status, string Body, string? ContentType)> SendAsync(string method, string path, string? body = null, string? token = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await Client.SendAsync(request);
        var contentType = response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var values) ? values.ToString() : null;
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), contentType);
    }

    public Task<(HttpStatusCode Status, string Body, string? ContentType)> GetAsync(string path) => SendAsync("GET", path);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await Proxies.DisposeAsync();
        Upstream.Dispose();
    }
}

/// <summary>Reads a <c>text/event-stream</c> body frame by frame.</summary>
internal sealed class EventStreamReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    /// <summary>Comment lines seen so far (heartbeats among them), without the leading colon.</summary>
    public List<string> Comments { get; } = [];

    /// <summary>The next event (kind and data), or null when the stream ended.</summary>
    public async Task<(string Kind, string Data)?> NextAsync(CancellationToken cancellation)
    {
        string? kind = null;
        var data = new StringBuilder();
        while (await _reader.ReadLineAsync(cancellation) is { } line)
        {
            if (line.Length == 0)
            {
                if (kind is not null || data.Length > 0)
                {
                    return (kind ?? "message", data.ToString());
                }
                continue;
            }
            if (line.StartsWith(':'))
            {
                Comments.Add(line[1..].Trim());
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                kind = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(line["data: ".Length..]);
            }
        }
        return null;
    }

    /// <summary>Reads until an event of <paramref name="kind"/> that <paramref name="match"/> accepts.</summary>
    public async Task<System.Text.Json.JsonElement> WaitForAsync(string kind, Func<System.Text.Json.JsonElement, bool> match, CancellationToken cancellation)
    {
        while (await NextAsync(cancellation) is { } next)
        {
            if (next.Kind == kind)
            {
                var json = System.Text.Json.JsonDocument.Parse(next.Data).RootElement.Clone();
                if (match(json))
                {
                    return json;
                }
            }
        }
        throw new InvalidOperationException($"the stream ended before a '{kind}' event");
    }

    public void Dispose() => _reader.Dispose();
}
