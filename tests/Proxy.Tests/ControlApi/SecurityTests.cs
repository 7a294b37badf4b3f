using System.Net;
using System.Net.Sockets;
using System.Text;
using Chaos.Proxy.Cli;
using Chaos.Proxy.ControlApi;
using Chaos.Proxy.ControlApi.Extensions;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.ControlApi.Extensions;
using Chaos.Proxy.Tests.Support;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.ControlApi;

/// <summary>The guards of the control surfaces (README, "Threat model"): one test per guard not covered elsewhere.</summary>
public sealed class SecurityTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("::1")]
    [InlineData("[::1]")]
    public void ApiHost_Loopback_NoTokenNeeded(string host) => Assert.Null(ApiHosting.Refusal(host, token: null, insecure: false));

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("192.168.1.10")]
    [InlineData("localhost.example.com")]
    [InlineData("myhost")]
    public void ApiHost_BeyondLoopback_RefusedWithoutTokenOrOptOut(string host)
    {
        Assert.NotNull(ApiHosting.Refusal(host, token: null, insecure: false));
        Assert.Null(ApiHosting.Refusal(host, token: "s3cret", insecure: false));
        Assert.Null(ApiHosting.Refusal(host, token: null, insecure: true));
    }

    [Fact(Timeout = 60_000)]
    public async Task Serve_PublicHostWithoutToken_ExitsWithoutListening()
    {
        var (exit, _, error) = await CliRun.InvokeAsync("serve", "-host", "0.0.0.0", "-port", "0");

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("--api-token", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task ScenarioPost_OverCap_413AndNothingApplied()
    {
        await using var api = await ChaosApiHarness.StartAsync(options: new ControlApiOptions("127.0.0.1", 0) { MaxBodyBytes = 4096 });
        var body = "proxies:\n  - name: big\n    upstream: 127.0.0.1:1\n    description: " + new string('x', 8000) + "\n";

        var (status, _, _) = await api.SendAsync("POST", "/chaos/scenario", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Null(api.Proxies.Runtime.Registry.Find("big"));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("/etc/passwd")]
    [InlineData("proxies: !include /etc/passwd\n")]
    [InlineData("proxies:\n  - name: a\n    upstream: file:///etc/passwd\n")]
    [InlineData("proxies:\n  - name: a\n    upstream: 127.0.0.1:1\n    config: ../../etc/passwd\n")]
    [InlineData("$ref: /etc/passwd\n")]
    public async Task ScenarioPost_DocumentNamingAFile_400AndTheFileIsNeverRead(string body)
    {
        await using var api = await ChaosApiHarness.StartAsync();

        var (status, text, _) = await api.SendAsync("POST", "/chaos/scenario", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.DoesNotContain("root:", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ScenarioFormat_NoKeyTakesAFilePath()
    {
        // The only file a scenario causes to be read is itself, named on the command line (-config, run <file>):
        // no include, no reference, no key whose value is a path. A new key that took one would show up here.
        var schema = ScenarioSchema.Generate();

        Assert.DoesNotContain("\"path\"", schema, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"file\"", schema, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("include", schema, StringComparison.OrdinalIgnoreCase);
    }

    [Fact(Timeout = 30_000)]
    public async Task BuiltinHttp_ProxyStyleRequests_NeverDialElsewhere()
    {
        using var elsewhere = Peers.Listen();
        var target = (IPEndPoint)elsewhere.LocalEndPoint!;
        await using var proxies = await TestProxies.StartAsync(null, TestProxies.ToBuiltin("web", BuiltinUpstream.Http));
        using var client = await Peers.ConnectAsync(proxies["web"]);

        await Peers.SendAllAsync(client, Encoding.ASCII.GetBytes(
            $"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\nGET http://{target}/ HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n"));
        client.Shutdown(SocketShutdown.Send);
        await Peers.ReadToEndAsync(client);

        using var nothing = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await elsewhere.AcceptAsync(nothing.Token));
        Assert.All(proxies.Events.OfType<UpstreamConnecting>(), e => Assert.DoesNotContain(target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Target, StringComparison.Ordinal));
    }
}
