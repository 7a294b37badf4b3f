namespace Chaos.Scenarios.Tests.Binding;

public sealed class AttributeBinderTests
{
    [Theory]
    [InlineData("latency", "latency", "200", 200)]
    [InlineData("latency", "latency", "200ms", 200)]
    [InlineData("latency", "latency", "1.5s", 1500)]
    [InlineData("timeout", "timeout", "\"2m\"", 120_000)]
    [InlineData("slicer", "delay", "2ms", 2000)]
    [InlineData("slicer", "delay", "250us", 250)]
    [InlineData("bandwidth", "rate", "10", 10)]
    public void LoadToxic_DurationStrings_BecomeToxiproxyUnits(string type, string attribute, string value, long expected)
    {
        var extra = type == "slicer" && attribute != "average_size" ? ", average_size: 100" : string.Empty;

        var result = ScenarioLoader.LoadToxic($"{{ type: {type}, attributes: {{ {attribute}: {value}{extra} }} }}", "body");

        Assert.True(result.IsValid, string.Join('\n', result.Diagnostics));
        Assert.Equal(expected, result.Value.Attributes.GetNumber(attribute));
    }

    [Fact]
    public void LoadToxic_ToxiproxyJsonBody_KeepsShapeAndFillsDefaults()
    {
        var result = ScenarioLoader.LoadToxic("""{"name":"t_up","type":"timeout","stream":"Upstream","toxicity":0.5,"attributes":{"timeout":100}}""", "body");

        Assert.True(result.IsValid, string.Join('\n', result.Diagnostics));
        Assert.Equal(("t_up", "timeout", ToxicStream.Upstream, 0.5), (result.Value.Name, result.Value.Type, result.Value.Stream, result.Value.Toxicity));
        Assert.Equal(TimeSpan.FromMilliseconds(100), result.Value.Attributes.GetDuration("timeout"));
    }

    [Fact]
    public void LoadToxic_ChoiceAttribute_DefaultsToFirstChoice()
    {
        var result = ScenarioLoader.LoadToxic("{ type: connect_fail }", "body");

        Assert.True(result.IsValid, string.Join('\n', result.Diagnostics));
        Assert.Equal("reset", result.Value.Attributes.GetChoice("with"));
        Assert.Equal("connect_fail_downstream", result.Value.Name);
    }

    [Fact]
    public void LoadToxic_OptionalWithoutDefault_IsAbsent()
    {
        var result = ScenarioLoader.LoadToxic("{ type: syn_drop }", "body");

        Assert.True(result.IsValid, string.Join('\n', result.Diagnostics));
        Assert.Null(result.Value.Attributes.GetDuration("release_after"));
    }

    [Fact]
    public void LoadProxy_ToxiproxyBody_BecomesProxySpec()
    {
        var result = ScenarioLoader.LoadProxy("""{"name":"redis","listen":"127.0.0.1:26379","upstream":"localhost:6379","enabled":false}""", "body");

        Assert.True(result.IsValid, string.Join('\n', result.Diagnostics));
        Assert.Equal(("redis", "127.0.0.1:26379", "localhost:6379", false),
            (result.Value.Name, result.Value.Listen.ToString(), result.Value.Upstream.ToString(), result.Value.Enabled));
    }

    [Fact]
    public void LoadProxy_BadBody_ReportsAgainstTheSourceName()
    {
        var result = ScenarioLoader.LoadProxy("""{"name":"redis","upstream":"nowhere"}""", "request body");

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.StartsWith("request body(1,28): error CHAOS204", diagnostic.ToString(), StringComparison.Ordinal);
    }
}
