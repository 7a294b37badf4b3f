using System.Buffers;
using System.Net.Sockets;
using Chaos.Proxy.Observation;

namespace Chaos.Proxy.Engine;

/// <summary>
/// One accepted client and its upstream: dial, relay both directions faithfully, close.
/// The methods are the lifecycle points of DESIGN.md in order: accept, connect, first_byte, data, fin, close.
/// </summary>
internal sealed class RelayConnection
{
    private const int NoReason = -1;

    private readonly ProxyContext _proxy;
    private readonly Socket _client;
    private readonly long _startTimestamp;
    private volatile Socket? _server;
    private int _reason = NoReason;
    private int _aborted;
    private int _finsSent;
    private long _bytesUpstream;
    private long _bytesDownstream;

    public RelayConnection(ProxyContext proxy, Socket client, long id)
    {
        _proxy = proxy;
        _client = client;
        Id = id;
        _startTimestamp = proxy.Bus.Time.GetTimestamp();
    }

    public long Id { get; }

    /// <summary>The task running this connection; set by the listener that owns it.</summary>
    public Task Completion { get; set; } = Task.CompletedTask;

    public long BytesUpstream => Volatile.Read(ref _bytesUpstream);

    public long BytesDownstream => Volatile.Read(ref _bytesDownstream);

    public async Task RunAsync(CancellationToken stopping)
    {
        OnAccepted();
        var server = await ConnectUpstreamAsync(stopping);
        if (server is not null)
        {
            _server = server;
            await Task.WhenAll(
                PumpAsync(_client, server, Direction.Upstream),
                PumpAsync(server, _client, Direction.Downstream));
            server.Dispose();
        }
        _client.Dispose();
        OnClosed();
    }

    /// <summary>Proxy stop: FIN to both peers, then let them finish within the drain time.</summary>
    public void BeginStop()
    {
        RecordReason(CloseReason.ProxyStopped);
        SendFin(_client, Side.Client);
        if (_server is { } server)
        {
            SendFin(server, Side.Server);
        }
    }

    /// <summary>After the drain time: close whatever is left. Both sides already had their FIN.</summary>
    public void ForceClose()
    {
        _client.Dispose();
        _server?.Dispose();
    }

    private void OnAccepted()
    {
        _client.NoDelay = true;
        Publish(new ConnectionAccepted(_proxy.Now, _proxy.Name, Id, _client.RemoteEndPoint!));
    }

    private async Task<Socket?> ConnectUpstreamAsync(CancellationToken stopping)
    {
        Publish(new UpstreamConnecting(_proxy.Now, _proxy.Name, Id, _proxy.UpstreamDisplay));
        var started = _proxy.Bus.Time.GetTimestamp();
        var dial = await UpstreamDialer.DialAsync(_proxy.UpstreamEndPoint, _proxy.Options.ConnectTimeout, stopping);
        var took = _proxy.Bus.Time.GetElapsedTime(started);
        if (dial.Socket is { } socket)
        {
            Publish(new UpstreamConnected(_proxy.Now, _proxy.Name, Id, socket.LocalEndPoint!, took));
            return socket;
        }

        RecordReason(dial.FailureReason);
        Publish(new UpstreamFailed(_proxy.Now, _proxy.Name, Id, dial.FailureReason, dial.Error, took));
        if (dial.FailureReason == CloseReason.ProxyStopped)
        {
            SocketActions.Close(_client);
            Publish(new FinSent(_proxy.Now, _proxy.Name, Id, Side.Client));
        }
        else
        {
            // The client's connect() already succeeded in the kernel; an RST is the closest thing to "refused".
            SocketActions.Reset(_client);
            Publish(new ResetSent(_proxy.Now, _proxy.Name, Id, Side.Client));
        }
        return null;
    }

