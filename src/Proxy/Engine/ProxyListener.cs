using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Engine.PassThrough;
using Chaos.Proxy.Observation;
using Chaos.Scenarios;

namespace Chaos.Proxy.Engine;

/// <summary>
/// The listen point of one proxy: a bound socket and its accept loop. The loop only accepts and hands
/// off; each connection dials and relays on its own task, so a slow upstream never holds up accepting.
/// Listen toxics (<see cref="ListenFaultController"/>) pause it, plug its queue or close the socket.
/// </summary>
internal sealed class ProxyListener : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, RelayConnection> _live = new();
    private readonly ListenFaultController _faults;
    private readonly Lock _bytesGate = new();
    private readonly Lock _acceptGate = new();
    private long _closedUpstream;
    private long _closedDownstream;
    private Socket? _socket;
    private CancellationTokenSource? _acceptStop;
    private Task _acceptLoop = Task.CompletedTask;
    private volatile ProxyContext _proxy;
    private EndPoint? _ignored;
    private readonly Task _sweep;

    private ProxyListener(ProxyContext proxy, Socket socket)
    {
        _proxy = proxy;
        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        StartAccepting();
        _faults = new ListenFaultController(this);
        _sweep = ConnectionSweep.RunAsync(() => _proxy, _live, _stopping.Token);
    }

    /// <summary>The bound address; kept while a <c>refuse</c> toxic has the socket closed, to bind it again.</summary>
    public IPEndPoint LocalEndPoint { get; }

    public int Live => _live.Count;

    /// <summary>Open connections the pass-through loop relays now (the rest are on the managed pumps).</summary>
    public int PassingThrough => _live.Values.Count(connection => connection.PassingThrough);

    /// <summary>
    /// Bytes relayed by this listener's connections, closed ones and the live counters of open ones. Never goes
    /// down: a closing connection's bytes move from the live sum to the closed totals under the same lock.
    /// </summary>
    public (long Upstream, long Downstream) BytesRelayed()
    {
        lock (_bytesGate)
        {
            var (upstream, downstream) = (_closedUpstream, _closedDownstream);
            foreach (var connection in _live.Values)
            {
                upstream += connection.BytesUpstream;
                downstream += connection.BytesDownstream;
            }
            return (upstream, downstream);
        }
    }

    internal ProxyContext Proxy => _proxy;

    /// <summary>Binds and starts accepting. Throws <see cref="SocketException"/> when the address cannot be bound.</summary>
    public static ProxyListener Start(ProxyContext proxy, IPEndPoint listen) => new(proxy, Bind(listen));

    /// <summary>New connections from now on use <paramref name="proxy"/>; open ones keep what they started with.</summary>
    public void Retarget(ProxyContext proxy) => _proxy = proxy;

    /// <summary>
    /// The listening socket. It has TCP_NODELAY, which Linux hands on to every socket it accepts: a relay must not
    /// hold a small chunk back for the peer's ACK, and so no connection needs a setsockopt of its own for it.
    /// </summary>
    internal static Socket Bind(IPEndPoint listen)
    {
        var socket = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (listen.AddressFamily == AddressFamily.InterNetworkV6 && listen.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }
            // Rebinding after a 'refuse' must not fail on the port's own TIME_WAIT connections.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(listen);
            socket.Listen();
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return socket;
    }

    internal void StartAccepting()
    {
        _acceptStop = new CancellationTokenSource();
        var (socket, stop) = (_socket!, _acceptStop.Token);
        if (Loops is { Count: > 0 } loops)
        {
            _acceptLoop = Task.WhenAll(loops.Select(loop => AcceptLoopAsync(socket, loop, stop)));
        }
        else
        {
            _acceptLoop = AcceptLoopAsync(socket, null, stop);
        }
    }

    /// <summary>The pass-through loops that accept and relay this proxy's connections; none where the managed path does.</summary>
    private IReadOnlyList<PassThroughLoop> Loops => _proxy.Options.PassThroughLoop ? PassThroughLoop.All : [];

    /// <summary>Stops the accept loop; connections that arrive meanwhile wait in the kernel's queue.</summary>
    internal async Task PauseAcceptingAsync()
    {
        if (_acceptStop is not { } stop)
        {
            return;
        }
        _acceptStop = null;
        await stop.CancelAsync();
        await _acceptLoop;
        stop.Dispose();
    }

    /// <summary>Listen toxic <c>refuse</c>: no socket, so the kernel answers SYNs with RST.</summary>
    internal void CloseSocket()
    {
        AcceptBacklog();
        _socket?.Dispose();
        _socket = null;
    }

    /// <summary>After <c>refuse</c>: bind the same address again. Throws <see cref="SocketException"/> if something else took it.</summary>
    internal void Reopen() => _socket = Bind(LocalEndPoint);

    /// <summary>Sets the accept-queue length (0 lets one connection wait, the rest are dropped at SYN); null restores the default.</summary>
    internal void SetBacklog(int? backlog)
    {
        if (backlog is { } length)
        {
            _socket!.Listen(length);
        }
        else
        {
            _socket!.Listen();
        }
    }

    /// <summary>The accept loop drops a connection from this address: the queue plug, once pulled.</summary>
    internal void Ignore(EndPoint? plug) => _ignored = plug;

    /// <summary>Accepts on <paramref name="loop"/>'s thread where loops run (one such accept loop per loop), else with .NET's accept.</summary>
    private async Task AcceptLoopAsync(Socket socket, PassThroughLoop? loop, CancellationToken stop)
    {
        await Task.Yield();
        using var watch = loop?.WatchListener(socket, stop);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ConnectionSlots.Shared.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            RelayConnection? connection;
            try
            {
                if (watch is null)
                {
                    connection = Admit(await socket.AcceptAsync(stop), null);
                }
                else
                {
                    // Waited for here, not in a method of its own: an async call per connection cost a task and a hop.
                    do
                    {
                        await watch.ReadableAsync();
                    }
                    while (!TryTakeQueued(watch, loop!, out connection));
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                ConnectionSlots.Shared.Release();
                return;
            }
            catch (SocketException)
            {
                // A connection that died in the queue (or a transient EMFILE) must not end the loop.
                ConnectionSlots.Shared.Release();
                await Task.Delay(10, CancellationToken.None);
                continue;
            }
            if (connection is not null)
            {
                connection.Completion = RunConnectionAsync(connection, onAcceptLoop: true);
            }
        }
    }

    /// <summary>
    /// Takes the next queued connection on the loop's thread, so that its first steps run there too; false when
    /// another loop is accepting or took it first (<paramref name="connection"/> is also null when it was turned away).
    /// Every loop accepts from the listener, one connection each time epoll reports it readable: a loop that took
    /// every queued connection at once held back relaying them until it was done, while the other loop idled
    /// (redis-benchmark without keep-alive: idle CPU 17 -> 8 µs per connection). Taking and numbering a connection
    /// under one lock keeps connection numbers in the kernel's queue order; a loop that finds another accepting waits
    /// for the listener again rather than for the lock (spinning on it showed as sched_yield calls), as epoll reports
    /// it again while connections are queued.
    /// </summary>
    private bool TryTakeQueued(ListenerWatch watch, PassThroughLoop loop, out RelayConnection? connection)
    {
        connection = null;
        if (!_acceptGate.TryEnter())
        {
            return false;
        }
        try
        {
            // The listener stays blocking, so .NET makes no two fcntl calls on every accepted socket (the loop's recv
            // and send never block anyway): hence the poll first, and the accept under the lock.
            if (!watch.Listener.Poll(0, SelectMode.SelectRead))
            {
                return false;
            }
            connection = Admit(watch.Listener.Accept(), loop);
            return true;
        }
        finally
        {
            _acceptGate.Exit();
        }
    }

    /// <summary>
    /// A new connection, holding a connection slot until it ends; null (and the slot free again) when it is turned
    /// away: the plug of a plugged queue, or over <c>max_connections</c>.
    /// </summary>
    private RelayConnection? Admit(Socket client, PassThroughLoop? loop)
    {
        if (_ignored is not null && _ignored.Equals(client.RemoteEndPoint))
        {
            client.Dispose();
            ConnectionSlots.Shared.Release();
            return null;
        }
        if (_proxy.Limits.MaxConnections is { } max && _live.Count >= max)
        {
            Reject(client, max, _proxy.Limits.OverLimit);
            ConnectionSlots.Shared.Release();
            return null;
        }
        var connection = new RelayConnection(_proxy, client, _proxy.Counter.Next(), loop);
        _live[connection.Id] = connection;
        return connection;
    }

    /// <summary>
    /// Over <c>max_connections</c>: the kernel already completed the handshake, so the client is turned away at once
    /// with RST (<c>reset</c>) or FIN (<c>refuse</c>; an RST after all if it had already sent bytes, by the kernel's rule).
    /// It takes no connection number, so ordinal selectors still count admitted connections.
    /// </summary>
    private void Reject(Socket client, int max, OverLimitAction action)
    {
        var from = client.RemoteEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        if (action == OverLimitAction.Refuse)
        {
            SocketActions.Close(client);
        }
        else
        {
            SocketActions.Reset(client);
        }
        _proxy.Bus.Publish(new ConnectionRejected(_proxy.Now, _proxy.Name, from, max, action == OverLimitAction.Refuse ? "refuse" : "reset"));
    }

    /// <summary>
    /// Takes every connection still waiting in the kernel's accept queue. Closing a listener resets them,
    /// yet their clients' connect() has already succeeded: to them they are live connections.
    /// </summary>
    private void AcceptBacklog()
    {
        if (_socket is not { } socket)
        {
            return;
        }
        socket.Blocking = false;
        while (ConnectionSlots.Shared.TryTake())
        {
            try
            {
                RelayConnection? connection;
                lock (_acceptGate)
                {
                    connection = Admit(socket.Accept(), Loops is [var first, ..] ? first : null);
                }
                if (connection is not null)
                {
                    connection.Completion = RunConnectionAsync(connection, onAcceptLoop: false);
                }
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
            {
                ConnectionSlots.Shared.Release();
                return;
            }
            catch (SocketException)
            {
                // That one died in the queue; look at the next.
                ConnectionSlots.Shared.Release();
            }
        }
    }

    private async Task RunConnectionAsync(RelayConnection connection, bool onAcceptLoop)
    {
        // The accept loop runs a connection's first steps itself, up to its first wait (the upstream dial at
        // the latest), which never blocks. Hopping to the thread pool first cost a wake-up per connection:
        // measured 7.8k/6.6k -> 9.7k/8.2k new connections/s without it. A connection taken on the control
        // path (AcceptBacklog) still hops, so the caller never runs connection code.
        if (!onAcceptLoop)
        {
            await Task.Yield();
        }
        try
        {
            await connection.RunAsync(_stopping.Token);
        }
        finally
        {
            lock (_bytesGate)
            {
                _closedUpstream += connection.BytesUpstream;
                _closedDownstream += connection.BytesDownstream;
                _live.TryRemove(connection.Id, out _);
            }
            ConnectionSlots.Shared.Release();
        }
    }

    /// <summary>Closes the listening socket (new connects are refused); open and queued connections carry on.</summary>
    public async Task StopAcceptingAsync()
    {
        if (await _faults.StopAsync())
        {
            await PauseAcceptingAsync();
            CloseSocket();
        }
    }

    /// <summary>Closes the listener, sends FIN on every open connection, and waits for them to drain.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAcceptingAsync();
        await _stopping.CancelAsync();
        await _sweep;

        var open = _live.Values.ToList();
        foreach (var connection in open)
        {
            connection.BeginStop();
        }
        var drained = Task.WhenAll(open.Select(connection => connection.Completion));
        if (await Task.WhenAny(drained, Task.Delay(_proxy.Options.DrainTimeout, _proxy.Bus.Time)) != drained)
        {
            foreach (var connection in open)
            {
                connection.ForceClose();
            }
            await drained;
        }
        _stopping.Dispose();
    }
}
