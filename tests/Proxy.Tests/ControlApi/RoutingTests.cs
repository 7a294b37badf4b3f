using System.Net;
using Chaos.Proxy.ControlApi;

namespace Chaos.Proxy.Tests.ControlApi;

/// <summary>What wraps every route: version, unknown routes, wrong methods, the browser guard, request ids, the token, the body cap.</summary>
public sealed class RoutingTests
{
    [Fact(Timeout = 30_000)]
    public async Task GetVersion_ToxiproxyBodyAndContentType()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var reply = await api.GetAsync("/version");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("application/json;charset=utf-8", reply.ContentType);
        Assert.Equal("{\"version\": \"2.12.0\"}\n", reply.Body);
        Assert.Matches("^[0-9a-v]{20}$", reply.RequestId);
    }

    [Fact(Timeout = 30_000)]
    public async Task RequestIds_DifferPerRequest()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var first = (await api.GetAsync("/proxies")).RequestId;
        var second = (await api.GetAsync("/proxies")).RequestId;
        Assert.NotEqual(first, second);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("/nope")]
    [InlineData("/metrics")]
    [InlineData("/proxies/a/b/c/d")]
    public async Task UnknownRoute_404GoBodyNoRequestId(string path)
    {
        await using var api = await ControlApiHarness.StartAsync();
        var reply = await api.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal("text/plain; charset=utf-8", reply.ContentType);
        Assert.Equal("404 page not found\n", reply.Body);
        Assert.Null(reply.RequestId);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("PUT", "/proxies")]
    [InlineData("DELETE", "/proxies")]
    [InlineData("GET", "/reset")]
    [InlineData("GET", "/populate")]
    [InlineData("POST", "/version")]
    [InlineData("PUT", "/proxies/x")]
    [InlineData("PUT", "/proxies/x/toxics")]
    [InlineData("PUT", "/proxies/x/toxics/y")]
    public async Task WrongMethod_405Empty(string method, string path)
    {
        await using var api = await ControlApiHarness.StartAsync();
        var reply = await api.SendAsync(method, path);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, reply.Status);
        Assert.Equal(string.Empty, reply.Body);
        Assert.Null(reply.RequestId);
    }

    [Fact(Timeout = 30_000)]
    public async Task BrowserUserAgent_403()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var reply = await api.SendAsync("GET", "/proxies", configure: request =>
        {
            request.Headers.UserAgent.Clear();
            request.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)");
        });
        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Equal("text/plain; charset=utf-8", reply.ContentType);
        Assert.Equal("User agent not allowed\n", reply.Body);
        Assert.NotNull(reply.RequestId);
    }

    [Fact(Timeout = 30_000)]
    public async Task BearerToken_MissingOrWrong401_Right200()
    {
        await using var api = await ControlApiHarness.StartAsync(new ControlApiOptions("127.0.0.1", 0, "s3cret"));
        (await api.GetAsync("/proxies")).AssertError(HttpStatusCode.Unauthorized, "missing or wrong bearer token");
        (await api.SendAsync("GET", "/proxies", configure: r => r.Headers.Authorization = new("Bearer", "nope")))
            .AssertError(HttpStatusCode.Unauthorized, "missing or wrong bearer token");
        (await api.SendAsync("GET", "/proxies", configure: r => r.Headers.Authorization = new("Bearer", "s3cret")))
            .AssertJson(HttpStatusCode.OK, "{}");
    }

    [Fact(Timeout = 30_000)]
    public async Task BodyOverCap_413()
    {
        await using var api = await ControlApiHarness.StartAsync(new ControlApiOptions("127.0.0.1", 0) { MaxBodyBytes = 1024 });
        var body = "{\"name\":\"" + new string('x', 2000) + "\"}";
        (await api.SendAsync("POST", "/proxies", body)).AssertError(HttpStatusCode.RequestEntityTooLarge, "request body too large (over 1024 bytes)");
    }

    [Fact(Timeout = 30_000)]
    public async Task Server_PortZero_ReportsBoundEndPoint()
    {
        await using var api = await ControlApiHarness.StartAsync();
        Assert.NotEqual(0, api.Server.EndPoint.Port);
        Assert.Equal(IPAddress.Loopback, api.Server.EndPoint.Address);
        Assert.Equal($"http://127.0.0.1:{api.Server.EndPoint.Port}/", api.Server.Uri.ToString());
    }
}