    private async Task PumpAsync(Socket from, Socket to, Direction direction)
    {
        var (fromSide, toSide) = direction == Direction.Upstream ? (Side.Client, Side.Server) : (Side.Server, Side.Client);
        byte[]? buffer = null;
        var forwarded = 0L;
        try
        {
            while (true)
            {
                if (buffer is null || from.Available == 0)
                {
                    // Idle connections hold no buffer: wait for readability with a zero-byte receive first.
                    ReturnBuffer(ref buffer);
                    var ready = await ReceiveAsync(from, Memory<byte>.Empty, fromSide);
                    if (ready < 0)
                    {
                        return;
                    }
                    buffer = ArrayPool<byte>.Shared.Rent(_proxy.Options.BufferSize);
                }

                var received = await ReceiveAsync(from, buffer, fromSide);
                if (received < 0)
                {
                    return;
                }
                if (received == 0)
                {
                    ForwardFin(to, fromSide, toSide);
                    return;
                }
                if (forwarded == 0)
                {
                    Publish(new FirstByte(_proxy.Now, _proxy.Name, Id, direction));
                }
                if (!await SendAsync(to, buffer.AsMemory(0, received), toSide))
                {
                    return;
                }
                forwarded += received;
                Volatile.Write(ref direction == Direction.Upstream ? ref _bytesUpstream : ref _bytesDownstream, forwarded);
            }
        }
        finally
        {
            ReturnBuffer(ref buffer);
        }
    }

    /// <summary>Bytes read, 0 for a FIN, or -1 when this direction is over (peer reset, or we aborted).</summary>
    private async ValueTask<int> ReceiveAsync(Socket from, Memory<byte> buffer, Side fromSide)
    {
        try
        {
            return await from.ReceiveAsync(buffer, SocketFlags.None);
        }
        catch (SocketException ex)
        {
            OnSocketFailed(fromSide, ex.SocketErrorCode);
            return -1;
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    private async ValueTask<bool> SendAsync(Socket to, ReadOnlyMemory<byte> data, Side toSide)
    {
        try
        {
            while (!data.IsEmpty)
            {
                var sent = await to.SendAsync(data, SocketFlags.None);
                data = data[sent..];
            }
            return true;
        }
        catch (SocketException ex)
        {
            OnSocketFailed(toSide, ex.SocketErrorCode);
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private void ForwardFin(Socket to, Side fromSide, Side toSide)
    {
        Publish(new FinReceived(_proxy.Now, _proxy.Name, Id, fromSide));
        SendFin(to, toSide);
    }

    /// <summary>At most one FIN per side, however the stop and the relay race.</summary>
    private void SendFin(Socket socket, Side to)
    {
        var bit = 1 << (int)to;
        if ((Interlocked.Or(ref _finsSent, bit) & bit) == 0 && SocketActions.TrySendFin(socket))
        {
            Publish(new FinSent(_proxy.Now, _proxy.Name, Id, to));
        }
    }

    /// <summary>A peer reset (or its socket died): pass the RST on to the other peer, once.</summary>
    private void OnSocketFailed(Side failed, SocketError error)
    {
        if (error == SocketError.OperationAborted || Volatile.Read(ref _aborted) == 1)
        {
            return; // our own abort woke this operation up
        }
        var isReset = SocketActions.IsPeerReset(error);
        RecordReason(!isReset ? CloseReason.Error : failed == Side.Client ? CloseReason.ClientReset : CloseReason.ServerReset);
        if (Interlocked.Exchange(ref _aborted, 1) == 1)
        {
            return;
        }

        Publish(new ResetReceived(_proxy.Now, _proxy.Name, Id, failed));
        var (failedSocket, otherSocket, otherSide) = failed == Side.Client
            ? (_client, _server!, Side.Server)
            : (_server!, _client, Side.Client);
        SocketActions.Reset(otherSocket);
        Publish(new ResetSent(_proxy.Now, _proxy.Name, Id, otherSide));
        failedSocket.Dispose();
    }

    private void OnClosed()
    {
        var reason = _reason == NoReason ? CloseReason.Completed : (CloseReason)_reason;
        var duration = _proxy.Bus.Time.GetElapsedTime(_startTimestamp);
        Publish(new ConnectionClosed(_proxy.Now, _proxy.Name, Id, reason, duration, BytesUpstream, BytesDownstream));
    }

    private void RecordReason(CloseReason reason) => Interlocked.CompareExchange(ref _reason, (int)reason, NoReason);

    private void Publish(ChaosEvent chaosEvent) => _proxy.Bus.Publish(chaosEvent);

    private static void ReturnBuffer(ref byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
        }
    }
}
