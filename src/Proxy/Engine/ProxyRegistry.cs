using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Builtins;
using Chaos.Proxy.Observation;
using Chaos.Scenarios;

namespace Chaos.Proxy.Engine;

/// <summary>
/// The named proxies of a run, and the one path through which anything starts, changes or stops one.
/// Control operations are serialised among themselves; readers see an immutable snapshot and never wait,
/// and no control operation waits on a connection (live connections keep what they started with).
/// </summary>
internal sealed class ProxyRegistry : IAsyncDisposable
{
    private readonly EventBus _bus;
    private readonly RelayOptions _options;
    private readonly long _seed;
    private readonly SemaphoreSlim _control = new(1, 1);
    private ImmutableDictionary<string, RunningProxy> _proxies = ImmutableDictionary<string, RunningProxy>.Empty;

    internal ProxyRegistry(EventBus bus, RelayOptions options, long seed)
    {
        _bus = bus;
        _options = options;
        _seed = seed;
    }

    public IReadOnlyCollection<RunningProxy> Proxies => Volatile.Read(ref _proxies).Values.ToList();

    public RunningProxy? Find(string name) => Volatile.Read(ref _proxies).GetValueOrDefault(name);

    /// <summary>Starts a proxy. Throws <see cref="ProxyStartException"/> when its address cannot be bound.</summary>
    public Task<RunningProxy> StartAsync(ProxySpec spec) => UnderControlAsync(async () =>
    {
        if (_proxies.ContainsKey(spec.Name))
        {
            throw new RegistryException(RegistryError.ProxyExists, $"proxy '{spec.Name}' already exists");
        }
        return await LaunchAsync(spec);
    });

    /// <summary>Stops a proxy: its listener closes, its connections get a FIN and drain. False if there is no such proxy.</summary>
    public Task<bool> StopAsync(string name) => UnderControlAsync(async () =>
    {
        if (!_proxies.TryGetValue(name, out var proxy))
        {
            return false;
        }
        Volatile.Write(ref _proxies, _proxies.Remove(name));
        await ShutDownAsync(proxy);
        return true;
    });

    /// <summary>
    /// Makes the running proxies match <paramref name="specs"/>: starts new ones, stops removed ones, and
    /// changes the others in place without dropping their live connections. Returns one line per proxy
    /// that could not be started or changed (that proxy keeps running as it was).
    /// </summary>
    public Task<IReadOnlyList<string>> ApplyAsync(IReadOnlyList<ProxySpec> specs) => UnderControlAsync(async () =>
    {
        var problems = new List<string>();
        foreach (var removed in _proxies.Keys.Except(specs.Select(spec => spec.Name)).ToList())
        {
            var proxy = _proxies[removed];
            Volatile.Write(ref _proxies, _proxies.Remove(removed));
            await ShutDownAsync(proxy);
        }
        foreach (var spec in specs)
        {
            try
            {
                await (_proxies.TryGetValue(spec.Name, out var running) ? UpdateAsync(running, spec) : LaunchAsync(spec));
            }
            catch (ProxyStartException ex)
            {
                problems.Add(ex.Message);
            }
        }
        return (IReadOnlyList<string>)problems;
    });

    /// <summary>
    /// Changes a proxy in place (listen, upstream, enabled, toxics) without dropping its live connections, as
    /// Toxiproxy's proxy update does. Throws <see cref="RegistryException"/> for an unknown proxy and
    /// <see cref="ProxyStartException"/> when a new listen address cannot be bound (the proxy stays as it was).
    /// </summary>
    public Task<RunningProxy> UpdateProxyAsync(ProxySpec spec) => UnderControlAsync(async () =>
    {
        var running = Get(spec.Name);
        await UpdateAsync(running, spec);
        return running;
    });

    /// <summary>Toxiproxy's reset: every proxy enabled again and every toxic removed.</summary>
    public Task ResetAsync() => UnderControlAsync(async () =>
    {
        foreach (var running in _proxies.Values)
        {
            await UpdateAsync(running, running.Spec with { Enabled = true, Toxics = [] });
        }
        return true;
    });

    /// <summary>Adds a toxic to a proxy; live connections meet it at their next hook.</summary>
    public Task AddToxicAsync(string proxy, ToxicSpec toxic) => ChangeToxicsAsync(proxy, toxics =>
        toxics.Any(t => t.Name == toxic.Name)
            ? throw new RegistryException(RegistryError.ToxicExists, $"toxic '{toxic.Name}' already exists on proxy '{proxy}'")
            : toxics.Add(toxic));

    /// <summary>Replaces a toxic of the same name; a toxic of the same type keeps its per-connection rolls.</summary>
    public Task UpdateToxicAsync(string proxy, ToxicSpec toxic) => ChangeToxicsAsync(proxy, toxics =>
        toxics.SetItem(IndexOf(toxics, proxy, toxic.Name), toxic));

    /// <summary>Removes a toxic; whatever it held (a hang, a FIN, delayed data) goes on at once.</summary>
    public Task RemoveToxicAsync(string proxy, string toxic) => ChangeToxicsAsync(proxy, toxics =>
        toxics.RemoveAt(IndexOf(toxics, proxy, toxic)));

    /// <summary>Disabling closes the listener and its connections (as in Toxiproxy); enabling listens again.</summary>
    public Task SetEnabledAsync(string proxy, bool enabled) => UnderControlAsync(async () =>
    {
        var running = Get(proxy);
        await UpdateAsync(running, running.Spec with { Enabled = enabled });
        return true;
    });

