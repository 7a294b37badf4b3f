using System.Net;
using System.Net.Sockets;
using System.Text;
using Chaos.Proxy.Tests.Support;

namespace Chaos.Proxy.Tests.ControlApi;

/// <summary>
/// Toxiproxy 2.12's proxy endpoints, one test per recorded exchange of the contract's transcript
/// (reference/toxiproxy-api.md, Part 2): status, headers, exact bodies and error messages.
/// </summary>
public sealed class ProxyEndpointTests
{
    private const string Redis = """{"name":"redis","listen":"127.0.0.1:0","upstream":"127.0.0.1:6379","enabled":true}""";

    [Fact(Timeout = 30_000)]
    public async Task GetProxies_NoProxies_EmptyObject()
    {
        await using var api = await ControlApiHarness.StartAsync();
        (await api.GetAsync("/proxies")).AssertJson(HttpStatusCode.OK, "{}");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostProxies_New_201WithBoundListenAndNoToxics()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var reply = await api.SendAsync("POST", "/proxies", Redis);
        reply.AssertJson(HttpStatusCode.Created, ControlApiHarness.ProxyJson("redis", $"127.0.0.1:{api.Port("redis")}"));
        Assert.NotEqual(0, api.Port("redis"));
    }

    [Fact(Timeout = 30_000)]
    public async Task PostProxies_DuplicateName_409()
    {
        await using var api = await ControlApiHarness.StartAsync();
        await api.CreateAsync("redis");
        (await api.SendAsync("POST", "/proxies", """{"name":"redis","listen":"127.0.0.1:0","upstream":"127.0.0.1:6379"}"""))
            .AssertError(HttpStatusCode.Conflict, "proxy already exists");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostProxies_MissingUpstream_400()
    {
        await using var api = await ControlApiHarness.StartAsync();
        (await api.SendAsync("POST", "/proxies", """{"name":"noup","listen":"127.0.0.1:0"}"""))
            .AssertError(HttpStatusCode.BadRequest, "missing required field: upstream");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostProxies_MissingName_400()
    {
        await using var api = await ControlApiHarness.StartAsync();
        (await api.SendAsync("POST", "/proxies", """{"listen":"127.0.0.1:0","upstream":"127.0.0.1:6379"}"""))
            .AssertError(HttpStatusCode.BadRequest, "missing required field: name");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostProxies_MalformedJson_400UnexpectedEof()
    {
        await using var api = await ControlApiHarness.StartAsync();
        (await api.SendAsync("POST", "/proxies", """{"name":"""))
            .AssertError(HttpStatusCode.BadRequest, "bad request body: unexpected EOF");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostProxies_ListenInUse_500WithGoBindMessage()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var taken = $"127.0.0.1:{api.Server.EndPoint.Port}";
        (await api.SendAsync("POST", "/proxies", $$"""{"name":"clash","listen":"{{taken}}","upstream":"127.0.0.1:6379"}"""))
            .AssertError(HttpStatusCode.InternalServerError, $"listen tcp {taken}: bind: address already in use");
        Assert.Null(api.Proxies.Runtime.Registry.Find("clash"));
    }

    [Fact(Timeout = 30_000)]
    public async Task PostProxies_NoListen_FreeLoopbackPortEnabled()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var reply = await api.SendAsync("POST", "/proxies", """{"name":"nolisten","upstream":"127.0.0.1:6379"}""");
        // Deviation: Toxiproxy binds every interface ("[::]:39387"); Chaos binds loopback unless told otherwise.
        reply.AssertJson(HttpStatusCode.Created, ControlApiHarness.ProxyJson("nolisten", $"127.0.0.1:{api.Port("nolisten")}"));
    }

    [Fact(Timeout = 30_000)]
    public async Task PostProxies_Disabled_201ListenAsGivenNotListening()
    {
        await using var api = await ControlApiHarness.StartAsync();
        using var probe = Peers.Listen();
        var port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        probe.Close(); // a free port nobody listens on
        var reply = await api.SendAsync("POST", "/proxies", $$"""{"name":"disabled_one","listen":"127.0.0.1:{{port}}","upstream":"127.0.0.1:6379","enabled":false}""");
        reply.AssertJson(HttpStatusCode.Created, ControlApiHarness.ProxyJson("disabled_one", $"127.0.0.1:{port}", enabled: false));
        Assert.Equal(SocketError.ConnectionRefused, await ConnectErrorAsync(port));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetProxies_Several_ObjectKeyedByNameInOrder()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var redis = await api.CreateAsync("redis");
        var nolisten = await api.CreateAsync("nolisten");
        var disabled = FreePort();
        await api.SendAsync("POST", "/proxies", $$"""{"name":"disabled_one","listen":"127.0.0.1:{{disabled}}","upstream":"127.0.0.1:6379","enabled":false}""");
        (await api.GetAsync("/proxies")).AssertJson(HttpStatusCode.OK,
            "{\"disabled_one\":" + ControlApiHarness.ProxyJson("disabled_one", $"127.0.0.1:{disabled}", enabled: false)
            + ",\"nolisten\":" + ControlApiHarness.ProxyJson("nolisten", $"127.0.0.1:{nolisten}")
            + ",\"redis\":" + ControlApiHarness.ProxyJson("redis", $"127.0.0.1:{redis}") + "}");
    }

    [Fact(Timeout = 30_000)]
    public async Task GetProxy_Existing_200()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var port = await api.CreateAsync("redis");
        (await api.GetAsync("/proxies/redis")).AssertJson(HttpStatusCode.OK, ControlApiHarness.ProxyJson("redis", $"127.0.0.1:{port}"));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetProxy_Missing_404()
    {
        await using var api = await ControlApiHarness.StartAsync();
        (await api.GetAsync("/proxies/missing")).AssertError(HttpStatusCode.NotFound, "proxy not found");
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteProxy_Existing_204AndListenerClosed()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var port = await api.CreateAsync("nolisten");
        (await api.SendAsync("DELETE", "/proxies/nolisten")).AssertNoContent();
        Assert.Null(api.Proxies.Runtime.Registry.Find("nolisten"));
        Assert.Equal(SocketError.ConnectionRefused, await ConnectErrorAsync(port));
    }

    [Fact(Timeout = 30_000)]
    public async Task DeleteProxy_Missing_404()
    {
        await using var api = await ControlApiHarness.StartAsync();
        (await api.SendAsync("DELETE", "/proxies/missing")).AssertError(HttpStatusCode.NotFound, "proxy not found");
    }

    [Fact(Timeout = 30_000)]
    public async Task Proxy_NoToxics_RelaysRealTraffic()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var port = await api.CreateAsync("echo", upstream: "builtin:echo");
        Assert.Equal("PING", await RoundTripAsync(port, "PING"));
    }

    [Fact(Timeout = 30_000)]
    public async Task PostProxy_Disable_200WithToxicsAndConnectRefused()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var port = await api.CreateAsync("redis");
        await api.SendAsync("POST", "/proxies/redis/toxics", """{"name":"t_up","type":"timeout","stream":"upstream","toxicity":0.5,"attributes":{"timeout":100}}""");
        await api.SendAsync("POST", "/proxies/redis/toxics", """{"type":"bandwidth","attributes":{"rate":1000}}""");
        (await api.SendAsync("POST", "/proxies/redis", """{"enabled":false}""")).AssertJson(HttpStatusCode.OK,
            ControlApiHarness.ProxyJson("redis", $"127.0.0.1:{port}", enabled: false, toxics:
                """{"attributes":{"timeout":100},"name":"t_up","type":"timeout","stream":"upstream","toxicity":0.5},{"attributes":{"rate":1000},"name":"bandwidth_downstream","type":"bandwidth","stream":"downstream","toxicity":1}"""));
        Assert.Equal(SocketError.ConnectionRefused, await ConnectErrorAsync(port));
    }

