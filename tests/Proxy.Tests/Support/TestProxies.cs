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

    public static async Task<TestProxies> StartAsync(RelayOptions? options = null, params ProxySpec[] proxies)
    {
        var events = new EventLog();
        var scenario = new Scenario(1, "test", null, null, null, [.. proxies], [], []);
        var runtime = await ChaosRuntime.StartAsync(scenario, [events], options ?? new RelayOptions(), TimeProvider.System);
        return new TestProxies(runtime, events);
    }

    /// <summary>One proxy named <paramref name="name"/> in front of a test's own listening socket.</summary>
    public static Task<TestProxies> InFrontOfAsync(System.Net.Sockets.Socket server, string name = "web") =>
        StartAsync(null, To(name, (IPEndPoint)server.LocalEndPoint!));

    public IPEndPoint this[string name] => _runtime.Registry.Find(name)!.ListenEndPoint!;

    public ValueTask DisposeAsync() => _runtime.DisposeAsync();
}