    private Task<bool> ChangeToxicsAsync(string proxy, Func<ImmutableArray<ToxicSpec>, ImmutableArray<ToxicSpec>> change) => UnderControlAsync(() =>
    {
        var running = Get(proxy);
        var spec = running.Spec with { Toxics = change(running.Spec.Toxics) };
        running.UpdateSpec(spec);
        running.Context.Toxics.Publish(spec.Toxics);
        return Task.FromResult(true);
    });

    private RunningProxy Get(string proxy) => _proxies.TryGetValue(proxy, out var running)
        ? running
        : throw new RegistryException(RegistryError.ProxyNotFound, $"proxy '{proxy}' not found");

    private static int IndexOf(ImmutableArray<ToxicSpec> toxics, string proxy, string name)
    {
        var index = toxics.IndexOf(toxics.FirstOrDefault(t => t.Name == name)!);
        return index >= 0 ? index : throw new RegistryException(RegistryError.ToxicNotFound, $"toxic '{name}' not found on proxy '{proxy}'");
    }

    private async Task<RunningProxy> LaunchAsync(ProxySpec spec)
    {
        var builtin = StartBuiltin(spec);
        var context = CreateContext(spec, builtin, previous: null);
        context.Toxics.Publish(spec.Toxics);
        try
        {
            var proxy = new RunningProxy(spec, context, spec.Enabled ? Listen(spec, context) : null, builtin);
            Volatile.Write(ref _proxies, _proxies.Add(spec.Name, proxy));
            return proxy;
        }
        catch (ProxyStartException)
        {
            await DisposeUnusedAsync(builtin);
            throw;
        }
    }

    private async Task UpdateAsync(RunningProxy proxy, ProxySpec spec)
    {
        var upstreamChanged = proxy.Spec.Upstream != spec.Upstream;
        var builtin = upstreamChanged ? StartBuiltin(spec) : proxy.Builtin;
        var context = (upstreamChanged ? CreateContext(spec, builtin, proxy.Context) : proxy.Context) with { Limits = spec.Limits };

        ProxyListener? listener = null;
        if (!spec.Enabled)
        {
            await proxy.CloseListenerAsync();
        }
        else
        {
            try
            {
                listener = proxy.Listener is { } current && IsBoundTo(current, spec.Listen)
                    ? current
                    : Listen(spec, context, proxy.LastBound);
            }
            catch (ProxyStartException) when (upstreamChanged)
            {
                await DisposeUnusedAsync(builtin);
                throw;
            }
            listener.Retarget(context);
        }
        await proxy.ReplaceAsync(spec, context, listener, builtin);
        context.Toxics.Publish(spec.Toxics);
    }

    /// <summary>True when the listener already has that address: <c>localhost:8080</c> is what <c>127.0.0.1:8080</c> bound, and port 0 takes whatever port it got.</summary>
    private static bool IsBoundTo(ProxyListener listener, HostPort listen)
    {
        IPEndPoint wanted;
        try
        {
            wanted = EndPoints.ForListen(listen);
        }
        catch (SocketException)
        {
            return false; // a name that no longer resolves: Listen reports it
        }
        var bound = listener.LocalEndPoint;
        return wanted.Address.Equals(bound.Address) && (wanted.Port == 0 || wanted.Port == bound.Port);
    }

    private static BuiltinServer? StartBuiltin(ProxySpec spec) =>
        spec.Upstream.Builtin is { } kind ? BuiltinServer.Start(kind) : null;

    private static async Task DisposeUnusedAsync(BuiltinServer? builtin)
    {
        if (builtin is not null)
        {
            await builtin.DisposeAsync();
        }
    }

    /// <summary>A context for new connections; a changed proxy keeps its connection ordinals and its toxic board.</summary>
    private ProxyContext CreateContext(ProxySpec spec, BuiltinServer? builtin, ProxyContext? previous)
    {
        EndPoint upstream = builtin?.EndPoint ?? EndPoints.ForDial(spec.Upstream.Address!.Value);
        return new ProxyContext(spec.Name, upstream, spec.Upstream.ToString(), _bus, _options,
            previous?.Counter ?? new ConnectionCounter(), previous?.Toxics ?? new ToxicBoard(), _seed) { Limits = spec.Limits };
    }

    /// <summary>Binds the spec's address; for port 0, the port this proxy had before (<paramref name="lastBound"/>), as a re-enabled Toxiproxy proxy keeps its port.</summary>
    private ProxyListener Listen(ProxySpec spec, ProxyContext context, IPEndPoint? lastBound = null)
    {
        try
        {
            var address = EndPoints.ForListen(spec.Listen);
            if (address.Port == 0 && lastBound is not null && lastBound.Address.Equals(address.Address))
            {
                address = lastBound;
            }
            var listener = ProxyListener.Start(context, address);
            _bus.Publish(new ProxyStarted(_bus.Time.GetUtcNow(), spec.Name, listener.LocalEndPoint, context.UpstreamDisplay));
            return listener;
        }
        catch (SocketException ex)
        {
            throw new ProxyStartException(spec.Name, spec.Listen.ToString(), ex.SocketErrorCode);
        }
    }

    private async Task ShutDownAsync(RunningProxy proxy)
    {
        await proxy.DisposeAsync();
        _bus.Publish(new ProxyStopped(_bus.Time.GetUtcNow(), proxy.Name));
    }

    private async Task<T> UnderControlAsync<T>(Func<Task<T>> operation)
    {
        await _control.WaitAsync();
        try
        {
            return await operation();
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>Stops every proxy, in parallel so that their drain times overlap.</summary>
    public async ValueTask DisposeAsync()
    {
        var all = await UnderControlAsync(() =>
        {
            var taken = _proxies;
            Volatile.Write(ref _proxies, ImmutableDictionary<string, RunningProxy>.Empty);
            return Task.FromResult(taken);
        });
        await Task.WhenAll(all.Values.Select(ShutDownAsync));
    }
}
