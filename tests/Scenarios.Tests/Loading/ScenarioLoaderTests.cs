using System.Net;

namespace Chaos.Scenarios.Tests.Loading;

public sealed class ScenarioLoaderTests
{
    [Fact]
    public void LoadFile_ScenariosMdExample_LoadsEveryPart()
    {
        var result = ScenarioLoader.LoadFile(RepoPaths.Find("scenarios/examples/reset-before-server.yaml"));

        Assert.True(result.IsValid, string.Join('\n', result.Diagnostics));
        var scenario = result.Scenario;
        Assert.Equal(42, scenario.Seed);
        Assert.Equal(TimeSpan.FromSeconds(30), scenario.Duration);
        var web = Assert.Single(scenario.Proxies);
        Assert.Equal(new HostPort("127.0.0.1", 8080), web.Listen);
        Assert.Equal("127.0.0.1:8000", web.Upstream.ToString());
        Assert.Equal(["reset-second", "latency_downstream"], web.Toxics.Select(toxic => toxic.Name));
        var reset = web.Toxics[0];
        Assert.Equal(ToxicStream.Upstream, reset.Stream);
        Assert.True(reset.Where.Matches(2, IPAddress.Loopback));
        Assert.False(reset.Where.Matches(1, IPAddress.Loopback));
        Assert.Equal(TimeSpan.FromMilliseconds(200), web.Toxics[1].Attributes.GetDuration("latency"));
        Assert.Equal(4, scenario.Timeline.Length);
        Assert.IsType<AddToxicAction>(scenario.Timeline[0].Action);
        Assert.Equal(3, scenario.Expectations.Length);
        Assert.Equal("web", scenario.Expectations[2].Proxy);
    }

    [Fact]
    public void LoadFile_ToxiproxyProxiesArray_BecomesProxies()
    {
        var result = ScenarioLoader.LoadFile(RepoPaths.Find("scenarios/examples/toxiproxy-compat.json"));

        Assert.True(result.IsValid, string.Join('\n', result.Diagnostics));
        Assert.Equal(["redis", "web_dev_mysql_1"], result.Scenario.Proxies.Select(proxy => proxy.Name));
        Assert.False(result.Scenario.Proxies[1].Enabled);
        Assert.Equal("[::1]:13306", result.Scenario.Proxies[1].Listen.ToString());
        Assert.Equal(0.5, result.Scenario.Proxies[0].Toxics[1].Toxicity);
    }

    [Fact]
    public void LoadText_ProxyWithDefaults_FillsToxiproxyDefaults()
    {
        var result = ScenarioLoader.LoadText("""
            proxies:
              - name: db
                upstream: builtin:echo
                toxics:
                  - type: latency
            """, "test.yaml");

        Assert.True(result.IsValid, string.Join('\n', result.Diagnostics));
        var proxy = Assert.Single(result.Scenario.Proxies);
        Assert.True(proxy.Enabled);
        Assert.Equal(ProxySpec.DefaultListen, proxy.Listen);
        Assert.Equal(BuiltinUpstream.Echo, proxy.Upstream.Builtin);
        var toxic = Assert.Single(proxy.Toxics);
        Assert.Equal("latency_downstream", toxic.Name);
        Assert.Equal(1.0, toxic.Toxicity);
        Assert.Equal(0, toxic.Attributes.GetNumber("jitter"));
    }

    [Fact]
    public void LoadFile_MissingFile_ReportsWithoutThrowing()
    {
        var result = ScenarioLoader.LoadFile("/nonexistent/chaos.yaml");

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.FileUnreadable, diagnostic.Code);
        Assert.Null(result.Scenario);
    }

    [Fact(Timeout = 10_000)]
    public async Task LoadFile_EndlessDevice_TooLargeWithoutReadingForEver()
    {
        var result = await Task.Run(() => ScenarioLoader.LoadFile("/dev/zero"));

        Assert.Equal(DiagnosticCodes.FileTooLarge, Assert.Single(result.Diagnostics).Code);
    }
}
