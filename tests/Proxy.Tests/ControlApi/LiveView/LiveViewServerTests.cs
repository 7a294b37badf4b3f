using System.Net;
using System.Text.Json;
using Chaos.Proxy.Cli;
using Chaos.Proxy.ControlApi.LiveView;
using Chaos.Proxy.Tests.Support;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.ControlApi.LiveView;

public sealed class LiveViewServerTests
{
    [Fact(Timeout = 30_000)]
    public async Task LiveView_Assets_AllServedFromTheExecutableWithNothingFromElsewhere()
    {
        await using var proxies = await TestProxies.StartAsync(null, TestProxies.ToBuiltin("web", BuiltinUpstream.Echo));
        await using var ui = await LiveViewServer.StartAsync(proxies.Runtime, "127.0.0.1", 0, token: null, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = ui.Uri, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0"); // a browser: the API would refuse it, the view must not

        foreach (var path in new[] { "/", "/live.css", "/live.js" })
        {
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain("http://", body);
            Assert.DoesNotContain("https://", body);
            Assert.DoesNotContain("//cdn", body);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task LiveView_WithToken_RefusesRequestsWithoutIt()
    {
        await using var proxies = await TestProxies.StartAsync(null, TestProxies.ToBuiltin("web", BuiltinUpstream.Echo));
        await using var ui = await LiveViewServer.StartAsync(proxies.Runtime, "127.0.0.1", 0, "s3cret", CancellationToken.None);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var bare = new Uri(ui.Uri.GetLeftPart(UriPartial.Authority));

        using var without = await http.GetAsync(new Uri(bare, "/live.js"));
        using var with = await http.GetAsync(ui.Uri);

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
        Assert.Contains("?token=s3cret", ui.Uri.ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task LiveView_Events_CarryTheLadderRowOfEachEvent()
    {
        await using var proxies = await TestProxies.StartAsync(null, TestProxies.ToBuiltin("web", BuiltinUpstream.Echo));
        await using var ui = await LiveViewServer.StartAsync(proxies.Runtime, "127.0.0.1", 0, token: null, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = ui.Uri, Timeout = TimeSpan.FromSeconds(20) };
        using var response = await http.GetAsync("/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith(": chaos events", await reader.ReadLineAsync());

        using var client = await Peers.ConnectAsync(proxies["web"]);

        using var accepted = await NextEventAsync(reader);
        Assert.Equal("accepted", accepted.RootElement.GetProperty("event").GetString());
        var step = accepted.RootElement.GetProperty("step");
        Assert.Equal("message", step.GetProperty("kind").GetString());
        Assert.Equal("client", step.GetProperty("from").GetString());
        Assert.Equal("chaos", step.GetProperty("to").GetString());
        Assert.Equal("connect", step.GetProperty("text").GetString());
    }

    [Fact(Timeout = 30_000)]
    public async Task LiveView_PageOpenedAfterAConnection_StillGetsThatConnectionOnce()
    {
        await using var proxies = await TestProxies.StartAsync(null, TestProxies.ToBuiltin("web", BuiltinUpstream.Echo));
        await using var ui = await LiveViewServer.StartAsync(proxies.Runtime, "127.0.0.1", 0, token: null, CancellationToken.None);
        using (var early = await Peers.ConnectAsync(proxies["web"]))
        {
            early.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await early.ReceiveAsync(new byte[16]); // the echo's EOF: the connection is over
        }
        await proxies.Events.WaitForAsync<Chaos.Proxy.Observation.ConnectionClosed>();
        using var http = new HttpClient { BaseAddress = ui.Uri, Timeout = TimeSpan.FromSeconds(20) };
        using var response = await http.GetAsync("/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var kinds = new List<string>();
        while (kinds.LastOrDefault() != "closed")
        {
            using var next = await NextEventAsync(reader);
            kinds.Add(next.RootElement.GetProperty("event").GetString()!);
        }

        Assert.Equal("accepted", kinds[0]);
        Assert.Single(kinds, kind => kind == "accepted");
    }

    private static async Task<JsonDocument> NextEventAsync(StreamReader reader)
    {
        string? line;
        do
        {
            line = await reader.ReadLineAsync();
        }
        while (line is not null && !line.StartsWith("data: ", StringComparison.Ordinal));
        Assert.NotNull(line);
        return JsonDocument.Parse(line[6..]);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("error: the live view would listen on '0.0.0.0', beyond this machine", "0.0.0.0:8475")]
    [InlineData("error: --ui takes host:port", "not-an-address")]
    public async Task RunUi_PublicWithoutTokenOrMalformed_OneLineAndExitTwo(string expected, string address)
    {
        var (exit, _, error) = await CliRun.InvokeAsync("run", "x.yaml", "--ui", address);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.StartsWith(expected, error);
    }
}
