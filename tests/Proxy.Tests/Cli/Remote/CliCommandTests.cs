using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Cli;
using Chaos.Proxy.Cli.Remote;

namespace Chaos.Proxy.Tests.Cli.Remote;

/// <summary>
/// <c>chaos cli</c> against a fake Toxiproxy API that replays the recorded transcript
/// (/work/shared/reference/toxiproxy-api.md, parts 2 and 3): the requests each subcommand sends and what it prints.
/// </summary>
public sealed class CliCommandTests
{
    private const string Redis = """{"name":"redis","listen":"127.0.0.1:26379","upstream":"127.0.0.1:6379","enabled":true,"Logger":{},"toxics":[]}""";
    private const string RedisDisabled = """{"name":"redis","listen":"127.0.0.1:26379","upstream":"127.0.0.1:6379","enabled":false,"Logger":{},"toxics":[]}""";
    private const string Latency = """{"attributes":{"latency":1000,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}""";

    [Fact(Timeout = 30_000)]
    public async Task List_Piped_PrintsTabSeparatedRowsSortedByName()
    {
        await using var server = await FakeToxiproxy.StartAsync((200, """{"redis":{"name":"redis","listen":"127.0.0.1:26379","upstream":"127.0.0.1:6379","enabled":false,"Logger":{},"toxics":[""" + Latency + """]},"nolisten":{"name":"nolisten","listen":"[::]:39387","upstream":"127.0.0.1:6379","enabled":true,"Logger":{},"toxics":[]}}"""));

        var (exit, output, error) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "list");

