using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Chaos.Proxy.ControlApi;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.ControlApi;

/// <summary>A real control API on 127.0.0.1 (port 0) over a fresh run with no proxies, and an HttpClient for it.</summary>
internal sealed class ControlApiHarness : IAsyncDisposable
{
    private ControlApiHarness(TestProxies proxies, ControlApiServer server)
    {
        Proxies = proxies;
        Server = server;
        Client = new HttpClient { BaseAddress = server.Uri, Timeout = TimeSpan.FromSeconds(20) };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd("curl/8.5.0");
    }

    public TestProxies Proxies { get; }

    public ControlApiServer Server { get; }

    public HttpClient Client { get; }

    /// <summary>An address where nothing listens, for upstreams the test never dials (the transcript's redis).</summary>
    public const string Upstream = "127.0.0.1:6379";

    public static async Task<ControlApiHarness> StartAsync(ControlApiOptions? options = null)
    {
        var proxies = await TestProxies.StartAsync((Chaos.Proxy.Engine.RelayOptions?)null);
        try
        {
            var server = await ControlApiServer.StartAsync(proxies.Runtime.Registry, options ?? new ControlApiOptions("127.0.0.1", 0), CancellationToken.None);
            return new ControlApiHarness(proxies, server);
        }
        catch
        {
            await proxies.DisposeAsync();
            throw;
        }
    }

    public async Task<Reply> SendAsync(string method, string path, string? body = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        configure?.Invoke(request);
        using var response = await Client.SendAsync(request);
        // Raw, before reading the body parses (and re-formats) it.
        var contentType = response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var values) ? values.ToString() : null;
        var text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, text, response.Headers, contentType);
    }

    public Task<Reply> GetAsync(string path) => SendAsync("GET", path);

    /// <summary>Creates a proxy on a free loopback port and returns its bound port.</summary>
    public async Task<int> CreateAsync(string name, string upstream = Upstream, bool enabled = true)
    {
        var reply = await SendAsync("POST", "/proxies", $$"""{"name":"{{name}}","listen":"127.0.0.1:0","upstream":"{{upstream}}","enabled":{{(enabled ? "true" : "false")}}}""");
        Assert.Equal(HttpStatusCode.Created, reply.Status);
        return Port(name);
    }

    public int Port(string name)
    {
        var proxy = Proxies.Runtime.Registry.Find(name)!;
        return (proxy.ListenEndPoint ?? proxy.LastBound)!.Port;
    }

    /// <summary>Toxiproxy's proxy body as the transcript shows it.</summary>
    public static string ProxyJson(string name, string listen, string upstream = Upstream, bool enabled = true, string toxics = "") =>
        $$"""{"name":"{{name}}","listen":"{{listen}}","upstream":"{{upstream}}","enabled":{{(enabled ? "true" : "false")}},"Logger":{},"toxics":[{{toxics}}]}""";

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await Proxies.DisposeAsync();
    }
}

/// <summary>One response: status, body text and headers.</summary>
internal sealed record Reply(HttpStatusCode Status, string Body, HttpResponseHeaders Headers, string? ContentType)
{

    public string? RequestId => Headers.TryGetValues("X-Toxiproxy-Request-Id", out var values) ? values.Single() : null;

    /// <summary>Asserts a successful JSON answer with exactly this body (Toxiproxy's bytes).</summary>
    public void AssertJson(HttpStatusCode status, string body)
    {
        Assert.Equal(status, Status);
        Assert.Equal("application/json", ContentType);
        Assert.Equal(body, Body);
        Assert.Matches("^[0-9a-v]{20}$", RequestId);
    }

    /// <summary>Asserts Toxiproxy's error: its JSON body and a newline, served as text/plain with nosniff.</summary>
    public void AssertError(HttpStatusCode status, string message)
    {
        Assert.Equal(status, Status);
        Assert.Equal("text/plain; charset=utf-8", ContentType);
        Assert.Equal($$"""{"error":"{{message}}","status":{{(int)status}}}""" + "\n", Body);
        Assert.Equal("nosniff", Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Matches("^[0-9a-v]{20}$", RequestId);
    }

    public void AssertNoContent()
    {
        Assert.Equal(HttpStatusCode.NoContent, Status);
        Assert.Equal(string.Empty, Body);
        Assert.Null(ContentType);
        Assert.NotNull(RequestId);
    }
}
