using System.Collections.Immutable;
using System.Net;
using Chaos.Proxy.Engine;
using Chaos.Scenarios;

namespace Chaos.Proxy.Tests.Support;

/// <summary>Starts real proxies on loopback for a test, with every event recorded.</summary>
internal sealed class TestProxies : IAsyncDisposable
{
    private readonly ChaosRuntime _runtime;

    private TestProxies(ChaosRuntime runtime, EventLog events)
    {
        _runtime = runtime;
        Events = events;
    }

    public EventLog Events { get; }

    public ChaosRuntime Runtime => _runtime;

    public static ProxySpec To(string name, IPEndPoint upstream, string listenHost = "127.0.0.1") =>
        new(name, new HostPort(listenHost, 0), new UpstreamSpec(new HostPort(upstream.Address.ToString(), upstream.Port), null), true, []);

    public static ProxySpec ToBuiltin(string name, BuiltinUpstream builtin) =>
        new(name, new HostPort("127.0.0.1", 0), new UpstreamSpec(null, builtin), true, []);

    public static Task<TestProxies> StartAsync(RelayOptions? options = null, params ProxySpec[] proxies) =>
        StartAsync(ScenarioOf(proxies), options);

    /// <summary>A scenario of just these proxies: no seed, timeline or expectations.</summary>
    public static Scenario ScenarioOf(params ProxySpec[] proxies) => new(1, "test", null, null, null, [.. proxies], [], []);

    public static Task<TestProxies> StartAsync(RelayOptions? options, long seed, params ProxySpec[] proxies) =>
        StartAsync(new Scenario(1, "test", null, seed, null, [.. proxies], [], []), options);

    public static async Task<TestProxies> StartAsync(Scenario scenario, RelayOptions? options = null)
    {
        var events = new EventLog();
        var runtime = await ChaosRuntime.StartAsync(scenario, [events], options ?? new RelayOptions(), TimeProvider.System);
        return new TestProxies(runtime, events);
    }

    /// <summary>One proxy named "web" in front of a test's own listening socket, with toxics written in Toxiproxy's shape (YAML flow or JSON).</summary>
    public static Task<TestProxies> InFrontOfAsync(System.Net.Sockets.Socket server, params string[] toxics) =>
        StartAsync(null, To("web", (IPEndPoint)server.LocalEndPoint!) with { Toxics = [.. toxics.Select(Toxic)] });

    /// <summary>A toxic through the same loader as the HTTP API's bodies, e.g. <c>{type: latency, attributes: {latency: 100}}</c>.</summary>
    public static ToxicSpec Toxic(string text)
    {
        var loaded = ScenarioLoader.LoadToxic(text, "test toxic");
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Diagnostics));
        return loaded.Value;
    }

    public IPEndPoint this[string name] => _runtime.Registry.Find(name)!.ListenEndPoint!;

    public ValueTask DisposeAsync() => _runtime.DisposeAsync();
}
