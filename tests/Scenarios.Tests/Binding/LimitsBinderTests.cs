namespace Chaos.Scenarios.Tests.Binding;

public sealed class LimitsBinderTests
{
    [Fact]
    public void Load_ProxyWithLimits_LimitsBound()
    {
        var result = ScenarioLoader.LoadText(
            "proxies:\n  - name: a\n    upstream: 127.0.0.1:1\n    max_connections: 100\n    over_limit: refuse\n    idle_timeout: 30s\n", "limits.yaml");

        Assert.True(result.IsValid, string.Join("; ", result.Diagnostics));
        Assert.Equal(new ProxyLimits(100, OverLimitAction.Refuse, TimeSpan.FromSeconds(30)), result.Scenario!.Proxies[0].Limits);
    }

    [Fact]
    public void Load_ProxyWithoutLimits_NoLimits()
    {
        var result = ScenarioLoader.LoadText("[{\"name\": \"a\", \"upstream\": \"127.0.0.1:1\"}]", "toxiproxy.json");

        Assert.True(result.IsValid, string.Join("; ", result.Diagnostics));
        Assert.Equal(ProxyLimits.None, result.Scenario!.Proxies[0].Limits);
    }
}
