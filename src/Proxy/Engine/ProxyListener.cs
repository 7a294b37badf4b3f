using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine;

/// <summary>
/// The listen point of one proxy: a bound socket and its accept loop. The loop only accepts and hands
/// off; each connection dials and relays on its own task, so a slow upstream never holds up accepting.
/// </summary>
internal sealed class ProxyListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private volatile ProxyContext _proxy;
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, RelayConnection> _live = new();
    private readonly Task _acceptLoop;

    private ProxyListener(ProxyContext proxy, Socket socket)
    {
        _proxy = proxy;
        _socket = socket;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public int Live => _live.Count;

    /// <summary>Binds and starts accepting. Throws <see cref="SocketException"/> when the address cannot be bound.</summary>
    public static ProxyListener Start(ProxyContext proxy, IPEndPoint listen)
    {
        var socket = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (listen.AddressFamily == AddressFamily.InterNetworkV6 && listen.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }
            socket.Bind(listen);
            socket.Listen();
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new ProxyListener(proxy, socket);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopAccepting.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stopAccepting.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A connection that died in the queue (or a transient EMFILE) must not end the loop.
                await Task.Delay(10);
                continue;
            }

            Relay(client);
        }
    }

    private void Relay(Socket client)
    {
        var connection = new RelayConnection(_proxy, client, _proxy.Counter.Next());
        _live[connection.Id] = connection;
        connection.Completion = RunConnectionAsync(connection);
    }

    /// <summary>
    /// Takes every connection still waiting in the kernel's accept queue. Closing a listener resets them,
    /// yet their clients' connect() has already succeeded: to them they are live connections.
    /// </summary>
    private void AcceptBacklog()
    {
        _socket.Blocking = false;
        while (true)
        {
            try
            {
                Relay(_socket.Accept());
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
            {
                return;
            }
            catch (SocketException)
            {
                // That one died in the queue; look at the next.
            }
        }
    }

    private async Task RunConnectionAsync(RelayConnection connection)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync(_stopping.Token);
        }
        finally
        {
            _live.TryRemove(connection.Id, out _);
        }
    }

    /// <summary>New connections from now on use <paramref name="proxy"/>; open ones keep what they started with.</summary>
    public void Retarget(ProxyContext proxy) => _proxy = proxy;

    /// <summary>Closes the listening socket (new connects are refused); open and queued connections carry on.</summary>
    public async Task StopAcceptingAsync()
    {
        if (_stopAccepting.IsCancellationRequested)
        {
            return;
        }
        await _stopAccepting.CancelAsync();
        await _acceptLoop;
        AcceptBacklog();
        _socket.Dispose();
    }

    /// <summary>Closes the listener, sends FIN on every open connection, and waits for them to drain.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAcceptingAsync();
        await _stopping.CancelAsync();

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
        _stopAccepting.Dispose();
    }
}
