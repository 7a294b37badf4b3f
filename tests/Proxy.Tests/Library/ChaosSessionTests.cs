using System.Diagnostics;
using System.Net.Sockets;
using Chaos.Proxy.Observation;
using Chaos.Proxy.Tests.Support;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.Library;

/// <summary>The in-process API as a resilience test uses it: start, point a client at the proxy, change toxics, wait, assert.</summary>
public sealed class ChaosSessionTests
{
    private const string EchoScenario = """
        proxies:
          - name: echo
            upstream: builtin:echo
        expect:
          - echo.connections.total == 1
        """;

    [Fact(Timeout = 30_000)]
    public async Task StartFromYamlAsync_PortZero_ProxyReportsItsBoundAddressAndRelays()
    {
        await using var chaos = await ChaosSession.StartFromYamlAsync(EchoScenario);
        var echo = chaos.Proxy("echo");

        Assert.NotEqual(0, echo.EndPoint.Port);
        Assert.Equal($"127.0.0.1:{echo.EndPoint.Port}", echo.Address);
        Assert.Equal("ping", await EchoAsync(echo, "ping"));
    }

    [Fact(Timeout = 30_000)]
    public async Task StartFromFileAsync_ExampleScenario_StartsItsProxies()
    {
        using var scratch = new ScratchDirectory();
        var path = scratch.Write("echo.yaml", EchoScenario);

        await using var chaos = await ChaosSession.StartFromFileAsync(path);

        Assert.Equal(["echo"], chaos.Proxies.Select(proxy => proxy.Name));
    }

    [Fact(Timeout = 30_000)]
    public async Task StartFromYamlAsync_InvalidScenario_ThrowsWithEveryProblem()
    {
        var error = await Assert.ThrowsAsync<InvalidScenarioException>(() => ChaosSession.StartFromYamlAsync("""
            proxies:
              - name: web
                upstream: builtin:echo
                toxics:
                  - type: latencyy
                  - type: latency
                    toxicity: 2
            """));

        Assert.Equal(2, error.Diagnostics.Count);
        Assert.Contains("latencyy", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Proxy_UnknownName_ThrowsNamingTheKnownOnes()
    {
        await using var chaos = await ChaosSession.StartFromYamlAsync(EchoScenario);

        var error = Assert.Throws<ArgumentException>(() => chaos.Proxy("web"));

        Assert.Contains("echo", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task AddUpdateRemoveToxic_WhileRunning_EachChangeActsOnTheNextConnection()
    {
        await using var chaos = await ChaosSession.StartAsync(new ScenarioBuilder().Proxy("echo", "builtin:echo").Build());
        var echo = chaos.Proxy("echo");

        await echo.AddToxicAsync("accept_close", toxic => toxic.Name("shut"));
        Assert.Null(await TryEchoAsync(echo, "a"));
        await echo.UpdateToxicAsync("{name: shut, type: latency, attributes: {latency: 600}}");
        var clock = Stopwatch.StartNew();
        Assert.Equal("b", await EchoAsync(echo, "b"));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(590), $"took {clock.Elapsed}");
        await echo.RemoveToxicAsync("shut");

        Assert.Empty(echo.Toxics);
        Assert.Equal("c", await EchoAsync(echo, "c"));
    }

    [Fact(Timeout = 30_000)]
    public async Task AddToxicAsync_DuplicateName_ThrowsRegistryException()
    {
        await using var chaos = await ChaosSession.StartAsync(new ScenarioBuilder()
            .Proxy("echo", "builtin:echo", echo => echo.Toxic("noop", toxic => toxic.Name("n")))
            .Build());

        var error = await Assert.ThrowsAsync<RegistryException>(() => chaos.Proxy("echo").AddToxicAsync("{name: n, type: noop}"));

        Assert.Equal(RegistryError.ToxicExists, error.Error);
    }

    [Fact(Timeout = 30_000)]
    public async Task WaitForEventsAsync_ConnectionsAccepted_ReturnsOnceTheyHappen()
    {
        await using var chaos = await ChaosSession.StartFromYamlAsync(EchoScenario);
        var waiting = chaos.WaitForEventsAsync<ConnectionAccepted>(3, "echo");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("x", await EchoAsync(chaos.Proxy("echo"), "x"));
        }
        await waiting;

        Assert.Equal(3, chaos.Events.OfType<ConnectionAccepted>().Count());
    }

    [Fact(Timeout = 30_000)]
    public async Task WaitForAsync_ConditionNeverHolds_ThrowsTimeoutException()
    {
        await using var chaos = await ChaosSession.StartFromYamlAsync(EchoScenario);

        await Assert.ThrowsAsync<TimeoutException>(() =>
            chaos.WaitForAsync(events => events.OfType<ConnectionAccepted>().Any(), TimeSpan.FromMilliseconds(300)));
    }

    [Fact(Timeout = 30_000)]
    public async Task ReportAndExpectations_AfterStop_DescribeTheWholeSession()
    {
        var chaos = await ChaosSession.StartFromYamlAsync(EchoScenario);
        Assert.Equal("hello", await EchoAsync(chaos.Proxy("echo"), "hello"));
        await chaos.WaitForEventsAsync<ConnectionClosed>(1);

        await chaos.DisposeAsync();

        var total = chaos.Report().Total;
        Assert.Equal((1, 5, 5), (total.ConnectionsTotal, total.BytesUpstream, total.BytesDownstream));
        Assert.True(Assert.Single(chaos.EvaluateExpectations()).Passed);
        var judged = chaos.Evaluate("echo.client.fins == 1", "connections.total > 1");
        Assert.Equal([true, false], judged.Select(result => result.Passed));
        Assert.Throws<ArgumentException>(() => chaos.Evaluate("client.retriez > 1"));
    }

    private static async Task<string> EchoAsync(ChaosProxy proxy, string text) =>
        await TryEchoAsync(proxy, text) ?? throw new InvalidOperationException("the proxy closed the connection");

    /// <summary>Sends <paramref name="text"/>, half-closes, reads to the end; null when the proxy ended the connection first.</summary>
    private static async Task<string?> TryEchoAsync(ChaosProxy proxy, string text)
    {
        using var client = await Peers.ConnectAsync(proxy.EndPoint);
        try
        {
            await Peers.SendAllAsync(client, System.Text.Encoding.ASCII.GetBytes(text));
            client.Shutdown(SocketShutdown.Send);
            var received = await Peers.ReadToEndAsync(client);
            return received.Length == 0 ? null : System.Text.Encoding.ASCII.GetString(received);
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
