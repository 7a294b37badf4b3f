using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.ControlApi;

/// <summary>Toxiproxy 2.12's toxic endpoints, one test per recorded exchange of the contract's transcript, plus our extensions.</summary>
public sealed class ToxicEndpointTests
{
    private const string Latency1000 = """{"attributes":{"latency":1000,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}""";
    private const string TimeoutUp = """{"attributes":{"timeout":100},"name":"t_up","type":"timeout","stream":"upstream","toxicity":0.5}""";
    private const string BandwidthDown = """{"attributes":{"rate":1000},"name":"bandwidth_downstream","type":"bandwidth","stream":"downstream","toxicity":1}""";

    private static async Task<ControlApiHarness> WithRedisAsync(string upstream = ControlApiHarness.Upstream)
    {
        var api = await ControlApiHarness.StartAsync();
        await api.CreateAsync("redis", upstream);
        return api;
    }

    private static Task<Reply> AddAsync(ControlApiHarness api, string body, string proxy = "redis") =>
        api.SendAsync("POST", $"/proxies/{proxy}/toxics", body);

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_Latency_200WithToxic()
    {
        await using var api = await WithRedisAsync();
        (await AddAsync(api, """{"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1.0,"attributes":{"latency":1000,"jitter":0}}"""))
            .AssertJson(HttpStatusCode.OK, Latency1000);
        (await api.GetAsync("/proxies/redis/toxics")).AssertJson(HttpStatusCode.OK, $"[{Latency1000}]");
        (await api.GetAsync("/proxies/redis/toxics/latency_downstream")).AssertJson(HttpStatusCode.OK, Latency1000);
        (await api.GetAsync("/proxies/redis")).AssertJson(HttpStatusCode.OK,
            ControlApiHarness.ProxyJson("redis", $"127.0.0.1:{api.Port("redis")}", toxics: Latency1000));
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_Latency_DelaysRealRoundTripThroughProxy()
    {
        await using var api = await WithRedisAsync("builtin:echo");
        var port = api.Port("redis");
        var direct = Stopwatch.StartNew();
        Assert.Equal("PING", await ProxyEndpointTests.RoundTripAsync(port, "PING"));
        Assert.True(direct.Elapsed < TimeSpan.FromMilliseconds(900), $"baseline took {direct.Elapsed}");

        await AddAsync(api, """{"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1.0,"attributes":{"latency":1000,"jitter":0}}""");
        var slowed = Stopwatch.StartNew();
        Assert.Equal("PING", await ProxyEndpointTests.RoundTripAsync(port, "PING"));
        Assert.InRange(slowed.Elapsed, TimeSpan.FromMilliseconds(990), TimeSpan.FromSeconds(5));

        (await api.SendAsync("DELETE", "/proxies/redis/toxics/latency_downstream")).AssertNoContent();
        var restored = Stopwatch.StartNew();
        Assert.Equal("PING", await ProxyEndpointTests.RoundTripAsync(port, "PING"));
        Assert.True(restored.Elapsed < TimeSpan.FromMilliseconds(900), $"after removal took {restored.Elapsed}");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_DuplicateName_409()
    {
        await using var api = await WithRedisAsync();
        await AddAsync(api, """{"type":"latency","attributes":{"latency":1000}}""");
        (await AddAsync(api, """{"name":"latency_downstream","type":"latency","attributes":{"latency":10}}"""))
            .AssertError(HttpStatusCode.Conflict, "toxic already exists");
        // Names are unique across both streams.
        (await AddAsync(api, """{"name":"latency_downstream","type":"latency","stream":"upstream"}"""))
            .AssertError(HttpStatusCode.Conflict, "toxic already exists");
    }

    [Theory(Timeout = 30_000)]
    [InlineData("""{"name":"bogus","type":"nope","attributes":{}}""")]
    [InlineData("""{"name":"notype","attributes":{}}""")]
    public async Task PostToxic_UnknownOrMissingType_400(string body)
    {
        await using var api = await WithRedisAsync();
        (await AddAsync(api, body)).AssertError(HttpStatusCode.BadRequest, "invalid toxic type");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_BadStream_400()
    {
        await using var api = await WithRedisAsync();
        (await AddAsync(api, """{"type":"latency","stream":"sideways","attributes":{"latency":1}}"""))
            .AssertError(HttpStatusCode.BadRequest, "stream was invalid, can be either upstream or downstream");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_NoNameStreamToxicity_Defaults()
    {
        await using var api = await WithRedisAsync();
        (await AddAsync(api, """{"type":"bandwidth","attributes":{"rate":1000}}""")).AssertJson(HttpStatusCode.OK, BandwidthDown);
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_UpstreamHalfToxicity_200()
    {
        await using var api = await WithRedisAsync();
        (await AddAsync(api, """{"name":"t_up","type":"timeout","stream":"upstream","toxicity":0.5,"attributes":{"timeout":100}}"""))
            .AssertJson(HttpStatusCode.OK, TimeoutUp);
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_MalformedJson_400UnexpectedEof()
    {
        await using var api = await WithRedisAsync();
        (await AddAsync(api, """{"type":""")).AssertError(HttpStatusCode.BadRequest, "bad request body: unexpected EOF");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_MissingProxy_404()
    {
        await using var api = await WithRedisAsync();
        (await AddAsync(api, """{"type":"latency","attributes":{"latency":1}}""", proxy: "missing")).AssertError(HttpStatusCode.NotFound, "proxy not found");
        (await api.GetAsync("/proxies/missing/toxics")).AssertError(HttpStatusCode.NotFound, "proxy not found");
        (await api.GetAsync("/proxies/missing/toxics/x")).AssertError(HttpStatusCode.NotFound, "proxy not found");
        (await api.SendAsync("DELETE", "/proxies/missing/toxics/x")).AssertError(HttpStatusCode.NotFound, "proxy not found");
        (await api.SendAsync("PATCH", "/proxies/missing/toxics/x", "{}")).AssertError(HttpStatusCode.NotFound, "proxy not found");
    }

    [Fact(Timeout = 30_000)]
    public async Task GetToxics_Several_UpstreamChainFirstThenDownstream()
    {
        await using var api = await WithRedisAsync();
        await AddAsync(api, """{"type":"latency","attributes":{"latency":1000,"jitter":0}}""");
        await AddAsync(api, """{"type":"bandwidth","attributes":{"rate":1000}}""");
        await AddAsync(api, """{"name":"t_up","type":"timeout","stream":"upstream","toxicity":0.5,"attributes":{"timeout":100}}""");
        (await api.GetAsync("/proxies/redis/toxics")).AssertJson(HttpStatusCode.OK, $"[{TimeoutUp},{Latency1000},{BandwidthDown}]");
    }

    [Fact(Timeout = 30_000)]
    public async Task UpdateToxic_AttributesThenToxicity_MergedAndKept()
    {
        await using var api = await WithRedisAsync();
        await AddAsync(api, """{"type":"latency","attributes":{"latency":1000,"jitter":0}}""");
        (await api.SendAsync("POST", "/proxies/redis/toxics/latency_downstream", """{"attributes":{"latency":250}}"""))
            .AssertJson(HttpStatusCode.OK, """{"attributes":{"latency":250,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}""");
        (await api.SendAsync("PATCH", "/proxies/redis/toxics/latency_downstream", """{"toxicity":0.75}"""))
            .AssertJson(HttpStatusCode.OK, """{"attributes":{"latency":250,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":0.75}""");
        (await api.SendAsync("PATCH", "/proxies/redis/toxics/latency_downstream", """{"attributes":{"jitter":5},"name":"renamed","stream":"upstream","type":"timeout"}"""))
            .AssertJson(HttpStatusCode.OK, """{"attributes":{"latency":250,"jitter":5},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":0.75}""");
    }

    [Fact(Timeout = 30_000)]
    public async Task UpdateToxic_Missing_404()
    {
        await using var api = await WithRedisAsync();
        (await api.SendAsync("PATCH", "/proxies/redis/toxics/missing", """{"toxicity":1}""")).AssertError(HttpStatusCode.NotFound, "toxic not found");
    }

    [Fact(Timeout = 30_000)]
    public async Task GetToxic_Missing_404()
    {
        await using var api = await WithRedisAsync();
        (await api.GetAsync("/proxies/redis/toxics/missing")).AssertError(HttpStatusCode.NotFound, "toxic not found");
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteToxic_ThenAgain_204Then404()
    {
        await using var api = await WithRedisAsync();
        await AddAsync(api, """{"type":"latency","attributes":{"latency":1000}}""");
        (await api.SendAsync("DELETE", "/proxies/redis/toxics/latency_downstream")).AssertNoContent();
        (await api.SendAsync("DELETE", "/proxies/redis/toxics/latency_downstream")).AssertError(HttpStatusCode.NotFound, "toxic not found");
    }

    [Theory(Timeout = 30_000)]
    [InlineData("latency", """{"latency":0,"jitter":0}""")]
    [InlineData("bandwidth", """{"rate":0}""")]
    [InlineData("slow_close", """{"delay":0}""")]
    [InlineData("timeout", """{"timeout":0}""")]
    [InlineData("reset_peer", """{"timeout":0}""")]
    [InlineData("limit_data", """{"bytes":0}""")]
    [InlineData("noop", "{}")]
    public async Task PostToxic_EmptyAttributes_DefaultAttributeSet(string type, string attributes)
    {
        await using var api = await WithRedisAsync();
        (await AddAsync(api, $$$"""{"type":"{{{type}}}","stream":"upstream","attributes":{}}"""))
            .AssertJson(HttpStatusCode.OK, $$"""{"attributes":{{attributes}},"name":"{{type}}_upstream","type":"{{type}}","stream":"upstream","toxicity":1}""");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_SlicerEmptyAttributes_400NeedsAverageSize()
    {
        // Deviation: Toxiproxy accepts average_size 0 (a pass-through); Chaos requires a piece size of at least 1.
        await using var api = await WithRedisAsync();
        var reply = await AddAsync(api, """{"type":"slicer","stream":"upstream","attributes":{}}""");
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains("average_size", reply.Body, StringComparison.Ordinal);
        (await AddAsync(api, """{"type":"slicer","stream":"upstream","attributes":{"average_size":10}}"""))
            .AssertJson(HttpStatusCode.OK, """{"attributes":{"average_size":10,"size_variation":0,"delay":0},"name":"slicer_upstream","type":"slicer","stream":"upstream","toxicity":1}""");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_AttributesOmitted_Defaults()
    {
        await using var api = await WithRedisAsync();
        (await AddAsync(api, """{"name":"noattrs","type":"latency"}"""))
            .AssertJson(HttpStatusCode.OK, """{"attributes":{"latency":0,"jitter":0},"name":"noattrs","type":"latency","stream":"downstream","toxicity":1}""");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_AttributeWrongType_400GoTypeError()
    {
        await using var api = await WithRedisAsync();
        (await AddAsync(api, """{"name":"weird","type":"latency","attributes":{"latency":"abc"}}"""))
            .AssertError(HttpStatusCode.BadRequest, "bad request body: json: cannot unmarshal string into Go struct field LatencyToxic.attributes.latency of type int64");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_UnknownAttributeAndFields_Ignored()
    {
        await using var api = await WithRedisAsync();
        (await AddAsync(api, """{"name":"extra","type":"latency","direction":"upstream","attributes":{"latency":5,"bogus":1}}"""))
            .AssertJson(HttpStatusCode.OK, """{"attributes":{"latency":5,"jitter":0},"name":"extra","type":"latency","stream":"downstream","toxicity":1}""");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_ToxicityOutOfRange_KeptAsGiven()
    {
        await using var api = await WithRedisAsync();
        (await AddAsync(api, """{"name":"tox2","type":"latency","toxicity":2,"attributes":{"latency":5}}"""))
            .AssertJson(HttpStatusCode.OK, """{"attributes":{"latency":5,"jitter":0},"name":"tox2","type":"latency","stream":"downstream","toxicity":2}""");
    }

    [Fact(Timeout = 30_000)]
    public async Task GetToxics_AllKinds_ListedInChainOrder()
    {
        await using var api = await WithRedisAsync();
        string[] types = ["latency", "bandwidth", "slow_close", "timeout", "reset_peer", "limit_data"];
        foreach (var type in types)
        {
            await AddAsync(api, $$$"""{"type":"{{{type}}}","stream":"upstream","attributes":{}}""");
        }
        await AddAsync(api, """{"name":"noattrs","type":"latency"}""");
        await AddAsync(api, """{"name":"tox2","type":"latency","toxicity":2,"attributes":{"latency":5}}""");
        var reply = await api.GetAsync("/proxies/redis/toxics");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var names = System.Text.Json.JsonDocument.Parse(reply.Body).RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray();
        Assert.Equal<string>([.. types.Select(t => t + "_upstream"), "noattrs", "tox2"], names);
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_ChaosTypeWithWhere_ActsOnSelectedConnectionsOnly()
    {
        await using var api = await WithRedisAsync("builtin:echo");
        (await AddAsync(api, """{"type":"accept_close","where":{"connections":"1"}}"""))
            .AssertJson(HttpStatusCode.OK, """{"attributes":{"delay":0},"name":"accept_close_downstream","type":"accept_close","stream":"downstream","toxicity":1,"where":{"connections":"1"}}""");
        var port = api.Port("redis");
        using (var first = await Peers.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)))
        {
            Assert.Empty(await Peers.ReadToEndAsync(first)); // closed with FIN right after accept
        }
        Assert.Equal("PING", await ProxyEndpointTests.RoundTripAsync(port, "PING"));
        (await api.SendAsync("PATCH", "/proxies/redis/toxics/accept_close_downstream", """{"toxicity":0}"""))
            .AssertJson(HttpStatusCode.OK, """{"attributes":{"delay":0},"name":"accept_close_downstream","type":"accept_close","stream":"downstream","toxicity":0,"where":{"connections":"1"}}""");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_DurationString_Extension()
    {
        await using var api = await WithRedisAsync();
        (await AddAsync(api, """{"type":"latency","attributes":{"latency":"1.5s"}}"""))
            .AssertJson(HttpStatusCode.OK, """{"attributes":{"latency":1500,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}""");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_RejectedByCatalogue_400BadRequestBody()
    {
        await using var api = await WithRedisAsync();
        var reply = await AddAsync(api, """{"type":"accept_delay"}""");
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.StartsWith("{\"error\":\"bad request body: ", reply.Body, StringComparison.Ordinal);
        Assert.Contains("delay", reply.Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task PostToxic_NotAnObject_400()
    {
        await using var api = await WithRedisAsync();
        (await AddAsync(api, "[]")).AssertError(HttpStatusCode.BadRequest, "bad request body: json: cannot unmarshal array into Go value of type toxics.ToxicWrapper");
        (await AddAsync(api, "")).AssertError(HttpStatusCode.BadRequest, "bad request body: EOF");
    }
}
