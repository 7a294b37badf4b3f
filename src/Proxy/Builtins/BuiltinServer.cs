using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Chaos.Scenarios;

namespace Chaos.Proxy.Builtins;

/// <summary>
/// An embedded upstream on an ephemeral loopback port, so demos, lessons and tests need nothing else
/// running. The proxy dials it over real TCP like any other server, so it behaves like one on the wire.
/// </summary>
internal abstract class BuiltinServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Task _acceptLoop = Task.CompletedTask;
    private long _served;

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public static BuiltinServer Start(BuiltinUpstream kind)
    {
        BuiltinServer server = kind switch
        {
            BuiltinUpstream.Echo => new EchoServer(),
            BuiltinUpstream.Http => new HttpResponder(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown builtin upstream"),
        };
        server._listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        server._listener.Listen();
        server._acceptLoop = Task.Run(server.AcceptLoopAsync);
        return server;
    }

    /// <summary>Serves one accepted connection; <paramref name="ordinal"/> is 1 for the first connection this server got.</summary>
    protected abstract Task ServeAsync(Socket socket, long ordinal, CancellationToken stopping);

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var ordinal = Interlocked.Increment(ref _served);
            _connections[ordinal] = Task.Run(() => ServeAndCloseAsync(socket, ordinal));
        }
    }

    private async Task ServeAndCloseAsync(Socket socket, long ordinal)
    {
        try
        {
            socket.NoDelay = true;
            await ServeAsync(socket, ordinal, _stopping.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away or we are stopping: the connection is over either way.
        }
        finally
        {
            // No receive is pending any more, so this close sends a FIN, not an RST.
            Engine.SocketActions.Close(socket);
            _connections.TryRemove(ordinal, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        await Task.WhenAll(_connections.Values);
        _stopping.Dispose();
    }
}
