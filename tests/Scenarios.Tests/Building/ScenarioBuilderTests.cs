namespace Chaos.Scenarios.Tests.Building;

public sealed class ScenarioBuilderTests
{
    [Fact]
    public void Build_EveryPart_GivesTheSameModelAsTheYamlReader()
    {
        var built = new ScenarioBuilder("retry")
            .Description("two resets, then service")
            .Seed(42)
            .Duration(TimeSpan.FromSeconds(30))
            .Proxy("web", "builtin:http", web => web
                .Listen("127.0.0.1:0")
                .Toxic("accept_reset", reset => reset.Name("reset").Connections("1-2").Clients("127.0.0.1/32"))
                .Toxic("latency", latency => latency.Stream(ToxicStream.Upstream).Toxicity(0.5)
                    .Attribute("latency", TimeSpan.FromMilliseconds(250)).Attribute("jitter", 20)))
            .Proxy("db", "127.0.0.1:5432", db => db.Disabled().Toxic("connect_fail", fail => fail.Attribute("with", "close")))
            .AddToxicAt(TimeSpan.FromSeconds(10), "web", "bandwidth", slow => slow.Name("slow").Attribute("rate", 10))
            .RemoveToxicAt(TimeSpan.FromSeconds(20), "web", "slow")
            .DisableAt(TimeSpan.FromSeconds(25), "web")
            .EnableAt(TimeSpan.FromSeconds(28), "web")
            .Expect("web.client.retries >= 1")
            .Build();

        var read = ScenarioLoader.LoadText("""
            version: 1
            name: retry
            description: two resets, then service
            seed: 42
            duration: 30s
            proxies:
              - name: web
                listen: 127.0.0.1:0
                upstream: builtin:http
                toxics:
                  - {name: reset, type: accept_reset, where: {connections: "1-2", clients: [127.0.0.1/32]}}
                  - {type: latency, stream: upstream, toxicity: 0.5, attributes: {latency: 250ms, jitter: 20}}
              - name: db
                upstream: 127.0.0.1:5432
                enabled: false
                toxics:
                  - {type: connect_fail, attributes: {with: close}}
            timeline:
              - {at: 10s, add: {proxy: web, toxic: {name: slow, type: bandwidth, attributes: {rate: 10}}}}
              - {at: 20s, remove: {proxy: web, toxic: slow}}
              - {at: 25s, disable: web}
              - {at: 28s, enable: web}
            expect:
              - web.client.retries >= 1
            """, "same.yaml");

        Assert.True(read.IsValid, string.Join('\n', read.Diagnostics));
        Assert.Equal(Describe(read.Scenario), Describe(built));
    }

    [Fact]
    public void Build_BrokenScenario_ThrowsWithEveryProblemAndItsHint()
    {
        var builder = new ScenarioBuilder()
            .Proxy("web", "builtin:gopher", web => web.Toxic("latency", latency => latency.Toxicity(3)))
            .Expect("client.retriez > 1");

        var error = Assert.Throws<InvalidScenarioException>(builder.Build);

        Assert.Equal(3, error.Diagnostics.Count);
        Assert.All(error.Diagnostics, diagnostic => Assert.Contains(diagnostic.ToString(), error.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void ToxicBuilder_Build_ValidatesOnItsOwn()
    {
        var toxic = new ToxicBuilder("slicer").Attribute("average_size", 64).Build();

        Assert.Equal(("slicer_downstream", 64L), (toxic.Name, toxic.Attributes.GetNumber("average_size")));
        Assert.Throws<InvalidScenarioException>(() => new ToxicBuilder("latency").Attribute("latency", -5).Build());
    }

    /// <summary>The model with its collections spelled out, since records compare immutable arrays by reference.</summary>
    private static string Describe(Scenario scenario) => string.Join('\n',
        [
            $"{scenario.Version} {scenario.Name} {scenario.Description} {scenario.Seed} {scenario.Duration}",
            .. scenario.Proxies.Select(proxy =>
                $"{proxy.Name} {proxy.Listen} {proxy.Upstream} {proxy.Enabled} {string.Join("; ", proxy.Toxics.Select(Describe))}"),
            .. scenario.Timeline.Select(step => step.Action is AddToxicAction add
                ? $"{step.At} add {add.Proxy} {Describe(add.Toxic)}"
                : $"{step.At} {step.Action}"),
            .. scenario.Expectations.Select(expectation => expectation.ToString()),
        ]);

    private static string Describe(ToxicSpec toxic) =>
        $"{toxic.Name} {toxic.Type} {toxic.Stream} {toxic.Toxicity} " +
        $"{string.Join(',', toxic.Attributes.Select(a => $"{a.Key}={a.Value}"))} {toxic.Where.Connections} {toxic.Where.Clients}";
}
