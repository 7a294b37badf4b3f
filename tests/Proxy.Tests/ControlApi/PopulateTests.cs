using System.Net;

namespace Chaos.Proxy.Tests.ControlApi;

/// <summary><c>POST /populate</c>: Toxiproxy's semantics and bodies (errors here are served as JSON, with <c>proxies</c>).</summary>
public sealed class PopulateTests
{
    private static void AssertPopulateJson(Reply reply, HttpStatusCode status, string body)
    {
        Assert.Equal(status, reply.Status);
        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal(body, reply.Body);
        Assert.NotNull(reply.RequestId);
    }

    [Fact(Timeout = 30_000)]
    public async Task Populate_UnchangedAndNew_KeepsOneCreatesOther()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var redis = await api.CreateAsync("redis");
        await api.SendAsync("POST", "/proxies/redis/toxics", """{"type":"latency","attributes":{"latency":10}}""");
        var redis2 = ProxyEndpointTests.FreePort();
        var reply = await api.SendAsync("POST", "/populate",
            $$"""[{"name":"redis","listen":"127.0.0.1:{{redis}}","upstream":"127.0.0.1:6379"},{"name":"redis2","listen":"127.0.0.1:{{redis2}}","upstream":"127.0.0.1:6379","enabled":true}]""");
        var latency = """{"attributes":{"latency":10,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}""";
        AssertPopulateJson(reply, HttpStatusCode.Created,
            "{\"proxies\":[" + ControlApiHarness.ProxyJson("redis", $"127.0.0.1:{redis}", toxics: latency)
            + "," + ControlApiHarness.ProxyJson("redis2", $"127.0.0.1:{redis2}") + "]}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Populate_ChangedUpstream_ReplacedAndLosesToxics()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var port = await api.CreateAsync("redis");
        await api.SendAsync("POST", "/proxies/redis/toxics", """{"type":"latency","attributes":{"latency":10}}""");
        var reply = await api.SendAsync("POST", "/populate", $$"""[{"name":"redis","listen":"127.0.0.1:{{port}}","upstream":"builtin:echo"}]""");
        AssertPopulateJson(reply, HttpStatusCode.Created, "{\"proxies\":[" + ControlApiHarness.ProxyJson("redis", $"127.0.0.1:{port}", upstream: "builtin:echo") + "]}");
        Assert.Equal("PING", await ProxyEndpointTests.RoundTripAsync(port, "PING"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Populate_OneEntryMissingUpstream_400NothingCreated()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var reply = await api.SendAsync("POST", "/populate", """[{"name":"ok3","listen":"127.0.0.1:0","upstream":"127.0.0.1:6379"},{"name":"bad","listen":"127.0.0.1:0"}]""");
        AssertPopulateJson(reply, HttpStatusCode.BadRequest, """{"error":"missing required field: upstream at proxy 2","status":400,"proxies":null}""");
        Assert.Empty(api.Proxies.Runtime.Registry.Proxies);
    }

    [Fact(Timeout = 30_000)]
    public async Task Populate_EntryMissingName_400()
    {
        await using var api = await ControlApiHarness.StartAsync();
        AssertPopulateJson(await api.SendAsync("POST", "/populate", """[{"upstream":"127.0.0.1:6379"}]"""), HttpStatusCode.BadRequest,
            """{"error":"missing required field: name at proxy 1","status":400,"proxies":null}""");
    }

    [Fact(Timeout = 30_000)]
    public async Task Populate_ObjectInsteadOfArray_400GoTypeError()
    {
        await using var api = await ControlApiHarness.StartAsync();
        AssertPopulateJson(await api.SendAsync("POST", "/populate", """{"name":"x"}"""), HttpStatusCode.BadRequest,
            """{"error":"bad request body: json: cannot unmarshal object into Go value of type []struct { toxiproxy.Proxy; Enabled *bool \"json:\\\"enabled\\\"\" }","status":400,"proxies":null}""");
    }

    [Fact(Timeout = 30_000)]
    public async Task Populate_EmptyArray_201ProxiesNull()
    {
        await using var api = await ControlApiHarness.StartAsync();
        AssertPopulateJson(await api.SendAsync("POST", "/populate", "[]"), HttpStatusCode.Created, """{"proxies":null}""");
    }

    [Fact(Timeout = 30_000)]
    public async Task Populate_ListenClash_500WithProxiesCreatedSoFar()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var redis = await api.CreateAsync("redis");
        var ok4 = ProxyEndpointTests.FreePort();
        var taken = $"127.0.0.1:{api.Server.EndPoint.Port}";
        var reply = await api.SendAsync("POST", "/populate",
            $$"""[{"name":"ok4","listen":"127.0.0.1:{{ok4}}","upstream":"127.0.0.1:6379"},{"name":"clash2","listen":"{{taken}}","upstream":"127.0.0.1:6379"}]""");
        AssertPopulateJson(reply, HttpStatusCode.InternalServerError,
            $$"""{"error":"listen tcp {{taken}}: bind: address already in use","status":500,"proxies":[""" + ControlApiHarness.ProxyJson("ok4", $"127.0.0.1:{ok4}") + "]}");

        // Proxies not in the list are untouched; the failed one was not created.
        (await api.GetAsync("/proxies")).AssertJson(HttpStatusCode.OK,
            "{\"ok4\":" + ControlApiHarness.ProxyJson("ok4", $"127.0.0.1:{ok4}") + ",\"redis\":" + ControlApiHarness.ProxyJson("redis", $"127.0.0.1:{redis}") + "}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Populate_ReplacementCannotBind_OldProxyKeptDisabled()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var port = await api.CreateAsync("redis");
        var taken = $"127.0.0.1:{api.Server.EndPoint.Port}";
        var reply = await api.SendAsync("POST", "/populate", $$"""[{"name":"redis","listen":"{{taken}}","upstream":"127.0.0.1:6379"}]""");
        AssertPopulateJson(reply, HttpStatusCode.InternalServerError, $$"""{"error":"listen tcp {{taken}}: bind: address already in use","status":500,"proxies":null}""");
        (await api.GetAsync("/proxies/redis")).AssertJson(HttpStatusCode.OK, ControlApiHarness.ProxyJson("redis", $"127.0.0.1:{port}", enabled: false));
    }

    [Fact(Timeout = 30_000)]
    public async Task Populate_MalformedJson_400()
    {
        await using var api = await ControlApiHarness.StartAsync();
        AssertPopulateJson(await api.SendAsync("POST", "/populate", "[{"), HttpStatusCode.BadRequest,
            """{"error":"bad request body: unexpected EOF","status":400,"proxies":null}""");
    }
}
