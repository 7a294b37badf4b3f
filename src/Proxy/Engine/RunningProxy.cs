using System.Net;
using Chaos.Proxy.Builtins;
using Chaos.Scenarios;

namespace Chaos.Proxy.Engine;

/// <summary>
/// A proxy as it runs now: its spec, its listener (none while disabled) and its embedded upstream, if any.
/// A changed listen address or upstream retires the old listener or builtin server instead of closing it,
/// so the connections they carry finish undisturbed; everything is closed when the proxy stops.
/// </summary>
internal sealed class RunningProxy : IAsyncDisposable
{
    private readonly List<ProxyListener> _retiredListeners = [];
    private readonly Lock _listenersGate = new(); // guards Listener and _retiredListeners against readers on other threads (metrics)
    private long _closedListenersUpstream;
    private long _closedListenersDownstream;
    private readonly List<BuiltinServer> _retiredBuiltins = [];

    internal RunningProxy(ProxySpec spec, ProxyContext context, ProxyListener? listener, BuiltinServer? builtin)
    {
        Spec = spec;
        Context = context;
        Listener = listener;
        Builtin = builtin;
        LastBound = listener?.LocalEndPoint;
    }

    public ProxySpec Spec { get; private set; }

    public string Name => Spec.Name;

    /// <summary>The bound address (with the real port when the spec asked for port 0); null while disabled.</summary>
    public IPEndPoint? ListenEndPoint => Listener?.LocalEndPoint;

    /// <summary>Connections accepted since start.</summary>
    public long ConnectionsAccepted => Context.Counter.Accepted;

    /// <summary>Connections open now.</summary>
    public int ConnectionsOpen => Listeners().Sum(listener => listener.Live);

    /// <summary>
    /// Bytes relayed since the proxy started, across every listener it had: closed connections plus the live
    /// counters of open ones, so the totals move while a connection is open. They never go down.
    /// </summary>
    public (long Upstream, long Downstream) BytesRelayed()
    {
        lock (_listenersGate)
        {
            var (upstream, downstream) = (_closedListenersUpstream, _closedListenersDownstream);
            foreach (var listener in ListenersUnlocked())
            {
                var (up, down) = listener.BytesRelayed();
                upstream += up;
                downstream += down;
            }
            return (upstream, downstream);
        }
    }

    internal ProxyContext Context { get; private set; }

    internal ProxyListener? Listener { get; private set; }

    /// <summary>The address the proxy last listened on, kept while it is disabled.</summary>
    internal IPEndPoint? LastBound { get; private set; }

    internal BuiltinServer? Builtin { get; private set; }

    /// <summary>Takes on a new spec; a listener or builtin that was replaced stops accepting but keeps its connections.</summary>
    internal async Task ReplaceAsync(ProxySpec spec, ProxyContext context, ProxyListener? listener, BuiltinServer? builtin)
    {
        var oldListener = Listener is { } current && current != listener ? current : null;
        if (oldListener is not null)
        {
            await oldListener.StopAcceptingAsync();
        }
        if (Builtin is { } oldBuiltin && oldBuiltin != builtin)
        {
            _retiredBuiltins.Add(oldBuiltin);
        }
        lock (_listenersGate)
        {
            if (oldListener is not null)
            {
                _retiredListeners.Add(oldListener);
            }
            (Spec, Context, Listener, Builtin) = (spec, context, listener, builtin);
        }
        LastBound = listener?.LocalEndPoint ?? LastBound;
    }

    internal void UpdateSpec(ProxySpec spec) => Spec = spec;

    /// <summary>Disable: the listener closes and its connections get a FIN, as in Toxiproxy.</summary>
    internal async Task CloseListenerAsync()
    {
        if (Listener is { } listener)
        {
            lock (_listenersGate)
            {
                Listener = null;
                _retiredListeners.Add(listener); // still counted while its connections drain
            }
            await listener.DisposeAsync();
            var (upstream, downstream) = listener.BytesRelayed(); // final: every connection has ended
            lock (_listenersGate)
            {
                _retiredListeners.Remove(listener);
                _closedListenersUpstream += upstream;
                _closedListenersDownstream += downstream;
            }
        }
    }

    private ProxyListener[] Listeners()
    {
        lock (_listenersGate)
        {
            return [.. ListenersUnlocked()];
        }
    }

    private List<ProxyListener> ListenersUnlocked() => Listener is null ? _retiredListeners : [Listener, .. _retiredListeners];

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Listeners().Select(listener => listener.DisposeAsync().AsTask()));
        IEnumerable<BuiltinServer> builtins = Builtin is null ? _retiredBuiltins : [Builtin, .. _retiredBuiltins];
        await Task.WhenAll(builtins.Select(builtin => builtin.DisposeAsync().AsTask()));
    }
}