        Assert.Equal((ExitCodes.Success, ""), (exit, error));
        Assert.Equal("nolisten\t[::]:39387\t127.0.0.1:6379\tenabled\t0\nredis\t127.0.0.1:26379\t127.0.0.1:6379\tdisabled\t1\n", output);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("GET", "/proxies", ""), (request.Method, request.Path, request.Body));
        Assert.StartsWith("chaos-cli/", request.UserAgent);
    }

    [Fact(Timeout = 30_000)]
    public async Task List_PipedAndEmpty_PrintsNothing()
    {
        await using var server = await FakeToxiproxy.StartAsync((200, "{}"));

        var (exit, output, _) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "ls");

        Assert.Equal((ExitCodes.Success, ""), (exit, output));
    }

    [Fact(Timeout = 30_000)]
    public async Task List_Terminal_PrintsAnAlignedTable()
    {
        await using var server = await FakeToxiproxy.StartAsync((200, "{\"redis\":" + Redis + "}"));

        var (exit, output, _) = await RemoteCli.InvokeAsync(true, "cli", "--host", server.Url, "list");

        Assert.Equal(ExitCodes.Success, exit);
        var lines = output.Split('\n');
        Assert.Equal("Name   Listen           Upstream        Enabled  Toxics", lines[0]);
        Assert.Equal("redis  127.0.0.1:26379  127.0.0.1:6379  enabled  None", lines[2]);
        Assert.Contains("Hint:", output);
    }

    [Fact(Timeout = 30_000)]
    public async Task Inspect_Piped_PrintsOneLinePerToxicAsToxiproxyCli()
    {
        await using var server = await FakeToxiproxy.StartAsync((200, """{"name":"redis","listen":"127.0.0.1:26379","upstream":"127.0.0.1:6379","enabled":true,"Logger":{},"toxics":[{"attributes":{"timeout":100},"name":"t_up","type":"timeout","stream":"upstream","toxicity":0.5},{"attributes":{"latency":500,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}]}"""));

        var (exit, output, _) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "inspect", "redis");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal(
            "t_up\ttype=timeout\tstream=upstream\ttoxicity=0.50\tattributes=[\ttimeout=100\t]\n" +
            "latency_downstream\ttype=latency\tstream=downstream\ttoxicity=1.00\tattributes=[\tjitter=0\tlatency=500\t]\n",
            output);
        Assert.Equal(("GET", "/proxies/redis"), (server.Requests[0].Method, server.Requests[0].Path));
    }

    [Fact(Timeout = 30_000)]
    public async Task Inspect_Terminal_GroupsToxicsByStream()
    {
        await using var server = await FakeToxiproxy.StartAsync((200, Redis.Replace("\"toxics\":[]", "\"toxics\":[" + Latency + "]")));

        var (exit, output, _) = await RemoteCli.InvokeAsync(true, "cli", "--host", server.Url, "i", "redis");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.StartsWith("Name: redis\tListen: 127.0.0.1:26379\tUpstream: 127.0.0.1:6379\t(enabled)\n", output);
        Assert.Contains("Upstream toxics:\n  none\n", output);
        Assert.Contains("Downstream toxics:\n  latency_downstream:\ttype=latency", output);
    }

    [Fact(Timeout = 30_000)]
    public async Task Create_SendsTheProxyAndConfirms()
    {
        await using var server = await FakeToxiproxy.StartAsync((201, Redis));

        var (exit, output, _) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "create", "-l", "127.0.0.1:26379", "-u", "127.0.0.1:6379", "redis");

        Assert.Equal((ExitCodes.Success, "Created new proxy redis\n"), (exit, output));
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/proxies"), (request.Method, request.Path));
        Assert.Equal("""{"name":"redis","listen":"127.0.0.1:26379","upstream":"127.0.0.1:6379","enabled":true}""", request.Body);
    }

    [Fact(Timeout = 30_000)]
    public async Task Create_Duplicate_PrintsTheServerErrorAndExitsOne()
    {
        await using var server = await FakeToxiproxy.StartAsync((409, "{\"error\":\"proxy already exists\",\"status\":409}\n"));

        var (exit, output, error) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "new", "redis", "--listen", "127.0.0.1:26379", "--upstream", "127.0.0.1:6379");

        Assert.Equal((ExitCodes.Failed, "", "error: proxy already exists\n"), (exit, output, error));
    }

    [Fact(Timeout = 30_000)]
    public async Task Toggle_EnabledProxy_PatchesEnabledFalseOnly()
    {
        await using var server = await FakeToxiproxy.StartAsync((200, Redis), (200, RedisDisabled));

        var (exit, output, _) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "toggle", "redis");

        Assert.Equal((ExitCodes.Success, "Proxy redis is now disabled\n"), (exit, output));
        Assert.Equal(
            [new("GET", "/proxies/redis", "", ""), new("PATCH", "/proxies/redis", """{"enabled":false}""", "")],
            server.Requests.Select(request => request with { UserAgent = "" }));
    }

    [Fact(Timeout = 30_000)]
    public async Task Delete_SendsDeleteAndConfirms()
    {
        await using var server = await FakeToxiproxy.StartAsync((204, ""));

        var (exit, output, _) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "d", "redis");

        Assert.Equal((ExitCodes.Success, "Deleted proxy redis\n"), (exit, output));
        Assert.Equal(("DELETE", "/proxies/redis", ""), (server.Requests[0].Method, server.Requests[0].Path, server.Requests[0].Body));
    }

    [Fact(Timeout = 30_000)]
    public async Task Delete_Missing_ExitsOneWithTheServerMessage()
    {
        await using var server = await FakeToxiproxy.StartAsync((404, "{\"error\":\"proxy not found\",\"status\":404}\n"));

        var (exit, _, error) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "delete", "missing");

        Assert.Equal((ExitCodes.Failed, "error: proxy not found\n"), (exit, error));
    }

    [Fact(Timeout = 30_000)]
    public async Task ToxicAdd_NamedWithAttributes_SendsTheTranscriptBody()
    {
        await using var server = await FakeToxiproxy.StartAsync((200, Latency));

        var (exit, output, _) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "toxic", "add", "-n", "latency_downstream", "-t", "latency", "-a", "latency=1000", "-a", "jitter=0", "redis");

        Assert.Equal((ExitCodes.Success, "Added downstream latency toxic 'latency_downstream' on proxy 'redis'\n"), (exit, output));
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/proxies/redis/toxics"), (request.Method, request.Path));
        Assert.Equal("""{"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1,"attributes":{"latency":1000,"jitter":0}}""", request.Body);
    }

    [Fact(Timeout = 30_000)]
    public async Task ToxicAdd_UpstreamWithToxicityAndFlagsAfterTheProxy_LeavesTheNameToTheServer()
    {
        await using var server = await FakeToxiproxy.StartAsync((200, """{"attributes":{"timeout":100},"name":"timeout_upstream","type":"timeout","stream":"upstream","toxicity":0.5}"""));

        var (exit, output, _) = await RemoteCli.InvokeAsync(false, "cli", "t", "a", "redis", "--host", server.Url, "--type", "timeout", "--upstream", "--tox", "0.5", "--attribute", "timeout=100", "-a", "mode=fast");

        Assert.Equal((ExitCodes.Success, "Added upstream timeout toxic 'timeout_upstream' on proxy 'redis'\n"), (exit, output));
        Assert.Equal("""{"type":"timeout","stream":"upstream","toxicity":0.5,"attributes":{"timeout":100,"mode":"fast"}}""", server.Requests[0].Body);
    }

    [Fact(Timeout = 30_000)]
    public async Task ToxicAdd_BadType_ExitsOneWithTheServerMessage()
    {
        await using var server = await FakeToxiproxy.StartAsync((400, "{\"error\":\"invalid toxic type\",\"status\":400}\n"));

        var (exit, output, error) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "toxic", "add", "-t", "bogus", "redis");

        Assert.Equal((ExitCodes.Failed, "", "error: invalid toxic type\n"), (exit, output, error));
        Assert.Equal("""{"type":"bogus","stream":"downstream","toxicity":1,"attributes":{}}""", server.Requests[0].Body);
    }

    [Fact(Timeout = 30_000)]
    public async Task ToxicUpdate_AttributesOnly_KeepsTheToxicity()
    {
        await using var server = await FakeToxiproxy.StartAsync((200, Latency.Replace("1000", "250")));

        var (exit, output, _) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "toxic", "update", "-n", "latency_downstream", "-a", "latency=250", "redis");

        Assert.Equal((ExitCodes.Success, "Updated toxic 'latency_downstream' on proxy 'redis'\n"), (exit, output));
        var request = Assert.Single(server.Requests);
        Assert.Equal(("PATCH", "/proxies/redis/toxics/latency_downstream", """{"attributes":{"latency":250}}"""), (request.Method, request.Path, request.Body));
    }

    [Fact(Timeout = 30_000)]
    public async Task ToxicUpdate_ToxicityOnly_SendsNoAttributes()
    {
        await using var server = await FakeToxiproxy.StartAsync((200, Latency.Replace("\"toxicity\":1", "\"toxicity\":0.75")));

        var (exit, _, _) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "toxic", "u", "-n", "latency_downstream", "--toxicity", "0.75", "redis");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Equal("""{"toxicity":0.75}""", server.Requests[0].Body);
    }

    [Fact(Timeout = 30_000)]
    public async Task ToxicRemove_SendsDeleteAndConfirms()
    {
        await using var server = await FakeToxiproxy.StartAsync((204, ""));

        var (exit, output, _) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "toxic", "remove", "-n", "latency_downstream", "redis");

        Assert.Equal((ExitCodes.Success, "Removed toxic 'latency_downstream' on proxy 'redis'\n"), (exit, output));
        Assert.Equal(("DELETE", "/proxies/redis/toxics/latency_downstream"), (server.Requests[0].Method, server.Requests[0].Path));
    }

    [Fact(Timeout = 30_000)]
    public async Task ToxicRemove_Missing_ExitsOne()
    {
        await using var server = await FakeToxiproxy.StartAsync((404, "{\"error\":\"toxic not found\",\"status\":404}\n"));

        var (exit, _, error) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "toxic", "d", "-n", "latency_downstream", "redis");

        Assert.Equal((ExitCodes.Failed, "error: toxic not found\n"), (exit, error));
    }

    [Fact(Timeout = 30_000)]
    public async Task Names_AreEscapedInThePath()
    {
        await using var server = await FakeToxiproxy.StartAsync((204, ""));

        await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "toxic", "remove", "-n", "a/b", "my proxy");

        Assert.Equal("/proxies/my%20proxy/toxics/a%2Fb", server.Requests[0].Path);
    }

    [Fact(Timeout = 30_000)]
    public async Task NonJsonError_ShowsStatusAndFirstLine()
    {
        await using var server = await FakeToxiproxy.StartAsync((404, "404 page not found\n"));

        var (exit, _, error) = await RemoteCli.InvokeAsync(false, "cli", "--host", server.Url, "list");

        Assert.Equal((ExitCodes.Failed, "error: HTTP 404: 404 page not found\n"), (exit, error));
    }

    [Fact(Timeout = 30_000)]
    public async Task Host_FromEnvironmentWithoutScheme_IsUsedWhenNoFlag()
    {
        await using var server = await FakeToxiproxy.StartAsync((200, "{}"));
        var environment = new CliEnvironment
        {
            OutputIsTerminal = false,
            GetVariable = name => name == "TOXIPROXY_URL" ? server.Url["http://".Length..] : null,
        };

        var (exit, _, error) = await RemoteCli.InvokeAsync(environment, "cli", "list");

        Assert.Equal((ExitCodes.Success, ""), (exit, error));
        Assert.Single(server.Requests);
    }

    [Fact(Timeout = 30_000)]
    public async Task Host_FlagWinsOverEnvironment()
    {
        await using var server = await FakeToxiproxy.StartAsync((200, "{}"));
        var environment = new CliEnvironment { OutputIsTerminal = false, GetVariable = _ => "http://127.0.0.1:1" };

        var (exit, _, _) = await RemoteCli.InvokeAsync(environment, "cli", "--host", server.Url, "list");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Single(server.Requests);
    }

    [Fact(Timeout = 30_000)]
    public async Task ConnectionRefused_OneClearLineAndExitThree()
    {
        var url = "http://" + ClosedLoopbackEndpoint();

        var (exit, output, error) = await RemoteCli.InvokeAsync(false, "cli", "--host", url, "list");

        Assert.Equal((ExitCodes.RuntimeFailure, ""), (exit, output));
        Assert.StartsWith($"error: cannot reach the Chaos API at {url}: ", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact(Timeout = 30_000)]
    public async Task BadHost_ExitsTwo()
    {
        var (exit, _, error) = await RemoteCli.InvokeAsync(false, "cli", "--host", "ftp://example.org", "list");

        Assert.Equal((ExitCodes.InvalidInput, "error: --host 'ftp://example.org' is not an http:// or https:// URL.\n"), (exit, error));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("toxic", "add", "-t", "latency", "--toxicity", "1.5", "redis")]
    [InlineData("toxic", "add", "-t", "latency", "--toxicity", "lots", "redis")]
    [InlineData("toxic", "add", "-t", "latency", "-a", "latency", "redis")]
    [InlineData("toxic", "add", "-t", "latency", "--upstream", "--downstream", "redis")]
    [InlineData("toxic", "add", "-t", "latency", "--upstream", "lots", "redis")]
    [InlineData("toxic", "add", "redis")]
    [InlineData("toxic", "update", "-n", "latency_downstream", "redis")]
    [InlineData("toxic", "remove", "redis")]
    [InlineData("create", "-l", "127.0.0.1:26379", "redis")]
    [InlineData("inspect")]
    [InlineData("toxic")]
    public async Task BadFlags_ExitTwoWithoutARequest(params string[] args)
    {
        await using var server = await FakeToxiproxy.StartAsync();

        var (exit, _, error) = await RemoteCli.InvokeAsync(false, ["cli", "--host", server.Url, .. args]);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.StartsWith("error: ", error);
        Assert.Empty(server.Requests);
    }

    private static string ClosedLoopbackEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener.LocalEndpoint.ToString()!;
    }
}