    [Fact(Timeout = 30_000)]
    public async Task PostReset_DisabledWithToxics_204ReEnabledNoToxics()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var port = await api.CreateAsync("redis", upstream: "builtin:echo");
        await api.SendAsync("POST", "/proxies/redis/toxics", """{"type":"latency","attributes":{"latency":1000}}""");
        await api.SendAsync("PATCH", "/proxies/redis", """{"enabled":false}""");
        (await api.SendAsync("POST", "/reset")).AssertNoContent();
        (await api.GetAsync("/proxies")).AssertJson(HttpStatusCode.OK,
            "{\"redis\":" + ControlApiHarness.ProxyJson("redis", $"127.0.0.1:{port}", upstream: "builtin:echo") + "}");
        Assert.Equal("PING", await RoundTripAsync(port, "PING")); // listening again, on its old port
    }

    [Fact(Timeout = 30_000)]
    public async Task PostReset_NoProxies_204()
    {
        await using var api = await ControlApiHarness.StartAsync();
        (await api.SendAsync("POST", "/reset")).AssertNoContent();
    }

    [Fact(Timeout = 30_000)]
    public async Task PatchProxy_NewListen_MovesAndRelays()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var old = await api.CreateAsync("redis", upstream: "builtin:echo");
        var port = FreePort();
        (await api.SendAsync("PATCH", "/proxies/redis", $$"""{"listen":"127.0.0.1:{{port}}","upstream":"builtin:echo"}"""))
            .AssertJson(HttpStatusCode.OK, ControlApiHarness.ProxyJson("redis", $"127.0.0.1:{port}", upstream: "builtin:echo"));
        Assert.Equal("PING", await RoundTripAsync(port, "PING"));
        Assert.Equal(SocketError.ConnectionRefused, await ConnectErrorAsync(old));
    }

    [Fact(Timeout = 30_000)]
    public async Task PatchProxy_ListenInUse_500ThenDisabledOnThatAddressThenMovesBack()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var old = await api.CreateAsync("redis", upstream: "builtin:echo");
        var taken = $"127.0.0.1:{api.Server.EndPoint.Port}";
        (await api.SendAsync("PATCH", "/proxies/redis", $$"""{"listen":"{{taken}}"}"""))
            .AssertError(HttpStatusCode.InternalServerError, $"listen tcp {taken}: bind: address already in use");
        // As recorded: the proxy now has the new address and is disabled.
        (await api.GetAsync("/proxies/redis")).AssertJson(HttpStatusCode.OK, ControlApiHarness.ProxyJson("redis", taken, upstream: "builtin:echo", enabled: false));

        (await api.SendAsync("PATCH", "/proxies/redis", $$"""{"listen":"127.0.0.1:{{old}}","enabled":true}"""))
            .AssertJson(HttpStatusCode.OK, ControlApiHarness.ProxyJson("redis", $"127.0.0.1:{old}", upstream: "builtin:echo"));
        Assert.Equal("PING", await RoundTripAsync(old, "PING"));
    }

    [Fact(Timeout = 30_000)]
    public async Task PostProxy_EnabledNotBool_400GoTypeError()
    {
        await using var api = await ControlApiHarness.StartAsync();
        await api.CreateAsync("redis");
        (await api.SendAsync("POST", "/proxies/redis", """{"enabled":"yes"}"""))
            .AssertError(HttpStatusCode.BadRequest, "bad request body: json: cannot unmarshal string into Go struct field Proxy.enabled of type bool");
    }

    [Fact(Timeout = 30_000)]
    public async Task PostProxy_Missing_404()
    {
        await using var api = await ControlApiHarness.StartAsync();
        (await api.SendAsync("POST", "/proxies/missing", """{"enabled":false}""")).AssertError(HttpStatusCode.NotFound, "proxy not found");
        (await api.SendAsync("PATCH", "/proxies/missing", """{"enabled":false}""")).AssertError(HttpStatusCode.NotFound, "proxy not found");
    }

    [Fact(Timeout = 30_000)]
    public async Task PatchProxy_UnknownFieldsAndToggle_Ignored()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var port = await api.CreateAsync("redis");
        (await api.SendAsync("PATCH", "/proxies/redis", """{"enabled":false,"Logger":{},"toxics":[{"type":"bogus"}],"extra":1}"""))
            .AssertJson(HttpStatusCode.OK, ControlApiHarness.ProxyJson("redis", $"127.0.0.1:{port}", enabled: false));
        (await api.SendAsync("PATCH", "/proxies/redis", """{"enabled":true}"""))
            .AssertJson(HttpStatusCode.OK, ControlApiHarness.ProxyJson("redis", $"127.0.0.1:{port}"));
    }

    [Fact(Timeout = 30_000)]
    public async Task PostProxies_WithToxics_ExtensionCreatesThem()
    {
        await using var api = await ControlApiHarness.StartAsync();
        var reply = await api.SendAsync("POST", "/proxies", """{"name":"web","listen":"127.0.0.1:0","upstream":"builtin:echo","toxics":[{"type":"latency","attributes":{"latency":"250ms"}}]}""");
        reply.AssertJson(HttpStatusCode.Created, ControlApiHarness.ProxyJson("web", $"127.0.0.1:{api.Port("web")}", upstream: "builtin:echo",
            toxics: """{"attributes":{"latency":250,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}"""));
    }

    internal static int FreePort()
    {
        using var probe = Peers.Listen();
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    internal static async Task<SocketError> ConnectErrorAsync(int port)
    {
        try
        {
            using var socket = await Peers.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            return SocketError.Success;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
    }

    /// <summary>Sends a line through the proxy and reads the same number of bytes back (the upstream echoes).</summary>
    internal static async Task<string> RoundTripAsync(int port, string text)
    {
        using var socket = await Peers.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await Peers.SendAllAsync(socket, Encoding.ASCII.GetBytes(text));
        var buffer = new byte[text.Length];
        var received = 0;
        while (received < buffer.Length)
        {
            var count = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None);
            if (count == 0)
            {
                break;
            }
            received += count;
        }
        return Encoding.ASCII.GetString(buffer, 0, received);
    }
}
